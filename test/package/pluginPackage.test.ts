// The path a third party takes: pack the SDK, install the tarball into a copy of examples/plugin-package outside the
// repo, then run that package's own tests, a type check, `mappa validate --deep` and `mappa run` there.
// Needs dist/ (built by `npm ci`/`npm run build`) and the npm registry or a warm npm cache for the SDK's dependencies.
import { execFile } from 'node:child_process';
import { cp, mkdtemp, readFile, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const run = promisify(execFile);
const REPO = resolve(import.meta.dirname, '..', '..');
const EXAMPLE = join(REPO, 'examples', 'plugin-package');

/** The parent test run's variables (vitest workers, npm script context) must not leak into the child tools. */
function childEnv(): NodeJS.ProcessEnv {
  const kept = Object.entries(process.env).filter(([k]) => !/^(VITEST|npm_|NODE_OPTIONS$|TSX_|FORCE_COLOR$)/i.test(k));
  return { ...Object.fromEntries(kept), NO_COLOR: '1' };
}

describe('a plugin package installed from the packed SDK', () => {
  let root = '';
  let app = '';
  const timings: Record<string, number> = {};
  const step = async (name: string, file: string, args: string[]) => {
    const t0 = performance.now();
    try {
      return await run(file, args, { cwd: app, env: childEnv(), maxBuffer: 16 << 20 });
    } finally {
      timings[name] = Math.round(performance.now() - t0);
    }
  };

  beforeAll(async () => {
    root = await mkdtemp(join(tmpdir(), 'mappa-plugin-package-'));
    app = join(root, 'app');
    // --ignore-scripts: `prepare` would rebuild dist/ while other test files read it; CI builds it in `npm ci`.
    const t0 = performance.now();
    const { stdout } = await run('npm', ['pack', '--ignore-scripts', '--silent', '--pack-destination', root], { cwd: REPO, env: childEnv() });
    timings['pack'] = Math.round(performance.now() - t0);
    const tarball = join(root, stdout.trim().split('\n').at(-1)!);
    await cp(EXAMPLE, app, { recursive: true, filter: (src) => !/[\\/](node_modules|runs|\.mappa-cache)$/.test(src) });
    const pkg = JSON.parse(await readFile(join(app, 'package.json'), 'utf8'));
    pkg.dependencies['@mappa/sdk'] = `file:${tarball}`;
    await writeFile(join(app, 'package.json'), JSON.stringify(pkg, null, 2));
    await step('install', 'npm', ['install', '--prefer-offline', '--no-audit', '--no-fund', '--loglevel=error']);
  }, 300_000);

  afterAll(async () => {
    process.stdout.write(`plugin package timings (ms): ${JSON.stringify(timings)}\n`);
    if (root) await rm(root, { recursive: true, force: true });
  });

  it('runs its conformance tests with @mappa/sdk/testing', async () => {
    const { stdout } = await step('vitest', process.execPath, [join(app, 'node_modules', 'vitest', 'vitest.mjs'), 'run', '--reporter=verbose']);
    expect(stdout).toContain('Environment conformance: word-count');
    expect(stdout).toContain('Coach conformance: answer-format');
    expect(stdout).toContain('TaskSource conformance: sentences');
    expect(stdout).toMatch(/Tests\s+8 passed/);
  }, 120_000);

  it('type-checks against the shipped declarations without "type": "module"', async () => {
    expect(JSON.parse(await readFile(join(app, 'package.json'), 'utf8')).type).toBeUndefined();
    await step('tsc', process.execPath, [join(REPO, 'node_modules', 'typescript', 'bin', 'tsc'), '-p', 'tsconfig.json']);
  }, 120_000);

  it('`mappa validate --deep` loads the CommonJS TypeScript plugins and checks every instance', async () => {
    const { stdout } = await step('validate', process.execPath, [join(app, 'node_modules', '@mappa', 'sdk', 'bin', 'mappa.js'), 'validate', '--deep', 'pipeline.yaml']);
    expect(stdout).toContain('valid (every plugin created and checked)');
    expect(stdout).toContain('counter (Word Counter, policy counter)');
  }, 120_000);

  it('`mappa run` rolls out with the package\'s environment, coach and tasks', async () => {
    const { stdout } = await step('run', process.execPath, [join(app, 'node_modules', '@mappa', 'sdk', 'bin', 'mappa.js'), 'run', 'pipeline.yaml']);
    expect(stdout).toContain('Finished after 1 step(s)');
    const [runDir] = await readdir(join(app, 'runs'));
    const episodesDir = join(app, 'runs', runDir!, 'episodes');
    const file = (await readdir(episodesDir)).find((f) => f.startsWith('train-'))!;
    const episodes = (await readFile(join(episodesDir, file), 'utf8')).trim().split('\n').map((l) => JSON.parse(l));
    expect(episodes).toHaveLength(2);
    for (const ep of episodes) {
      expect(ep.taskId).toMatch(/^s\d+$/);
      const evaluation = ep.actions[0].coach;
      expect(evaluation.coach).toBe('answer-format');
      // The scripted policy always answers a bare "4": 10 when the sentence has four words, else 5.
      expect(evaluation.score).toBe(ep.outcome.correct ? 10 : 5);
    }
  }, 120_000);
});
