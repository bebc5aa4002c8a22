import { spawn } from 'node:child_process';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import OpenAI from 'openai';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { tinyCheckpoints } from './serveFixtures.js';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');
const CLI = join(ROOT, 'test', 'fakes', 'mappaCli.ts');
const KEY = 'sk-test-cli-serve-key-987654';

let fx: Awaited<ReturnType<typeof tinyCheckpoints>>;
beforeAll(async () => {
  fx = await tinyCheckpoints();
}, 60_000);
afterAll(async () => fx?.remove());

describe('mappa serve (CLI in a child process)', () => {
  it('prints the URL and models, serves them behind the API key, and exits 0 on SIGTERM', async () => {
    const child = spawn(process.execPath, ['--import', 'tsx', CLI, 'serve', '--model', `solver=${fx.a}`, '--model', `coder=${fx.b}`, '--port', '0', '--api-key-env', 'MAPPA_TEST_SERVE_KEY'], {
      cwd: ROOT,
      env: { ...process.env, MAPPA_TEST_SERVE_KEY: KEY },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const killer = setTimeout(() => child.kill('SIGKILL'), 60_000);
    let stdout = '';
    let stderr = '';
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    const exited = new Promise<number | null>((done) => child.on('exit', (code) => done(code)));
    try {
      const url = await new Promise<string>((found, fail) => {
        child.stdout.on('data', (d: Buffer) => {
          stdout += d.toString();
          const m = /listening on (http:\/\/127\.0\.0\.1:\d+)\/v1/.exec(stdout);
          if (m && stdout.includes('model coder')) found(m[1] as string);
        });
        child.on('exit', () => fail(new Error(`mappa serve exited early: ${stderr}`)));
      });
      expect(stdout).toContain(`model solver (version 0, max 128 tokens): ${fx.a}`);
      expect((await fetch(`${url}/v1/models`)).status).toBe(401);
      const client = new OpenAI({ baseURL: `${url}/v1`, apiKey: KEY, maxRetries: 0 });
      expect((await client.models.list()).data.map((m) => m.id)).toEqual(['solver', 'coder']);
      const r = await client.chat.completions.create({ model: 'coder', messages: [{ role: 'user', content: 'hi' }], max_tokens: 4, seed: 1 });
      expect(r.choices[0]!.message.role).toBe('assistant');
    } finally {
      child.kill('SIGTERM'); // by PID
      const code = await exited;
      clearTimeout(killer);
      expect(code, stderr).toBe(0);
    }
    expect(stdout).toContain('SIGTERM, shutting down');
    expect(stdout + stderr).not.toContain(KEY);
  });

  it('refuses a missing key variable and a malformed --model with a clear error', async () => {
    const run = (args: string[]) =>
      new Promise<{ code: number | null; stderr: string }>((done) => {
        const env = { ...process.env };
        delete env['MAPPA_TEST_UNSET_KEY'];
        const c = spawn(process.execPath, ['--import', 'tsx', CLI, 'serve', ...args], { cwd: ROOT, env, stdio: ['ignore', 'ignore', 'pipe'] });
        let stderr = '';
        c.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
        c.on('exit', (code) => done({ code, stderr }));
      });
    const [noKey, bad] = await Promise.all([run(['--model', `a=${fx.a}`, '--api-key-env', 'MAPPA_TEST_UNSET_KEY', '--port', '0']), run(['--model', fx.a, '--port', '0'])]);
    expect(noKey.code).toBe(1);
    expect(noKey.stderr).toContain('MAPPA_TEST_UNSET_KEY');
    expect(bad.code).toBe(1);
    expect(bad.stderr).toContain('expected NAME=DIR');
  });
});
