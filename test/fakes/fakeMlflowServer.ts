import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { z } from 'zod';

/**
 * A loopback MLflow tracking server that checks every request against MLflow's REST API (2.0) request schemas —
 * endpoint, method, fields and their types, log-batch limits, params that may not change — and keeps what a real
 * server would store. A request that breaks the schema gets MLflow's 400 INVALID_PARAMETER_VALUE and is recorded in
 * `violations`, so a test can require there were none.
 */
const int64 = z.number().int();
const tagSchema = z.strictObject({ key: z.string().min(1).max(250), value: z.string().max(8000) });
const schemas = {
  'POST experiments/create': z.strictObject({ name: z.string().min(1), artifact_location: z.string().optional(), tags: z.array(tagSchema).optional() }),
  'POST runs/create': z.strictObject({
    experiment_id: z.string().min(1),
    user_id: z.string().optional(),
    run_name: z.string().optional(),
    start_time: int64.optional(),
    tags: z.array(tagSchema).optional(),
  }),
  'POST runs/log-batch': z
    .strictObject({
      run_id: z.string().min(1),
      metrics: z.array(z.strictObject({ key: z.string().min(1).max(250), value: z.number(), timestamp: int64, step: int64.optional() })).max(1000).optional(),
      params: z.array(z.strictObject({ key: z.string().min(1).max(250), value: z.string().max(6000) })).max(100).optional(),
      tags: z.array(tagSchema).max(100).optional(),
    })
    .refine((b) => (b.metrics?.length ?? 0) + (b.params?.length ?? 0) + (b.tags?.length ?? 0) <= 1000, 'at most 1000 entities per batch'),
  'POST runs/update': z.strictObject({
    run_id: z.string().min(1),
    status: z.enum(['RUNNING', 'SCHEDULED', 'FINISHED', 'FAILED', 'KILLED']).optional(),
    end_time: int64.optional(),
    run_name: z.string().optional(),
  }),
} as const;

export interface FakeMlflowRun {
  readonly runId: string;
  readonly experimentId: string;
  readonly name: string | undefined;
  readonly tags: Map<string, string>;
  readonly params: Map<string, string>;
  readonly metrics: Array<{ key: string; value: number; step: number | undefined; timestamp: number }>;
  status: string;
  endTime: number | undefined;
  readonly artifacts: Map<string, Buffer>;
}

export interface FakeMlflowServer {
  readonly url: string;
  readonly experiments: Map<string, string>;
  readonly runs: Map<string, FakeMlflowRun>;
  readonly violations: string[];
  /** Every request as `METHOD path`, in order. */
  readonly calls: string[];
  readonly authorization: Array<string | undefined>;
  /** Answer the next N requests with HTTP 503 (a tracker that is briefly down). */
  failNext(n: number): void;
  close(): Promise<void>;
}

async function body(req: IncomingMessage): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const c of req) chunks.push(c as Buffer);
  return Buffer.concat(chunks);
}

