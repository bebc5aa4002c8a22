import { appendFile, mkdir } from 'node:fs/promises';
import { appendFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { atomicWriteFile } from './atomicWrite.js';
import { redactString } from './redactSecrets.js';

/*
 * The one place text reaches the disk: run directories (episodes, metrics, checkpoints' JSON, logs), the coach cache
 * and reports all write through these, so a key a server echoed into a coach's rationale (or anything else) is masked
 * whatever path it took to get there. Binary files (weights) carry no text and are written directly.
 */

/** Writes text atomically with known secrets and key-looking strings masked. */
export async function writeSecretFree(path: string, text: string): Promise<void> {
  await atomicWriteFile(path, redactString(text));
}

/** Appends text (JSON lines) with known secrets and key-looking strings masked. */
export async function appendSecretFree(path: string, text: string): Promise<void> {
  await mkdir(dirname(path), { recursive: true });
  await appendFile(path, redactString(text));
}

/** Synchronous append for loggers. */
export function appendSecretFreeSync(path: string, text: string): void {
  appendFileSync(path, redactString(text));
}
