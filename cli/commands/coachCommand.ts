import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, isAbsolute, join, resolve } from 'node:path';
import type { Command } from 'commander';
import { readCoachActionFile } from '../../coaches/coachActionFile.js';
import { isPromptingCoach } from '../../coaches/llm/PromptingCoach.js';
import type { RunContext } from '../../core/contracts/RunContext.js';
import { readPipelineFile } from '../../core/pipeline/loadPipelineFile.js';
import type { PluginRef } from '../../core/pipeline/pluginRef.js';
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

async function coachEval(opts: CoachEvalOptions): Promise<void> {
  const coachFile = resolve(opts.coach);
  const baseDir = dirname(coachFile);
  const { ref, plugins } = coachRefOf(await readPipelineFile(coachFile), coachFile);
  const input = await readCoachActionFile(resolve(opts.action));

  const registry = createBuiltinRegistry();
  for (const spec of plugins) registry.registerAll(await loadPluginModule(spec, baseDir), spec);
  const scratch = await mkdtemp(join(tmpdir(), 'mappa-coach-eval-'));
  const cacheDir = !opts.cache ? join(scratch, 'cache') : opts.cacheDir ? (isAbsolute(opts.cacheDir) ? opts.cacheDir : resolve(opts.cacheDir)) : join(baseDir, '.mappa-cache');
  const controller = new AbortController();
  const onSigint = () => controller.abort(new Error('interrupted'));
  process.once('SIGINT', onSigint);
  const run: RunContext = { runDir: scratch, cacheDir, baseDir, seed: 0, signal: controller.signal };
  const logger = createLogger({ level: 'warn' });
  const coach = await new PluginFactory(registry, run, logger).create('coach', ref, 'coach');
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
    await coach.dispose?.();
    await rm(scratch, { recursive: true, force: true });
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
}
