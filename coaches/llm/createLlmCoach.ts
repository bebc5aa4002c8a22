import { isAbsolute, join, resolve } from 'node:path';
import { deriveSeed } from '../../core/util/deriveSeed.js';
import type { LlmBackend } from '../../plugins/llm/LlmBackend.js';
import type { LlmCoachEnv } from './llmCoachEnv.js';
import type { LlmCoachRuntimeConfig } from './llmCoachConfig.js';
import { LlmCoach } from './LlmCoach.js';
import { sharedProviderLimiter } from '../../plugins/llm/ProviderLimiter.js';
import { resolveCoachTemplate } from './resolveCoachTemplate.js';

/** Builds the coach runtime around a backend from the shared config fields. */
export function createLlmCoach(config: LlmCoachRuntimeConfig, backend: LlmBackend, env: LlmCoachEnv, secret: string): LlmCoach {
  const baseDir = env.baseDir ?? process.cwd();
  const path = env.path ?? 'coach';
  const name = `${backend.provider}:${config.model}`;
  const cacheDir = !config.cache
    ? undefined
    : config.cacheDir
      ? isAbsolute(config.cacheDir)
        ? config.cacheDir
        : resolve(baseDir, config.cacheDir)
      : env.cacheDir
        ? join(env.cacheDir, 'coach')
        : undefined;
  const answerCorrect = config.answerCorrect ?? (config.template === 'builtin:dsbench' ? 'never' : 'with-ground-truth');
  return new LlmCoach({
    name,
    backend,
    templateFile: resolveCoachTemplate(config.template, baseDir, path),
    system: config.system,
    temperature: config.temperature,
    maxTokens: config.maxTokens,
    structuredOutput: config.structuredOutput,
    answerCorrect,
    fallbackScore: config.fallbackScore,
    timeoutMs: config.timeoutMs,
    retry: config.retry,
    limiter: sharedProviderLimiter(`${backend.provider}|${backend.baseURL}|${config.model}`, {
      concurrency: config.concurrency,
      requestsPerMinute: config.requestsPerMinute,
      burst: config.burst,
    }),
    cacheDir,
    prices: config.prices,
    previousActionLimit: config.previousActionLimit,
    previousToolOutputLimit: config.previousToolOutputLimit,
    seed: deriveSeed(env.seed ?? 0, 'coach-retry-jitter', name),
    secret,
    logger: env.logger,
  });
}
