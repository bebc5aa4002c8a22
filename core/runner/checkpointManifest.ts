import { createHash } from 'node:crypto';
import { createReadStream, existsSync } from 'node:fs';
import { readdir, readFile, stat, writeFile } from 'node:fs/promises';
import { join, relative, sep } from 'node:path';
import { MappaError } from '../util/MappaError.js';

export const MANIFEST_FILE = 'manifest.json';
const FORMAT = 'mappa-checkpoint-manifest/1';

export interface CheckpointManifest {
  readonly format: typeof FORMAT;
  readonly step: number;
  /** Ids of the policies whose weights the checkpoint holds. */
  readonly policies: readonly string[];
  readonly trainer: boolean;
  /** Every other file: relative POSIX path → size and SHA-256. */
  readonly files: Readonly<Record<string, { readonly bytes: number; readonly sha256: string }>>;
}

async function sha256(file: string): Promise<string> {
  const hash = createHash('sha256');
  for await (const chunk of createReadStream(file)) hash.update(chunk as Buffer);
  return hash.digest('hex');
}

async function listFiles(dir: string): Promise<string[]> {
  const out: string[] = [];
  for (const e of await readdir(dir, { withFileTypes: true, recursive: true })) {
    if (!e.isFile()) continue;
    const rel = relative(dir, join(e.parentPath, e.name)).split(sep).join('/');
    if (rel !== MANIFEST_FILE) out.push(rel);
  }
  return out.sort();
}

/** Writes `manifest.json` listing every file of a filled checkpoint directory with its checksum. */
export async function writeCheckpointManifest(dir: string, info: { step: number; policies: readonly string[]; trainer: boolean }): Promise<void> {
  const files: Record<string, { bytes: number; sha256: string }> = {};
  for (const rel of await listFiles(dir)) {
    const data = join(dir, rel);
    const { size } = await stat(data);
    files[rel] = { bytes: size, sha256: await sha256(data) };
  }
  const manifest: CheckpointManifest = { format: FORMAT, step: info.step, policies: [...info.policies], trainer: info.trainer, files };
  await writeFile(join(dir, MANIFEST_FILE), JSON.stringify(manifest, null, 2) + '\n');
}

/**
 * Reads and checks a checkpoint's manifest: every listed file present with its size and checksum. Returns undefined
 * for a checkpoint written before manifests existed. Throws a MappaError naming every problem.
 */
export async function verifyCheckpointManifest(dir: string): Promise<CheckpointManifest | undefined> {
  const file = join(dir, MANIFEST_FILE);
  if (!existsSync(file)) return undefined;
  let manifest: CheckpointManifest;
  try {
    manifest = JSON.parse(await readFile(file, 'utf8')) as CheckpointManifest;
    if (manifest.format !== FORMAT || typeof manifest.files !== 'object' || manifest.files === null || !Array.isArray(manifest.policies)) throw new Error(`not a ${FORMAT} manifest`);
  } catch (err) {
    throw new MappaError(`${file} is unreadable: ${(err as Error).message}`, { hint: 'the checkpoint is damaged; resume from an earlier checkpoint' });
  }
  const problems: string[] = [];
  for (const [rel, want] of Object.entries(manifest.files)) {
    const path = join(dir, rel);
    if (rel.split('/').includes('..') || !existsSync(path)) {
      problems.push(`${rel} is missing`);
      continue;
    }
    const got = await sha256(path).catch(() => undefined);
    if (got !== want.sha256) problems.push(`${rel} changed since it was saved (checksum mismatch)`);
  }
  if (problems.length) {
    throw new MappaError(`checkpoint ${dir} is damaged: ${problems.slice(0, 5).join('; ')}${problems.length > 5 ? `; and ${problems.length - 5} more` : ''}`, {
      hint: 'resume from an earlier checkpoint (RUN_DIR/checkpoints/step-NNNN)',
    });
  }
  return manifest;
}
