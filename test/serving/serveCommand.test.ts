import { spawn } from 'node:child_process';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import OpenAI from 'openai';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startCliServer } from '../fakes/startCliServer.js';
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
    const server = await startCliServer(['serve', '--model', `solver=${fx.a}`, '--model', `coder=${fx.b}`, '--port', '0', '--api-key-env', 'MAPPA_TEST_SERVE_KEY'], {
      ready: /listening on (http:\/\/127\.0\.0\.1:\d+)\/v1/,
      alsoWaitFor: 'model coder',
      env: { ...process.env, MAPPA_TEST_SERVE_KEY: KEY },
    });
    const { url } = server;
    try {
      expect(server.stdout()).toContain(`model solver (version 0, max 128 tokens): ${fx.a}`);
      expect((await fetch(`${url}/v1/models`)).status).toBe(401);
      const client = new OpenAI({ baseURL: `${url}/v1`, apiKey: KEY, maxRetries: 0 });
      expect((await client.models.list()).data.map((m) => m.id)).toEqual(['solver', 'coder']);
      const r = await client.chat.completions.create({ model: 'coder', messages: [{ role: 'user', content: 'hi' }], max_tokens: 4, seed: 1 });
      expect(r.choices[0]!.message.role).toBe('assistant');
    } finally {
      expect(await server.stop(), server.stderr()).toBe(0);
    }
    expect(server.stdout()).toContain('SIGTERM, shutting down');
    expect(server.stdout() + server.stderr()).not.toContain(KEY);
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
