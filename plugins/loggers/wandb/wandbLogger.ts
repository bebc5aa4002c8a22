import { randomBytes } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { PermanentLoggerError, type RunLogger } from '../../../core/contracts/RunLogger.js';
import { apiKeyFromEnv, finiteMetrics, trackerRequest, type FetchLike } from '../shared/trackerRequest.js';
import { readTrackerState, writeTrackerState } from '../shared/trackerRunState.js';

export interface CreateWandbLoggerOptions {
  readonly project: string;
  readonly entity?: string;
  readonly baseURL?: string;
  readonly apiKeyEnv?: string;
  readonly runName?: string;
  readonly group?: string;
  readonly tags?: readonly string[];
  readonly files?: boolean;
  readonly timeoutMs?: number;
  readonly fetch?: FetchLike;
}

const VIEWER = 'query Viewer { viewer { id entity } }';
const UPSERT_RUN = `mutation UpsertBucket($id: String, $name: String, $project: String, $entity: String, $groupName: String, $displayName: String, $config: JSONString, $tags: [String!], $jobType: String) {
  upsertBucket(input: { id: $id, name: $name, modelName: $project, entityName: $entity, groupName: $groupName, displayName: $displayName, config: $config, tags: $tags, jobType: $jobType }) {
    bucket { id name project { name entity { name } } }
  }
}`;
const UPLOAD_URLS = `query RunUploadUrls($name: String!, $files: [String]!, $entity: String, $run: String!) {
  model(name: $name, entityName: $entity) { bucket(name: $run) { id files(names: $files) { uploadHeaders edges { node { name url(upload: true) } } } } }
}`;

/**
 * A Weights & Biases run over W&B's public HTTP API (the one its own SDKs use): the run through the GraphQL
 * `upsertBucket` mutation with the resolved config, one history line per step through the run's file stream,
 * report.html and the resolved config as run files through upload URLs, and the exit status at the end.
 * (`@wandb/sdk` for Node keeps one global run per process and retries inside for minutes, so it is not used.)
 */
export function createWandbLogger(o: CreateWandbLoggerOptions): RunLogger {
  const fetchFn = o.fetch ?? fetch;
  const base = (o.baseURL ?? 'https://api.wandb.ai').replace(/\/+$/, '');
  const timeoutMs = o.timeoutMs ?? 10_000;
  const envName = o.apiKeyEnv ?? 'WANDB_API_KEY';
  // Run ids are 8 lowercase letters/digits, like the SDKs make.
  let runId = [...randomBytes(8)].map((b) => 'abcdefghijklmnopqrstuvwxyz0123456789'[b % 36]).join('');
  let runDir: string | undefined;
  let entity = o.entity;
  let started = 0;
  let historyOffset = 0;
  let summary: Record<string, number> = {};

  const auth = () => {
    const key = apiKeyFromEnv(envName);
    if (!key) throw new PermanentLoggerError(`no W&B API key: set the environment variable ${envName}`);
    return `Basic ${Buffer.from(`api:${key}`).toString('base64')}`;
  };
  const graphql = async <T>(query: string, variables: Record<string, unknown>): Promise<T> => {
    const res = await trackerRequest(fetchFn, `${base}/graphql`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: auth() },
      body: JSON.stringify({ query, variables }),
      timeoutMs,
    });
    const json = (await res.json()) as { data?: T; errors?: Array<{ message: string }> };
    if (json.errors?.length) throw new Error(`W&B GraphQL: ${json.errors.map((e) => e.message).join('; ')}`);
    if (!json.data) throw new Error('W&B GraphQL: no data in the response');
    return json.data;
  };
  const fileStream = async (body: unknown) => {
    await trackerRequest(fetchFn, `${base}/files/${encodeURIComponent(entity!)}/${encodeURIComponent(o.project)}/${runId}/file_stream`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: auth() },
      body: JSON.stringify(body),
      timeoutMs,
    });
  };

  return {
    name: 'wandb',
    background: true,
    async start(info) {
      if (!entity) {
        const viewer = await graphql<{ viewer: { entity: string | null } | null }>(VIEWER, {});
        if (!viewer.viewer?.entity) throw new PermanentLoggerError('W&B: the API key has no default entity; set `entity` in the wandb logger');
        entity = viewer.viewer.entity;
      }
      runDir = info.runDir;
      // A resume continues the run the first start made (upsertBucket on the same name), after its history lines.
      const saved = await readTrackerState(info.runDir, 'wandb');
      if (saved) {
        runId = saved.runId;
        historyOffset = saved.historyOffset ?? 0;
        summary = { ...(saved.summary ?? {}) };
      }
      // W&B stores config values as { value, desc }.
      const config = Object.fromEntries(Object.entries(info.config).map(([k, v]) => [k, { value: v, desc: null }]));
      await graphql(UPSERT_RUN, {
        name: runId,
        project: o.project,
        entity,
        displayName: o.runName ?? info.runName,
        ...(o.group ? { groupName: o.group } : {}),
        config: JSON.stringify(config),
        tags: [...(o.tags ?? [])],
        jobType: 'train',
      });
      started = Date.now();
      if (!saved) await writeTrackerState(info.runDir, 'wandb', { runId, historyOffset, summary });
    },
    async log(step, metrics) {
      const values = Object.fromEntries(finiteMetrics(metrics));
      summary = { ...summary, ...values };
      const line = { ...values, _step: step, _runtime: (Date.now() - started) / 1000, _timestamp: Date.now() / 1000 };
      // The same offset on a retry overwrites the line instead of adding a second one.
      await fileStream({
        files: {
          'wandb-history.jsonl': { offset: historyOffset, content: [JSON.stringify(line)] },
          'wandb-summary.json': { offset: 0, content: [JSON.stringify(summary)] },
        },
      });
      historyOffset++;
      if (runDir) await writeTrackerState(runDir, 'wandb', { runId, historyOffset, summary });
    },
    async finish(end) {
      if (o.files !== false && end.artifacts.length) {
        const data = await graphql<{
          model: { bucket: { files: { uploadHeaders?: string[]; edges: Array<{ node: { name: string; url: string } }> } } | null } | null;
        }>(UPLOAD_URLS, { name: o.project, entity, run: runId, files: end.artifacts.map((a) => a.name) });
        const files = data.model?.bucket?.files;
        if (!files) throw new Error('W&B: no upload URLs for the run files');
        const extra = Object.fromEntries((files.uploadHeaders ?? []).map((h) => h.split(/:(.*)/s).map((s) => s.trim()) as [string, string]));
        for (const a of end.artifacts) {
          const node = files.edges.find((e) => e.node.name === a.name)?.node;
          if (!node) throw new Error(`W&B: no upload URL for ${a.name}`);
          await trackerRequest(fetchFn, node.url, { method: 'PUT', headers: extra, body: await readFile(a.path), timeoutMs });
        }
      }
      await fileStream({ complete: true, exitcode: end.status === 'finished' ? 0 : 1 });
    },
  };
}
