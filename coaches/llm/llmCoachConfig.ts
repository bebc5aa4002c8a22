import { z } from 'zod';
import { rateLimitFields, retryConfig } from '../../plugins/llm/llmCallConfig.js';

/** The coaches' retry settings (patient: a coach call may wait out a provider's rate limit). */
export const RetryConfig = retryConfig({ retries: 6, minDelayMs: 1000, maxDelayMs: 60_000, factor: 2, jitter: 0.5, maxTotalMs: 600_000 });

export const PricesConfig = z.strictObject({
  inputPerMillion: z.number().min(0).describe('USD per million input tokens'),
  outputPerMillion: z.number().min(0).describe('USD per million output tokens'),
});

/** Config fields every LLM coach shares (the runtime's settings); each backend adds its connection fields. */
export const llmCoachRuntimeFields = {
  model: z.string().min(1).describe('Model name as the provider knows it'),
  template: z
    .string()
    .min(1)
    .default('builtin:generic')
    .describe('Prompt template: builtin:mathchat | builtin:dsbench | builtin:generic | ./my-coach.liquid (relative to the pipeline file)'),
  system: z.string().optional().describe('Optional system message sent before the rendered prompt'),
  temperature: z.number().min(0).nullable().default(0).describe('Sampling temperature (null: do not send one)'),
  maxTokens: z.number().int().min(1).optional().describe('Output token limit (anthropic default: 2048)'),
  structuredOutput: z.boolean().default(false).describe('Ask for a JSON-schema reply (the parser also reads PROCESS_SCORE lines)'),
  answerCorrect: z
    .enum(['with-ground-truth', 'never'])
    .optional()
    .describe('Ask for and require ANSWER_CORRECT: 0|1 when the coach sees ground truth (default: never for builtin:dsbench, else with-ground-truth)'),
  fallbackScore: z.number().min(0).max(10).default(5).describe('Neutral score used (and flagged) when no usable score can be obtained'),
  timeoutMs: z.number().int().min(1).default(120_000).describe('Timeout of one HTTP request'),
  retry: RetryConfig.default(RetryConfig.parse({})),
  concurrency: z.number().int().min(1).default(8).describe('Requests in flight at once to this provider'),
  ...rateLimitFields,
  cache: z.boolean().default(true).describe('Cache successful evaluations on disk (run.cacheDir/coach)'),
  cacheDir: z.string().optional().describe('Cache directory (default: <run.cacheDir>/coach), relative to the pipeline file'),
  prices: PricesConfig.optional().describe('Token prices for the cost estimate'),
  previousActionLimit: z.number().int().min(0).default(2000).describe("Characters of each earlier action's text in the prompt (0 = all)"),
  previousToolOutputLimit: z.number().int().min(0).default(500).describe("Characters of each earlier action's tool output in the prompt (0 = all)"),
  headers: z.record(z.string(), z.string()).optional().describe('Extra HTTP headers'),
};

export type LlmCoachRuntimeConfig = z.output<z.ZodObject<typeof llmCoachRuntimeFields>>;
