import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, isAbsolute, join, resolve } from 'node:path';
import type { Command } from 'commander';
import { readCoachActionFile } from '../../coaches/coachActionFile.js';
import { isPromptingCoach } from '../../coaches/llm/PromptingCoach.js';
import type { Coach } from '../../core/contracts/Coach.js';
import type { RunContext } from '../../core/contracts/RunContext.js';
import { readPipelineFile } from '../../core/pipeline/loadPipelineFile.js';
import type { PluginRef } from '../../core/plugins/pluginRef.js';
import { loadPluginModule } from '../../core/plugins/loadPluginModule.js';
import { PluginFactory } from '../../core/plugins/PluginFactory.js';
import { createLogger } from '../../core/util/createLogger.js';
import { MappaError } from '../../core/util/MappaError.js';
import { redactSecrets } from '../../core/util/redactSecrets.js';
import { createBuiltinRegistry } from '../../plugins/builtins.js';

interface CoachEvalOptions {
  coach: string;
  action: string;
  showPrompt?: boolean;
  cache: boolean;
  cacheDir?: string;
}

/** The coach reference in a coach file: the file itself (`use: ...`) or the `coach:` section of a pipeline file. */
function coachRefOf(raw: unknown, file: string): { ref: PluginRef; plugins: string[] } {
  const obj = (raw ?? {}) as Record<string, unknown>;
  const plugins = Array.isArray(obj['plugins']) ? (obj['plugins'] as unknown[]).filter((p): p is string => typeof p === 'string') : [];
  if (typeof obj['use'] === 'string') {
    const { plugins: _p, ...ref } = obj;
    return { ref: ref as PluginRef, plugins };
  }
  const coach = obj['coach'] as Record<string, unknown> | undefined;
  if (coach && typeof coach['use'] === 'string') return { ref: coach as PluginRef, plugins };
  throw new MappaError(`${file}: no coach found`, {
    hint: 'write the coach as `use: openai` plus its settings, or pass a pipeline file that has a `coach:` section',
  });
}

/** A coach built from a coach file the way every `mappa coach` command does (plugins, cache directory, abort on SIGINT). */
async function openCoach(opts: { coach: string; cache: boolean; cacheDir?: string | undefined }, signal: AbortSignal): Promise<{ coach: Coach; close(): Promise<void> }> {
  const coachFile = resolve(opts.coach);
  const baseDir = dirname(coachFile);
  const { ref, plugins } = coachRefOf(await readPipelineFile(coachFile), coachFile);
  const registry = createBuiltinRegistry();
  for (const spec of plugins) registry.registerAll(await loadPluginModule(spec, baseDir), spec);
  const scratch = await mkdtemp(join(tmpdir(), 'mappa-coach-'));
  const cacheDir = !opts.cache ? join(scratch, 'cache') : opts.cacheDir ? (isAbsolute(opts.cacheDir) ? opts.cacheDir : resolve(opts.cacheDir)) : join(baseDir, '.mappa-cache');
  const run: RunContext = { runDir: scratch, cacheDir, baseDir, seed: 0, signal };
  const logger = createLogger({ level: 'warn' });
  let coach: Coach;
  try {
    coach = await new PluginFactory(registry, run, logger).create('coach', ref, 'coach');
  } catch (err) {
    await rm(scratch, { recursive: true, force: true });
    throw err;
  }
  return {
    coach,
    close: async () => {
      await coach.dispose?.();
      await rm(scratch, { recursive: true, force: true });
    },
  };
}

async function coachEval(opts: CoachEvalOptions): Promise<void> {
  const input = await readCoachActionFile(resolve(opts.action));
  const controller = new AbortController();
  const onSigint = () => controller.abort(new Error('interrupted'));
  process.once('SIGINT', onSigint);
  const { coach, close } = await openCoach(opts, controller.signal);
  try {
    if (coach.scope !== 'action') {
      throw new MappaError(`coach ${coach.name} scores whole episodes, not single actions`, { hint: 'use an LLM, rule or ensemble coach with `mappa coach eval`' });
    }
    let prompt: string | undefined;
    if (opts.showPrompt) {
      if (isPromptingCoach(coach)) prompt = await coach.renderPrompt(input);
      else process.stderr.write(`warning: coach ${coach.name} does not use a prompt; --show-prompt ignored\n`);
    }
    const evaluation = await coach.evaluate(input, { signal: controller.signal });
    const out = { coach: coach.name, evaluation, ...(prompt !== undefined ? { prompt } : {}), stats: coach.stats?.() ?? {} };
    process.stdout.write(JSON.stringify(redactSecrets(out), null, 2) + '\n');
    if (evaluation.flags.fallback) {
      process.stderr.write(`warning: the coach fell back to its neutral score: ${evaluation.error ?? 'no reason given'}\n`);
      process.exitCode = 1;
    }
  } finally {
    process.off('SIGINT', onSigint);
    await close();
  }
}

