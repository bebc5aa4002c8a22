import { readdir, readFile, rm, mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { validatePipeline } from '../../core/pipeline/validatePipeline.js';
import { createRun } from '../../core/runner/createRun.js';
import { createLogger } from '../../core/util/createLogger.js';
import { createBuiltinRegistry } from '../../plugins/builtins.js';
import { writeReport } from '../../plugins/exporters/report/writeReport.js';
import { startFakeServer, type FakeServer } from '../fakes/fakeOpenAIServer.js';
import { providerReply } from '../fakes/fakeProviderResponses.js';
import { fakePlugins } from '../fakes/testPlugins.js';
import { TINY_DIR, tinyPipeline } from '../fakes/tinyPipeline.js';
import { FAST_RETRY, uniqueModel } from '../coaches/coachFixtures.js';

/*
 * Issue 18 item 2: a server that echoes the Authorization header puts the key into the coach's rationale. The key
 * (which looks like no known key format, so only its value can find it) must not reach any file: cache, episodes,
 * metrics, checkpoints, logs, report.
 */

const SECRET = 'plainsecret-4f1c2a9e77d0';
const ENV = 'MAPPA_TEST_ECHOED_KEY';

async function filesUnder(dir: string): Promise<string[]> {
  const out: string[] = [];
  for (const e of await readdir(dir, { withFileTypes: true, recursive: true })) {
    if (e.isFile()) out.push(join(e.parentPath, e.name));
  }
  return out;
}

describe('secrets never reach the disk (issue 18 item 2)', () => {
  let server: FakeServer;
  let dir: string;
  beforeAll(async () => {
    process.env[ENV] = SECRET;
    server = await startFakeServer((req) =>
      providerReply('openai', `The request carried ${String(req.headers.authorization)}.\nPROCESS_SCORE: 7\nANSWER_CORRECT: 1`, { input: 10, output: 5 }),
    );
    dir = await mkdtemp(join(tmpdir(), 'mappa-secrets-'));
  });
  afterAll(async () => {
    delete process.env[ENV];
    await server.close();
    await rm(dir, { recursive: true, force: true });
  });

  it('an echoed key is redacted in the coach cache, episodes, checkpoints, logs and the report', async () => {
    const registry = createBuiltinRegistry();
    registry.registerAll(fakePlugins().defs, 'test');
    const coach = { use: 'openai', baseURL: `${server.url}/v1`, model: uniqueModel(), apiKeyEnv: ENV, template: 'builtin:generic', retry: FAST_RETRY };
    const raw = tinyPipeline({ coach, run: { steps: 1, cacheDir: join(dir, 'cache') } });
    const result = await validatePipeline(raw, { registry, baseDir: TINY_DIR });
    if (!result.ok) throw new Error(JSON.stringify(result.issues));
    const runDir = join(dir, 'run');
    const logger = createLogger({ file: join(runDir, 'logs', 'run.log'), level: 'error', write: () => {} });
    const run = await createRun({ pipeline: result.pipeline, runDir, logger });
    await run.runner.train();
    await run.dispose();
    await writeReport({ runDirs: [runDir], out: join(runDir, 'report.html') });

    // The server did see the key, and the coach did quote it back.
    expect(server.requests.some((r) => String(r.headers.authorization).includes(SECRET))).toBe(true);
    const files = [...(await filesUnder(runDir)), ...(await filesUnder(join(dir, 'cache')))];
    expect(files.some((f) => f.includes(`${join(dir, 'cache')}`))).toBe(true);
    expect(files.some((f) => f.endsWith('.jsonl') && f.includes('episodes'))).toBe(true);
    const episodes = await readFile(files.find((f) => f.includes('train-step') && f.endsWith('.jsonl'))!, 'utf8');
    expect(episodes.includes('The request carried Bearer ')).toBe(true);
    const leaking: string[] = [];
    for (const f of files) if ((await readFile(f)).includes(SECRET)) leaking.push(f.slice(dir.length));
    expect(leaking).toEqual([]);
  });
});
