import { readFile } from 'node:fs/promises';
import { PermanentLoggerError, type RunLogger } from '../../../core/contracts/RunLogger.js';
import { apiKeyFromEnv, finiteMetrics, flattenConfig, trackerRequest, type FetchLike } from '../shared/trackerRequest.js';
import { readTrackerState, writeTrackerState } from '../shared/trackerRunState.js';

export interface CreateMlflowLoggerOptions {
  readonly baseURL: string;
  readonly experiment?: string;
  readonly runName?: string;
  /** Name of the environment variable with a bearer token (optional). */
  readonly apiKeyEnv?: string;
  readonly tags?: Readonly<Record<string, string>>;
  readonly artifacts?: boolean;
  readonly timeoutMs?: number;
  readonly fetch?: FetchLike;
}

// MLflow's limits for one runs/log-batch call (REST API reference): 1000 metrics, 100 params, 1000 entities in all.
const MAX_METRICS = 1000;
const MAX_PARAMS = 100;
const MAX_PARAM_VALUE = 6000;
const MAX_KEY = 250;

const STATUS = { finished: 'FINISHED', interrupted: 'KILLED', failed: 'FAILED' } as const;

/**
 * An MLflow run over the tracking server's REST API (2.0): the experiment by name (created when missing), a run with
 * the resolved config as params, metrics per step through runs/log-batch, report.html and the resolved config as
 * artifacts through the `mlflow-artifacts` proxy, and the final status through runs/update. The run id is kept in the
 * run directory (`trackers/mlflow.json`): a resumed run is set back to RUNNING and logs into the same MLflow run.
 */
export function createMlflowLogger(o: CreateMlflowLoggerOptions): RunLogger {
  const fetchFn = o.fetch ?? fetch;
  const base = o.baseURL.replace(/\/+$/, '');
  const timeoutMs = o.timeoutMs ?? 10_000;
  const token = apiKeyFromEnv(o.apiKeyEnv);
  const headers = { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) };
  let runId: string | undefined;
  let artifactUri: string | undefined;
  let paramsSent = false;
  let params: Array<{ key: string; value: string }> = [];

  const api = async <T>(method: 'GET' | 'POST', path: string, body?: unknown): Promise<T> => {
    const res = await trackerRequest(fetchFn, `${base}/api/2.0/mlflow/${path}`, {
      method,
      headers,
      ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
      timeoutMs,
    });
    return (await res.json()) as T;
  };

  const experimentId = async (name: string): Promise<string> => {
    const res = await fetchFn(`${base}/api/2.0/mlflow/experiments/get-by-name?experiment_name=${encodeURIComponent(name)}`, {
      headers,
      signal: AbortSignal.timeout(timeoutMs),
    });
    if (res.ok) return ((await res.json()) as { experiment: { experiment_id: string } }).experiment.experiment_id;
    const err = (await res.json().catch(() => ({}))) as { error_code?: string };
    if (res.status !== 404 || err.error_code !== 'RESOURCE_DOES_NOT_EXIST') {
      throw new Error(`GET experiments/get-by-name → HTTP ${res.status} ${err.error_code ?? ''}`.trim());
    }
    try {
      return (await api<{ experiment_id: string }>('POST', 'experiments/create', { name })).experiment_id;
    } catch (e) {
      // Another process created it in between.
      if (/RESOURCE_ALREADY_EXISTS/.test((e as Error).message)) return experimentId(name);
      throw e;
    }
  };

  const sendParams = async () => {
    if (paramsSent || !runId) return;
    for (let i = 0; i < params.length; i += MAX_PARAMS) {
      await api('POST', 'runs/log-batch', { run_id: runId, params: params.slice(i, i + MAX_PARAMS) });
    }
    paramsSent = true;
  };

  return {
    name: 'mlflow',
    background: true,
    async start(info) {
      if (!runId) {
        const saved = await readTrackerState(info.runDir, 'mlflow');
        if (saved) {
          // A resume: params were logged by the first start (MLflow refuses to change a logged param).
          const got = await api<{ run: { info: { run_id: string; artifact_uri?: string } } }>('GET', `runs/get?run_id=${encodeURIComponent(saved.runId)}`);
          runId = saved.runId;
          artifactUri = got.run.info.artifact_uri;
          paramsSent = true;
          await api('POST', 'runs/update', { run_id: runId, status: 'RUNNING' });
          return;
        }
        const exp = await experimentId(o.experiment ?? info.pipelineName);
        const name = o.runName ?? info.runName;
        const tags = { 'mlflow.runName': name, 'mlflow.source.name': 'mappa', 'mappa.run_dir': info.runDir, ...(o.tags ?? {}) };
        const created = await api<{ run: { info: { run_id: string; artifact_uri?: string } } }>('POST', 'runs/create', {
          experiment_id: exp,
          run_name: name,
          start_time: Date.now(),
          tags: Object.entries(tags).map(([key, value]) => ({ key, value })),
        });
        runId = created.run.info.run_id;
        artifactUri = created.run.info.artifact_uri;
        await writeTrackerState(info.runDir, 'mlflow', { runId });
        params = Object.entries(flattenConfig(info.config))
          .filter(([k]) => k.length <= MAX_KEY)
          .map(([key, value]) => ({ key, value: value.length > MAX_PARAM_VALUE ? `${value.slice(0, MAX_PARAM_VALUE - 15)}…[truncated]` : value }));
      }
      await sendParams();
    },
    async log(step, metrics) {
      const timestamp = Date.now();
      const all = finiteMetrics(metrics).map(([key, value]) => ({ key, value, timestamp, step }));
      for (let i = 0; i < all.length; i += MAX_METRICS) {
        await api('POST', 'runs/log-batch', { run_id: runId, metrics: all.slice(i, i + MAX_METRICS) });
      }
    },
    async finish(end) {
      if (o.artifacts !== false && end.artifacts.length) {
        const m = artifactUri ? /^mlflow-artifacts:\/*(.*)$/.exec(artifactUri) : null;
        if (!m) {
          throw new PermanentLoggerError(
            `the run's artifact store (${artifactUri ?? 'none'}) is not served by the tracking server; start it with --serve-artifacts or set artifacts: false`,
          );
        }
        for (const a of end.artifacts) {
          const url = `${base}/api/2.0/mlflow-artifacts/artifacts/${m[1]!.replace(/\/+$/, '')}/${encodeURIComponent(a.name)}`;
          await trackerRequest(fetchFn, url, {
            method: 'PUT',
            headers: { ...(token ? { authorization: `Bearer ${token}` } : {}), 'content-type': 'application/octet-stream' },
            body: await readFile(a.path),
            timeoutMs,
          });
        }
      }
      await api('POST', 'runs/update', { run_id: runId, status: STATUS[end.status], end_time: Date.now() });
    },
  };
}
