import { resolve } from 'node:path';
import type { Command } from 'commander';
import { createLogger } from '../../core/util/createLogger.js';
import { MappaError } from '../../core/util/MappaError.js';
import type { ServedModelSpec } from '../../plugins/serving/createOpenAIServer.js';

interface ServeOptions {
  model: string[];
  host: string;
  port: string;
  apiKeyEnv?: string;
}

export function parseModelSpec(spec: string): ServedModelSpec {
  const at = spec.indexOf('=');
  const name = at > 0 ? spec.slice(0, at) : '';
  const path = at > 0 ? spec.slice(at + 1) : '';
  if (!name || !path) throw new MappaError(`--model ${spec}: expected NAME=DIR`, { hint: 'e.g. --model solver=./checkpoints/solver (a directory `mappa model init` or a run checkpoint wrote)' });
  return { name, path: resolve(path) };
}

function parsePort(text: string): number {
  const port = Number(text);
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new MappaError(`--port ${text}: not a port number (0–65535; 0 picks a free one)`);
  return port;
}

async function serve(opts: ServeOptions): Promise<void> {
  const models = opts.model.map(parseModelSpec);
  let apiKey: string | undefined;
  if (opts.apiKeyEnv) {
    apiKey = process.env[opts.apiKeyEnv];
    if (!apiKey) throw new MappaError(`--api-key-env ${opts.apiKeyEnv}: the environment variable is not set or empty`, { hint: `export ${opts.apiKeyEnv}=<key> before starting the server` });
  }
  const logger = createLogger({ level: 'info' });
  const { createOpenAIServer } = await import('../../plugins/serving/createOpenAIServer.js');
  const server = await createOpenAIServer({ models, host: opts.host, port: parsePort(opts.port), apiKey, logger });
  process.stdout.write(`mappa serve: listening on ${server.url}/v1${apiKey ? ' (API key required)' : ''}\n`);
  for (const m of server.models()) process.stdout.write(`  model ${m.name} (version ${m.version}, max ${m.model.maxContextLength} tokens): ${m.path}\n`);
  await new Promise<void>((done) => {
    const stop = (signal: string) => {
      process.off('SIGINT', onInt);
      process.off('SIGTERM', onTerm);
      process.stdout.write(`mappa serve: ${signal}, shutting down\n`);
      void server.close().then(done, (err: unknown) => {
        logger.error(`mappa serve: shutdown failed: ${String(err)}`);
        done();
      });
    };
    const onInt = () => stop('SIGINT');
    const onTerm = () => stop('SIGTERM');
    process.on('SIGINT', onInt);
    process.on('SIGTERM', onTerm);
  });
}

export function registerServeCommand(program: Command): void {
  program
    .command('serve')
    .description('serve tfjs-transformer checkpoints over an OpenAI-compatible API (vLLM subset; see docs/serving.md)')
    .requiredOption('--model <NAME=DIR>', 'a model name and its checkpoint directory (repeatable)', (v: string, acc: string[] = []) => [...acc, v])
    .option('--host <host>', 'address to bind (loopback unless you say otherwise)', '127.0.0.1')
    .option('--port <port>', 'port (0 picks a free one)', '8000')
    .option('--api-key-env <NAME>', 'require `Authorization: Bearer $NAME` on /v1 routes (the key is read from this environment variable)')
    .action(async (opts: ServeOptions) => serve(opts));
}
