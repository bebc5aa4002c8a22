import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { z } from 'zod';

/**
 * A loopback W&B API: `POST /graphql` (viewer, upsertBucket, RunUploadUrls — checked by operation and variables),
 * `POST /files/<entity>/<project>/<run>/file_stream` (history lines at offsets, summary, completion) and upload URLs
 * that accept `PUT`. Requests must carry `Basic base64(api:<key>)`. Anything off-protocol lands in `violations`.
 */
export interface FakeWandbRun {
  readonly entity: string;
  readonly project: string;
  readonly name: string;
  displayName: string | undefined;
  config: Record<string, { value: unknown; desc: unknown }>;
  tags: string[];
  /** History lines by offset (a resent offset overwrites, as on the real file stream). */
  readonly history: Map<number, Record<string, unknown>>;
  summary: Record<string, unknown>;
  complete: { exitcode: number } | undefined;
  readonly files: Map<string, Buffer>;
}

export interface FakeWandbServer {
  readonly url: string;
  readonly runs: Map<string, FakeWandbRun>;
  readonly violations: string[];
  readonly authorization: Array<string | undefined>;
  close(): Promise<void>;
}

const upsertVars = z.strictObject({
  name: z.string().regex(/^[a-z0-9]{8}$/),
  project: z.string().min(1),
  entity: z.string().min(1),
  displayName: z.string().optional(),
  groupName: z.string().optional(),
  config: z.string(),
  tags: z.array(z.string()),
  jobType: z.string().optional(),
});
const uploadVars = z.strictObject({ name: z.string(), entity: z.string(), run: z.string(), files: z.array(z.string()).min(1) });
const chunk = z.strictObject({ offset: z.number().int().min(0), content: z.array(z.string()) });
const streamBody = z.union([
  z.strictObject({ files: z.partialRecord(z.enum(['wandb-history.jsonl', 'wandb-summary.json', 'output.log', 'wandb-events.jsonl']), chunk) }),
  z.strictObject({ complete: z.literal(true), exitcode: z.number().int() }),
]);

async function readBody(req: IncomingMessage): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const c of req) chunks.push(c as Buffer);
  return Buffer.concat(chunks);
}

export async function startFakeWandbServer(o: { apiKey: string; entity: string }): Promise<FakeWandbServer> {
  const runs = new Map<string, FakeWandbRun>();
  const violations: string[] = [];
  const authorization: Array<string | undefined> = [];
  const expectedAuth = `Basic ${Buffer.from(`api:${o.apiKey}`).toString('base64')}`;
  let url = '';
  const json = (res: ServerResponse, status: number, body: unknown) => {
    res.writeHead(status, { 'content-type': 'application/json' });
    res.end(JSON.stringify(body));
  };
  const bad = (res: ServerResponse, what: string) => {
    violations.push(what);
    json(res, 400, { error: what });
  };
  const server = createServer(async (req, res) => {
    const path = new URL(req.url ?? '/', 'http://127.0.0.1').pathname;
    const raw = await readBody(req);
    const upload = /^\/upload\/([^/]+)\/(.+)$/.exec(path);
    if (upload) {
      if (req.method !== 'PUT') return bad(res, `upload with ${req.method}`);
      const run = runs.get(upload[1]!);
      if (!run) return bad(res, `upload for unknown run ${upload[1]}`);
      run.files.set(decodeURIComponent(upload[2]!), raw);
      res.writeHead(200).end();
      return;
    }
    authorization.push(req.headers.authorization);
    if (req.headers.authorization !== expectedAuth) return json(res, 401, { error: 'unauthorized' });
    let body: any;
    try {
      body = JSON.parse(raw.toString('utf8'));
    } catch {
      return bad(res, `${path}: body is not JSON`);
    }
    if (req.method === 'POST' && path === '/graphql') {
      const q = String(body?.query ?? '');
      const op = /^\s*(query|mutation)\s+(\w+)/.exec(q)?.[2];
      if (op === 'Viewer') return json(res, 200, { data: { viewer: { id: 'u1', entity: o.entity } } });
      if (op === 'UpsertBucket') {
        if (!/upsertBucket\(input:/.test(q) || !/modelName: \$project/.test(q) || !/entityName: \$entity/.test(q)) return bad(res, 'upsertBucket without its input fields');
        const v = upsertVars.safeParse(body.variables);
        if (!v.success) return bad(res, `UpsertBucket variables: ${v.error.issues.map((i) => `${i.path.join('.')} ${i.message}`).join('; ')}`);
        let config: FakeWandbRun['config'];
        try {
          config = JSON.parse(v.data.config);
        } catch {
          return bad(res, 'config is not a JSON string');
        }
        if (Object.values(config).some((c) => typeof c !== 'object' || c === null || !('value' in c))) return bad(res, 'config values must be { value, desc }');
        const run: FakeWandbRun = runs.get(v.data.name) ?? {
          entity: v.data.entity,
          project: v.data.project,
          name: v.data.name,
          displayName: undefined,
          config: {},
          tags: [],
          history: new Map(),
          summary: {},
          complete: undefined,
          files: new Map(),
        };
        run.displayName = v.data.displayName;
        run.config = config;
        run.tags = v.data.tags;
        runs.set(v.data.name, run);
        return json(res, 200, { data: { upsertBucket: { bucket: { id: `b-${run.name}`, name: run.name, project: { name: run.project, entity: { name: run.entity } } } } } });
      }
      if (op === 'RunUploadUrls') {
        const v = uploadVars.safeParse(body.variables);
        if (!v.success) return bad(res, `RunUploadUrls variables: ${v.error.message}`);
        if (!runs.has(v.data.run)) return bad(res, `RunUploadUrls for unknown run ${v.data.run}`);
        const edges = v.data.files.map((name) => ({ node: { name, url: `${url}/upload/${v.data.run}/${encodeURIComponent(name)}` } }));
        return json(res, 200, { data: { model: { bucket: { id: 'b', files: { uploadHeaders: [], edges } } } } });
      }
      return bad(res, `unknown GraphQL operation ${op}`);
    }
    const fs = /^\/files\/([^/]+)\/([^/]+)\/([^/]+)\/file_stream$/.exec(path);
    if (req.method === 'POST' && fs) {
      const run = runs.get(fs[3]!);
      if (!run || run.entity !== decodeURIComponent(fs[1]!) || run.project !== decodeURIComponent(fs[2]!)) return bad(res, `file_stream for unknown run ${path}`);
      const v = streamBody.safeParse(body);
      if (!v.success) return bad(res, `file_stream body: ${v.error.message}`);
      if ('complete' in v.data) run.complete = { exitcode: v.data.exitcode };
      else {
        for (const [file, c] of Object.entries(v.data.files)) {
          if (file === 'wandb-history.jsonl') c.content.forEach((line, i) => run.history.set(c.offset + i, JSON.parse(line)));
          if (file === 'wandb-summary.json') run.summary = JSON.parse(c.content.at(-1) ?? '{}');
        }
      }
      return json(res, 200, { exitcode: null, limits: {} });
    }
    return bad(res, `unknown endpoint ${req.method} ${path}`);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    url,
    runs,
    violations,
    authorization,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
