import { resolve } from 'node:path';
import type { Command } from 'commander';
import { parse as parseYaml } from 'yaml';
import { loadPluginModule } from '../../core/plugins/loadPluginModule.js';
import { PluginFactory } from '../../core/plugins/PluginFactory.js';
import { MappaError } from '../../core/util/MappaError.js';
import { createLogger } from '../../core/util/createLogger.js';
import { createBuiltinRegistry } from '../../plugins/builtins.js';
import { configFields } from './pluginsCommand.js';

interface ExportCommandOptions {
  format: string;
  out: string;
  agent?: string;
  split: string;
  steps?: string;
  minScore?: string;
  parquet?: boolean;
  option: string[];
  plugin: string[];
  quiet?: boolean;
}

/** `key=value` options of the exporter; values are YAML scalars (`threshold=6`, `conversational=false`). */
function parseOptions(pairs: readonly string[]): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const pair of pairs) {
    const eq = pair.indexOf('=');
    if (eq <= 0) throw new MappaError(`--option "${pair}" is not key=value`, { hint: 'e.g. --option threshold=6 (see `mappa plugins --kind exporter`)' });
    out[pair.slice(0, eq)] = parseYaml(pair.slice(eq + 1)) as unknown;
  }
  return out;
}

/** `mappa export RUN_DIR --format FORMAT --out DIR`: training data for other trainers from a run's episode files. */
export function registerExportCommand(program: Command): void {
  program
    .command('export')
    .description('export a run\'s coached actions as training data (mappa-rl, TRL, OpenAI, verl, OpenRLHF formats)')
    .argument('<runDir>', 'run directory written by mappa train / mappa run')
    .requiredOption('--format <name>', 'exporter: mappa-rl, trl-prompt-completion, trl-stepwise, trl-preference, trl-unpaired, openai-sft, openai-dpo, verl, openrlhf, or a plugin\'s')
    .requiredOption('--out <dir>', 'directory to write into')
    .option('--agent <id>', 'only this agent\'s actions')
    .option('--split <split>', 'train or eval episodes', 'train')
    .option('--steps <range>', 'steps A..B (inclusive), A.., ..B or N')
    .option('--min-score <x>', 'only actions the coach scored at least x')
    .option('--parquet', 'mappa-rl: write Parquet instead of JSONL')
    .option('--option <key=value...>', 'exporter options (YAML values), e.g. --option threshold=6', [])
    .option('--plugin <spec...>', 'load third-party exporter plugins (file paths or package names)', [])
    .option('--quiet', 'no progress lines')
    .action(async (runDir: string, opts: ExportCommandOptions) => {
      const { exportRun } = await import('../../plugins/exporters/shared/exportRun.js');
      const { parseStepRange } = await import('../../plugins/exporters/shared/parseStepRange.js');
      if (opts.split !== 'train' && opts.split !== 'eval') {
        throw new MappaError(`--split must be train or eval, got "${opts.split}"`, { hint: 'episode files are episodes/train-step-NNNN.jsonl and eval-step-NNNN.jsonl' });
      }
      let minScore: number | undefined;
      if (opts.minScore !== undefined) {
        minScore = Number(opts.minScore);
        if (!Number.isFinite(minScore)) throw new MappaError(`--min-score must be a number, got "${opts.minScore}"`, { hint: 'coach scores are 0–10, e.g. --min-score 7' });
      }
      const registry = createBuiltinRegistry();
      for (const spec of opts.plugin) registry.registerAll(await loadPluginModule(spec, process.cwd()), spec);
      const options = parseOptions(opts.option);
      if (opts.parquet) {
        const def = registry.get('exporter', opts.format);
        if (def && !configFields(def.configSchema).some((f) => f.name === 'parquet')) {
          if (opts.format !== 'verl') {
            throw new MappaError(`--parquet does not apply to ${opts.format}`, { hint: 'mappa-rl writes Parquet with --parquet; verl always writes Parquet; the other formats are JSONL' });
          }
        } else options['parquet'] = true;
      }
      const logger = createLogger({ level: 'warn' });
      const controller = new AbortController();
      const factory = new PluginFactory(registry, { runDir: resolve(runDir), cacheDir: resolve(runDir), baseDir: process.cwd(), seed: 0, signal: controller.signal }, logger);
      const exporter = await factory.create('exporter', { use: opts.format, ...options }, '--format');
      const started = Date.now();
      const progress = opts.quiet ? undefined : (m: string) => process.stderr.write(`export: ${m}\n`);
      const result = await exportRun({
        runDir,
        outDir: opts.out,
        exporter,
        split: opts.split,
        ...(opts.agent !== undefined ? { agent: opts.agent } : {}),
        ...(opts.steps !== undefined ? { steps: parseStepRange(opts.steps) } : {}),
        ...(minScore !== undefined ? { minScore } : {}),
        logger,
        ...(progress ? { onProgress: progress } : {}),
      });
      for (const note of result.notes) process.stderr.write(`note: ${note}\n`);
      process.stdout.write(
        `exported ${result.samples} action(s) from ${result.filesRead} episode file(s) in ${((Date.now() - started) / 1000).toFixed(1)} s` +
          (result.skippedLines ? `; ${result.skippedLines} unreadable line(s) skipped` : '') +
          '\n' +
          result.files.map((f) => `  ${f.path} (${f.rows} rows)`).join('\n') +
          '\n',
      );
    });
}
