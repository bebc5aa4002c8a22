import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createAnthropicCoach } from '../../coaches/llm/anthropicCoachPlugin.js';
import { createGeminiCoach } from '../../coaches/llm/geminiCoachPlugin.js';
import type { LlmCoach } from '../../coaches/llm/LlmCoach.js';
import type { LlmCoachEnv } from '../../coaches/llm/llmCoachEnv.js';
import { createOpenAICoach } from '../../coaches/llm/openaiCoachPlugin.js';
import type { CoachInput } from '../../core/contracts/Coach.js';
import { sampleAction, sampleCoachInput } from '../conformance/coachConformance.js';
import type { FakeProvider } from '../fakes/fakeProviderResponses.js';

/** Retry settings that keep tests fast. */
export const FAST_RETRY = { retries: 3, minDelayMs: 5, maxDelayMs: 20, factor: 2, jitter: 0.5, maxTotalMs: 10_000 };

let models = 0;
/** A model name no other test uses, so coaches do not share a provider limiter or cache entries by accident. */
export function uniqueModel(): string {
  return `judge-${process.pid}-${++models}`;
}

export interface CoachOverrides {
  readonly model?: string;
  readonly [key: string]: unknown;
}

/** An LLM coach of the given provider pointed at a loopback fake server. */
export function makeCoach(provider: FakeProvider, url: string, overrides: CoachOverrides = {}, env: LlmCoachEnv = {}): Promise<LlmCoach> {
  const common = { model: uniqueModel(), template: 'builtin:mathchat', retry: FAST_RETRY, timeoutMs: 3000, ...overrides };
  if (provider === 'anthropic') return createAnthropicCoach({ baseURL: url, ...common } as Parameters<typeof createAnthropicCoach>[0], env);
  if (provider === 'gemini') return createGeminiCoach({ baseURL: url, ...common } as Parameters<typeof createGeminiCoach>[0], env);
  return createOpenAICoach({ baseURL: `${url}/v1`, ...common } as Parameters<typeof createOpenAICoach>[0], env);
}

/** A MathChat-like action; `variant` changes the action text so prompts (and cache keys) differ. */
export function mathInput(variant = 0, overrides: Partial<CoachInput> = {}): CoachInput {
  const action = sampleAction({ text: `The answer is \\boxed{5} (variant ${variant})` });
  return sampleCoachInput({ action: action.text, actionRecord: action, ...overrides });
}

/** The same action without ground truth (so no ANSWER_CORRECT is required). */
export function solverInput(variant = 0): CoachInput {
  const action = sampleAction({ agentId: 'solver', role: 'Problem Solver', text: `2+3 = 5 (variant ${variant})` });
  const { groundTruth: _gt, ...rest } = sampleCoachInput({
    agent: { id: 'solver', role: 'Problem Solver', position: 0, count: 3 },
    action: action.text,
    actionRecord: action,
  });
  return rest;
}

export function tempDir(prefix = 'mappa-coach-test-'): { dir: string; remove: () => void } {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  return { dir, remove: () => rmSync(dir, { recursive: true, force: true }) };
}