interface CoachServeOptions {
  coach: string;
  host: string;
  port: string;
  role: string;
  agentId: string;
  rewardScale: string;
  onFallback: string;
  cache: boolean;
  cacheDir?: string;
  apiKeyEnv?: string;
}

async function coachServe(opts: CoachServeOptions): Promise<void> {
  const port = Number(opts.port);
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new MappaError(`--port ${opts.port}: not a port number (0–65535; 0 picks a free one)`);
  const rewardScale = Number(opts.rewardScale);
  if (!Number.isFinite(rewardScale)) throw new MappaError(`--reward-scale ${opts.rewardScale}: not a number`);
  if (opts.onFallback !== 'neutral' && opts.onFallback !== 'error') throw new MappaError(`--on-fallback ${opts.onFallback}: expected neutral or error`);
  let apiKey: string | undefined;
  if (opts.apiKeyEnv) {
    apiKey = process.env[opts.apiKeyEnv];
    if (!apiKey) throw new MappaError(`--api-key-env ${opts.apiKeyEnv}: the environment variable is not set or empty`, { hint: `export ${opts.apiKeyEnv}=<key> before starting the server` });
  }
  const controller = new AbortController();
  const { coach, close } = await openCoach(opts, controller.signal);
  try {
    const { createRewardServer } = await import('../../plugins/serving/createRewardServer.js');
    const server = await createRewardServer({
      coach,
      agent: { role: opts.role, agentId: opts.agentId },
      rewardScale,
      onFallback: opts.onFallback,
      host: opts.host,
      port,
      apiKey,
      logger: createLogger({ level: 'info' }),
    });
    process.stdout.write(`mappa coach serve: coach ${coach.name} on ${server.url} (POST /get_reward, POST /v1/evaluate, GET /stats)${apiKey ? ' (API key required)' : ''}\n`);
    await new Promise<void>((done) => {
      const stop = (signal: string) => {
        process.off('SIGINT', onInt);
        process.off('SIGTERM', onTerm);
        const c = server.counters();
        process.stdout.write(`mappa coach serve: ${signal}, shutting down (${c['queries']} queries, ${c['fallbacks']} fallbacks)\n`);
        controller.abort(new Error('shutting down'));
        void server.close().then(done, done);
      };
      const onInt = () => stop('SIGINT');
      const onTerm = () => stop('SIGTERM');
      process.on('SIGINT', onInt);
      process.on('SIGTERM', onTerm);
    });
  } finally {
    await close();
  }
}

export function registerCoachCommand(program: Command): void {
  const coach = program.command('coach').description('work with coaches');
  coach
    .command('eval')
    .description('score one action with a coach and print the evaluation as JSON (exit 1 when the coach fell back)')
    .requiredOption('--coach <file>', 'coach config (YAML/JSON: `use: openai` plus settings) or a pipeline file with a `coach:` section')
    .requiredOption('--action <file>', 'the action to score (JSON; see docs/coaches.md, "Action files")')
    .option('--show-prompt', 'include the rendered prompt in the output')
    .option('--cache-dir <dir>', 'coach cache directory (default: .mappa-cache next to the coach file)')
    .option('--no-cache', 'neither read nor write the coach cache')
    .action(async (opts: CoachEvalOptions) => coachEval(opts));
  coach
    .command('serve')
    .description("serve a coach as a reward server: OpenRLHF's POST /get_reward and POST /v1/evaluate (see docs/serving.md)")
    .requiredOption('--coach <file>', 'coach config (YAML/JSON) or a pipeline file with a `coach:` section')
    .option('--host <host>', 'address to bind (loopback unless you say otherwise)', '127.0.0.1')
    .option('--port <port>', 'port (0 picks a free one)', '5000')
    .option('--role <role>', 'role of the agent whose text is scored, when a request does not say', 'Assistant')
    .option('--agent-id <id>', 'agent id, when a request does not say', 'agent')
    .option('--reward-scale <x>', 'reward = coach score (0–10) × this', '0.1')
    .option('--on-fallback <mode>', 'neutral: answer the flagged neutral score; error: answer 503 so the client retries', 'neutral')
    .option('--cache-dir <dir>', 'coach cache directory (default: .mappa-cache next to the coach file)')
    .option('--no-cache', 'neither read nor write the coach cache')
    .option('--api-key-env <NAME>', 'require `Authorization: Bearer $NAME` (the key is read from this environment variable)')
    .action(async (opts: CoachServeOptions) => coachServe(opts));
}
