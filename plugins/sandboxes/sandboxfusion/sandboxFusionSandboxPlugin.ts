import { z } from 'zod';
import { definePlugin } from '../../../core/plugins/definePlugin.js';
import { readApiKey } from '../../../core/util/readApiKey.js';

export const SandboxFusionSandboxConfig = z.strictObject({
  baseURL: z.string().url().describe('SandboxFusion server root, e.g. http://127.0.0.1:8080 (requests go to <baseURL>/run_code)'),
  runTimeout: z.number().positive().default(10).describe("run_timeout in seconds when a request does not set one"),
  compileTimeout: z.number().positive().default(10).describe('compile_timeout in seconds'),
  memoryLimitMb: z.number().int().optional().describe('memory_limit_MB when a request does not set one (default -1: the server decides)'),
  maxRetries: z.number().int().min(0).default(3).describe('Retries after a 504 or a connection failure (exponential back-off)'),
  retryDelayMs: z.number().int().min(0).default(1000),
  requestTimeoutMs: z.number().int().min(1).optional().describe('HTTP timeout per request (default: run + compile timeout + 30 s)'),
  languages: z
    .strictObject({ python: z.string().optional(), node: z.string().optional(), bash: z.string().optional() })
    .default({})
    .describe('Server language names (default python, nodejs, bash)'),
  apiKeyEnv: z.string().optional().describe('Environment variable with a bearer token, for servers behind an authenticating gateway'),
  headers: z.record(z.string(), z.string()).optional(),
});
export type SandboxFusionSandboxConfig = z.output<typeof SandboxFusionSandboxConfig>;

export const sandboxFusionSandboxPlugin = definePlugin({
  kind: 'sandbox',
  name: 'sandboxfusion',
  description: "Client for a SandboxFusion server's /run_code (the sandbox the MAPPA reference uses); retries on 504. Isolation is the server's.",
  configSchema: SandboxFusionSandboxConfig,
  create: async (config, deps) => {
    const { createSandboxFusionSandbox } = await import('./SandboxFusionSandbox.js');
    const apiKey = config.apiKeyEnv ? readApiKey(config.apiKeyEnv, config.baseURL, deps.path) : undefined;
    const languages = Object.fromEntries(Object.entries(config.languages).filter(([, v]) => v !== undefined)) as Record<string, string>;
    return createSandboxFusionSandbox({
      baseURL: config.baseURL,
      runTimeout: config.runTimeout,
      compileTimeout: config.compileTimeout,
      memoryLimitMb: config.memoryLimitMb,
      maxRetries: config.maxRetries,
      retryDelayMs: config.retryDelayMs,
      requestTimeoutMs: config.requestTimeoutMs,
      languages,
      headers: { ...(config.headers ?? {}), ...(apiKey && apiKey !== 'EMPTY' ? { authorization: `Bearer ${apiKey}` } : {}) },
      logger: deps.logger,
    });
  },
});