export async function startFakeMlflowServer(): Promise<FakeMlflowServer> {
  const experiments = new Map<string, string>();
  const runs = new Map<string, FakeMlflowRun>();
  const violations: string[] = [];
  const calls: string[] = [];
  const authorization: Array<string | undefined> = [];
  let failing = 0;
  let nextId = 1;

  const reply = (res: ServerResponse, status: number, json: unknown) => {
    res.writeHead(status, { 'content-type': 'application/json' });
    res.end(JSON.stringify(json));
  };
  const bad = (res: ServerResponse, what: string) => {
    violations.push(what);
    reply(res, 400, { error_code: 'INVALID_PARAMETER_VALUE', message: what });
  };

  const server = createServer(async (req, res) => {
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    const raw = await body(req);
    calls.push(`${req.method} ${url.pathname}`);
    authorization.push(req.headers.authorization);
    if (failing > 0) {
      failing--;
      return reply(res, 503, { error_code: 'TEMPORARILY_UNAVAILABLE', message: 'down' });
    }
    const art = /^\/api\/2\.0\/mlflow-artifacts\/artifacts\/(.+)$/.exec(url.pathname);
    if (art) {
      if (req.method !== 'PUT') return bad(res, `${req.method} on an artifact path (uploads are PUT)`);
      const path = decodeURIComponent(art[1]!);
      const m = /^(\d+)\/([0-9a-f]+)\/artifacts\/(.+)$/.exec(path);
      if (!m || !runs.has(m[2]!) || runs.get(m[2]!)!.experimentId !== m[1]) return bad(res, `artifact path ${path} names no run's artifact root`);
      runs.get(m[2]!)!.artifacts.set(m[3]!, raw);
      return reply(res, 200, {});
    }
    const api = /^\/api\/2\.0\/mlflow\/(.+)$/.exec(url.pathname);
    if (!api) return bad(res, `unknown path ${url.pathname}`);
    const endpoint = `${req.method} ${api[1]}`;
    if (endpoint === 'GET experiments/get-by-name') {
      const name = url.searchParams.get('experiment_name');
      if (!name) return bad(res, 'experiments/get-by-name without experiment_name');
      const id = experiments.get(name);
      if (!id) return reply(res, 404, { error_code: 'RESOURCE_DOES_NOT_EXIST', message: `Could not find experiment with name '${name}'` });
      return reply(res, 200, { experiment: { experiment_id: id, name, artifact_location: `mlflow-artifacts:/${id}`, lifecycle_stage: 'active' } });
    }
    if (endpoint === 'GET runs/get') {
      const run = runs.get(url.searchParams.get('run_id') ?? '');
      if (!run) return reply(res, 404, { error_code: 'RESOURCE_DOES_NOT_EXIST', message: `Run '${url.searchParams.get('run_id')}' not found` });
      const artifactUri = `mlflow-artifacts:/${run.experimentId}/${run.runId}/artifacts`;
      return reply(res, 200, { run: { info: { run_id: run.runId, run_uuid: run.runId, experiment_id: run.experimentId, run_name: run.name, status: run.status, artifact_uri: artifactUri, lifecycle_stage: 'active' }, data: {} } });
    }
    const schema = (schemas as Record<string, z.ZodType>)[endpoint];
    if (!schema) return bad(res, `unknown endpoint ${endpoint}`);
    if (!/^application\/json/.test(req.headers['content-type'] ?? '')) return bad(res, `${endpoint} without a JSON content type`);
    let parsedJson: unknown;
    try {
      parsedJson = JSON.parse(raw.toString('utf8'));
    } catch {
      return bad(res, `${endpoint}: body is not JSON`);
    }
    const parsed = schema.safeParse(parsedJson);
    if (!parsed.success) return bad(res, `${endpoint}: ${parsed.error.issues.map((i) => `${i.path.join('.')} ${i.message}`).join('; ')}`);
    const b = parsed.data as Record<string, any>;
    switch (endpoint) {
      case 'POST experiments/create': {
        if (experiments.has(b.name)) return reply(res, 400, { error_code: 'RESOURCE_ALREADY_EXISTS', message: 'exists' });
        const id = String(nextId++);
        experiments.set(b.name, id);
        return reply(res, 200, { experiment_id: id });
      }
      case 'POST runs/create': {
        if (![...experiments.values()].includes(b.experiment_id)) return bad(res, `runs/create: no experiment ${b.experiment_id}`);
        const runId = (nextId++).toString(16).padStart(32, '0');
        const run: FakeMlflowRun = {
          runId,
          experimentId: b.experiment_id,
          name: b.run_name,
          tags: new Map((b.tags ?? []).map((t: { key: string; value: string }) => [t.key, t.value])),
          params: new Map(),
          metrics: [],
          status: 'RUNNING',
          endTime: undefined,
          artifacts: new Map(),
        };
        runs.set(runId, run);
        const artifactUri = `mlflow-artifacts:/${b.experiment_id}/${runId}/artifacts`;
        return reply(res, 200, { run: { info: { run_id: runId, run_uuid: runId, experiment_id: b.experiment_id, run_name: b.run_name, status: 'RUNNING', start_time: b.start_time, artifact_uri: artifactUri, lifecycle_stage: 'active' }, data: {} } });
      }
      case 'POST runs/log-batch': {
        const run = runs.get(b.run_id);
        if (!run) return bad(res, `runs/log-batch: no run ${b.run_id}`);
        if (run.status !== 'RUNNING') return bad(res, 'runs/log-batch on a finished run');
        for (const p of b.params ?? []) {
          const old = run.params.get(p.key);
          if (old !== undefined && old !== p.value) return bad(res, `param ${p.key} changed from ${old} to ${p.value}`);
          run.params.set(p.key, p.value);
        }
        for (const m of b.metrics ?? []) run.metrics.push({ key: m.key, value: m.value, step: m.step, timestamp: m.timestamp });
        return reply(res, 200, {});
      }
      case 'POST runs/update': {
        const run = runs.get(b.run_id);
        if (!run) return bad(res, `runs/update: no run ${b.run_id}`);
        if (b.status) run.status = b.status;
        run.endTime = b.end_time;
        return reply(res, 200, { run_info: { run_id: run.runId, status: run.status } });
      }
    }
    return bad(res, `unhandled ${endpoint}`);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    experiments,
    runs,
    violations,
    calls,
    authorization,
    failNext(n) {
      failing = n;
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
