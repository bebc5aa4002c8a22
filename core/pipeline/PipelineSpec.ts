import { SAFE_NAME, SAFE_NAME_MESSAGE } from '../util/safePathSegment.js';
import { z } from 'zod';

const pluginRefShape = z.looseObject({ use: z.string().min(1, 'name the plugin to use') });

export const SamplingSchema = z.strictObject({
  temperature: z.number().min(0).optional(),
  topP: z.number().gt(0).max(1).optional(),
  topK: z.number().int().min(0).optional(),
  maxNewTokens: z.number().int().min(1).optional(),
  stopStrings: z.array(z.string()).optional(),
  greedy: z.boolean().optional(),
});

export const AgentDeclSchema = z.strictObject({
  id: z.string().regex(/^[A-Za-z][\w-]*$/, 'agent ids start with a letter and use letters, digits, _ and -'),
  role: z.string().min(1),
  /** A name from `policies`, or an inline `{ use: ..., ...config }`. */
  policy: z.union([z.string().min(1), pluginRefShape]),
  /** Prompt template file (Liquid), relative to the pipeline file. */
  prompt: z.string().min(1),
  /**
   * Tools: a name (an environment tool such as `python` code blocks, and the `tool` plugin of that name when there is
   * one) or a tool plugin reference such as `{ use: mcp, command: [...] }`.
   */
  tools: z.array(z.union([z.string(), pluginRefShape])).default([]),
  maxActions: z.number().int().min(1).default(1),
  /** Agents whose outputs this one reads. Default: the previous agent in the list (a chain). */
  reads: z.array(z.string()).optional(),
  sampling: SamplingSchema.default({}),
  /** Default: true for the final agent(s) only. */
  coachSeesGroundTruth: z.boolean().optional(),
  /** Whether this agent's actions become training samples. */
  train: z.boolean().default(true),
});

export const EvalSettingsSchema = z.strictObject({
  split: z.string().default('test'),
  /** Evaluate every N training steps (0 = only at start and end). */
  every: z.number().int().min(0).default(0),
  /** Limit the number of evaluation tasks (default: all of the split). */
  tasks: z.number().int().min(1).optional(),
  samplesPerTask: z.number().int().min(1).default(1),
  /** Sampling used for evaluation (overrides each agent's sampling). */
  sampling: SamplingSchema.default({ greedy: true }),
  /** Also run the coach on evaluation episodes (costs coach calls; accuracy never comes from it). */
  coach: z.boolean().default(false),
  atStart: z.boolean().default(true),
  atEnd: z.boolean().default(true),
});

export const RunSettingsSchema = z.strictObject({
  steps: z.number().int().min(0).default(10),
  tasksPerStep: z.number().int().min(1).default(8),
  samplesPerTask: z.number().int().min(1).default(1),
  /** Episodes run at once. */
  concurrency: z.number().int().min(1).default(8),
  /** Coach calls in flight at once (coaches may limit further per provider). */
  coachConcurrency: z.number().int().min(1).default(16),
  trainSplit: z.string().default('train'),
  eval: EvalSettingsSchema.default(EvalSettingsSchema.parse({})),
  /** Where run directories are created, relative to the pipeline file unless absolute. */
  outputDir: z.string().default('runs'),
  /** Shared cache (coach responses, warm-start checkpoints), relative to the pipeline file unless absolute. */
  cacheDir: z.string().default('.mappa-cache'),
  /**
   * `one-step`: the update of step k runs in a trainer process with its own TensorFlow.js while this process rolls out
   * and coaches step k+1 with the weights before it (one-step off-policy, as verl's one-step-off-policy); the PPO ratio
   * and KL use the log-probs recorded at generation, `train/staleness_mean` says how many versions behind the samples
   * were. `off`: roll out, then update, one after the other (results of earlier versions). See docs/trainers.md.
   */
  overlap: z.enum(['off', 'one-step']).default('off'),
  /** Save a checkpoint every N steps (0 = only at the end). */
  checkpointEvery: z.number().int().min(0).default(1),
  keepCheckpoints: z.number().int().min(1).default(2),
  /** Keep each episode's working directory (for debugging). */
  keepWorkDirs: z.boolean().default(false),
  /** Characters of tool output shown to the coach. */
  toolOutputLimit: z.number().int().min(0).default(2000),
  /** Write the HTML report at the end of the run (and on Ctrl-C). */
  report: z.boolean().default(true),
  /**
   * Where metrics go, several at once: `console` (a line per step), `jsonl` (`metrics.jsonl` + `metrics.csv`, which
   * resume and the report read, so it must stay), `mlflow`, `wandb`, `tensorboard`. Trackers never block or fail a run.
   */
  loggers: z.array(pluginRefShape).default([{ use: 'console' }, { use: 'jsonl' }]),
  /** Seconds to wait at the end of a run for trackers to receive what is queued (then the rest is counted as unsent). */
  loggerFlushTimeout: z.number().min(0).default(60),
});

