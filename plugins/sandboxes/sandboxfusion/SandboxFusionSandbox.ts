import pRetry, { AbortError } from 'p-retry';
import type { Logger } from '../../../core/contracts/Logger.js';
import type { RunCodeRequest, RunCodeResponse, Sandbox, SandboxLanguage } from '../../../core/contracts/Sandbox.js';
import { DEFAULT_LANGUAGE_MAP, fromSandboxFusionResponse, toSandboxFusionRequest, type SandboxFusionResponse } from './sandboxFusionWire.js';

export interface SandboxFusionSandboxOptions {
  /** Server root, e.g. `http://127.0.0.1:8080` (the client posts to `<baseURL>/run_code`). */
  readonly baseURL: string;
  readonly runTimeout?: number;
  readonly compileTimeout?: number;
  readonly memoryLimitMb?: number | undefined;
  /** Retries after a 504 or a connection failure, with exponential back-off (SandboxFusion's clients use 3). */
  readonly maxRetries?: number;
  readonly retryDelayMs?: number;
  /** Per-request HTTP timeout; default: the run timeout + 30 s. */
  readonly requestTimeoutMs?: number | undefined;
  readonly languages?: Partial<Record<SandboxLanguage, string>>;
  readonly headers?: Readonly<Record<string, string>>;
  /** Injectable fetch (tests, proxies). */
  readonly fetch?: typeof fetch;
  readonly logger?: Logger | undefined;
}

class RetryableHttpError extends Error {}

/** HTTP client for a SandboxFusion server's `/run_code`. Stateless only: it has no workspace mode. */
export class SandboxFusionSandbox implements Sandbox {
  readonly name = 'sandboxfusion';
  /** Retries performed so far (504s and connection failures). */
  retries = 0;
  readonly #url: string;
  readonly #fetch: typeof fetch;
  readonly #languages: Record<SandboxLanguage, string>;

  constructor(readonly o: SandboxFusionSandboxOptions) {
    this.#url = `${o.baseURL.replace(/\/+$/, '')}/run_code`;
    this.#fetch = o.fetch ?? fetch;
    this.#languages = { ...DEFAULT_LANGUAGE_MAP, ...o.languages } as Record<SandboxLanguage, string>;
  }

  async run(request: RunCodeRequest): Promise<RunCodeResponse> {
    const body = toSandboxFusionRequest(request, {
      runTimeout: this.o.runTimeout ?? 10,
      compileTimeout: this.o.compileTimeout ?? 10,
      memoryLimitMb: this.o.memoryLimitMb,
      languages: this.#languages,
    });
    const timeoutMs = this.o.requestTimeoutMs ?? (body.run_timeout + body.compile_timeout + 30) * 1000;
    try {
      const wire = await pRetry(
        async () => {
          let res: Response;
          try {
            res = await this.#fetch(this.#url, {
              method: 'POST',
              headers: { 'content-type': 'application/json', ...(this.o.headers ?? {}) },
              body: JSON.stringify(body),
              signal: AbortSignal.timeout(timeoutMs),
            });
          } catch (err) {
            if ((err as Error).name === 'TimeoutError') throw new AbortError(`no answer within ${timeoutMs} ms`);
            throw new RetryableHttpError(`cannot reach ${this.#url}: ${(err as Error).message}`);
          }
          if (res.status === 504) throw new RetryableHttpError(`${this.#url} answered 504 (gateway timeout)`);
          if (!res.ok) throw new AbortError(`${this.#url} answered HTTP ${res.status}: ${(await res.text()).slice(0, 300)}`);
          return (await res.json()) as SandboxFusionResponse;
        },
        {
          retries: this.o.maxRetries ?? 3,
          minTimeout: this.o.retryDelayMs ?? 1000,
          factor: 2,
          shouldRetry: ({ error }) => error instanceof RetryableHttpError,
          onFailedAttempt: ({ error, attemptNumber, retriesLeft }) => {
            if (retriesLeft > 0 && error instanceof RetryableHttpError) {
              this.retries++;
              this.o.logger?.warn(`sandboxfusion: ${error.message}; retry ${attemptNumber}`);
            }
          },
        },
      );
      return fromSandboxFusionResponse(wire);
    } catch (err) {
      return { status: 'SandboxError', message: `sandboxfusion: ${(err as Error).message}`, files: {} };
    }
  }
}

/** The SandboxFusion client without DI. */
export function createSandboxFusionSandbox(options: SandboxFusionSandboxOptions): SandboxFusionSandbox {
  return new SandboxFusionSandbox(options);
}