export const RewardSettingsSchema = z.strictObject({
  /** Reward = coach score (0–10) × scale. The default maps scores to [0, 1]. */
  scale: z.number().positive().default(0.1),
  /** Train on actions whose coach evaluation fell back to the neutral score (default: no, they are excluded and counted). */
  trainOnFallback: z.boolean().default(false),
  /** Train on actions that hit the length limit (default: no, as in the reference code). */
  trainOnTruncated: z.boolean().default(false),
});

export const WarmStartSchema = z.strictObject({
  /** A `demonstrations` plugin that writes supervised examples for the agents (e.g. `mathchat-demonstrations`). */
  demonstrations: pluginRefShape,
  /** The trainer used for the warm start (default: supervised fine-tuning). */
  trainer: pluginRefShape.default({ use: 'sft' }),
  /** Reuse warm-started weights from `run.cacheDir` when the policies, demonstrations and trainer are unchanged. */
  cache: z.boolean().default(true),
  /**
   * Train each multi-turn agent's turns on one task as one example (the whole conversation, loss on its responses
   * only): the same per-token losses for one forward pass instead of one per turn.
   */
  pack: z.boolean().default(true),
  /**
   * `shared`: for agents whose policies are LoRA adapters on one shared frozen base, train the BASE instead (all its
   * weights, on every one of those agents' demonstrations together); the adapters then start at B = 0 on the
   * warm-started base and only RL trains them. The base is saved as a Hugging Face checkpoint in run.cacheDir (or the
   * run directory without the cache), which saved adapters name as `base_model_name_or_path`. Unset: each policy is
   * warm-started on its own agents' demonstrations (a LoRA policy trains its adapter).
   */
  base: z.literal('shared').optional(),
});

export const PipelineSpecSchema = z.strictObject({
  $schema: z.string().optional(),
  name: z.string().max(200).regex(SAFE_NAME, SAFE_NAME_MESSAGE).default('pipeline'),
  description: z.string().optional(),
  /** Third-party plugins: file paths (relative to this file) or package names. */
  plugins: z.array(z.string()).default([]),
  seed: z.number().int().default(0),
  tasks: pluginRefShape,
  environment: pluginRefShape,
  /** Named policies; agents refer to them by name. Two agents naming the same policy share its weights. */
  policies: z
    .record(z.string(), pluginRefShape)
    .superRefine((policies, ctx) => {
      // Policy ids become checkpoint folder names: `../x` would write weights outside the run directory.
      for (const id of Object.keys(policies)) {
        if (!SAFE_NAME.test(id) || id.length > 200) ctx.addIssue({ code: 'custom', path: [id], message: `policy id ${JSON.stringify(id)}: ${SAFE_NAME_MESSAGE}` });
      }
    })
    .default({}),
  agents: z.array(AgentDeclSchema).min(1, 'declare at least one agent'),
  coach: pluginRefShape,
  trainer: pluginRefShape.optional(),
  /** Supervised warm start of trainable policies before the first rollout (skipped when resuming). */
  warmStart: WarmStartSchema.optional(),
  rewards: RewardSettingsSchema.default(RewardSettingsSchema.parse({})),
  run: RunSettingsSchema.default(RunSettingsSchema.parse({})),
});

export type PipelineSpec = z.output<typeof PipelineSpecSchema>;
export type PipelineSpecInput = z.input<typeof PipelineSpecSchema>;
export type AgentDecl = z.output<typeof AgentDeclSchema>;
export type RunSettings = z.output<typeof RunSettingsSchema>;
export type EvalSettings = z.output<typeof EvalSettingsSchema>;
export type WarmStartSettings = z.output<typeof WarmStartSchema>;
