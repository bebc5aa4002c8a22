import { existsSync } from 'node:fs';
import { isAbsolute, resolve } from 'node:path';
import type { AgentSpec } from '../contracts/AgentSpec.js';
import { loadPluginModule } from '../plugins/loadPluginModule.js';
import type { PluginRef } from '../plugins/pluginRef.js';
import type { PluginRegistry } from '../plugins/PluginRegistry.js';
import { validatePluginRef } from '../plugins/validatePluginRef.js';
import { didYouMean } from '../util/didYouMean.js';
import type { ValidationIssue } from '../util/ValidationIssue.js';
import { zodIssues } from '../util/zodIssues.js';
import { agentOrder } from './agentOrder.js';
import { PipelineSpecSchema, type PipelineSpec } from './PipelineSpec.js';
import type { ResolvedPipeline } from './ResolvedPipeline.js';

export interface ValidateOptions {
  readonly registry: PluginRegistry;
  /** Directory relative paths resolve against (the pipeline file's directory). */
  readonly baseDir: string;
  readonly file?: string;
}

export type ValidationResult =
  | { readonly ok: true; readonly pipeline: ResolvedPipeline; readonly warnings: readonly ValidationIssue[] }
  | { readonly ok: false; readonly issues: readonly ValidationIssue[] };

const SECRET_FIELD = /^(api[_-]?key|apikey|secret|token|password)$/i;

function findSecrets(value: unknown, path: string, out: ValidationIssue[]): void {
  if (Array.isArray(value)) value.forEach((v, i) => findSecrets(v, `${path}[${i}]`, out));
  else if (value !== null && typeof value === 'object') {
    for (const [k, v] of Object.entries(value)) {
      const p = path ? `${path}.${k}` : k;
      if (SECRET_FIELD.test(k) && typeof v === 'string' && v.length > 0) {
        out.push({
          path: p,
          message: 'secrets must not be written in pipeline files',
          hint: `API keys come only from the environment: remove "${k}" and set e.g. \`apiKeyEnv: OPENAI_API_KEY\``,
        });
      } else findSecrets(v, p, out);
    }
  }
}

/**
 * Sorts issues in file order (by top-level section, then path) and drops an "unknown field" issue where the same
 * path already has a more specific one (e.g. a secret written in the file).
 */
function orderIssues(issues: ValidationIssue[], raw: Record<string, unknown>): ValidationIssue[] {
  const specific = new Set(issues.filter((i) => !i.message.startsWith('unknown field')).map((i) => i.path));
  const kept = issues.filter((i) => !(i.message.startsWith('unknown field') && specific.has(i.path)));
  const sections = Object.keys(raw);
  const rank = (p: string) => {
    const top = /^[^.[]+/.exec(p)?.[0] ?? p;
    const i = sections.indexOf(top);
    return i < 0 ? sections.length : i;
  };
  const pathKey = (p: string) => p.replace(/\[(\d+)\]/g, (_, n: string) => `[${n.padStart(6, '0')}]`);
  return kept
    .map((issue, index) => ({ issue, index }))
    .sort((a, b) => rank(a.issue.path) - rank(b.issue.path) || pathKey(a.issue.path).localeCompare(pathKey(b.issue.path)) || a.index - b.index)
    .map((x) => x.issue);
}

/**
 * Checks an agent's `tools` list: plugin references are validated as `tool` plugins, bare names of tool plugins become
 * function tools unless the environment declares that it runs that name itself (other names stay environment tools), and two tools with the same name are reported at the later one.
 */
export function validateAgentTools(
  registry: PluginRegistry,
  entries: readonly unknown[],
  path: string,
  issues: ValidationIssue[],
  environmentTools?: ReadonlySet<string>,
): Array<{ ref: PluginRef; path: string; bareName?: string }> {
  const refs: Array<{ ref: PluginRef; path: string; bareName?: string }> = [];
  const names = new Map<string, string>();
  entries.forEach((entry, j) => {
    const at = `${path}[${j}]`;
    let ref: PluginRef | undefined;
    if (typeof entry === 'string') {
      if (!environmentTools?.has(entry) && registry.get('tool', entry)) ref = { use: entry };
    } else if (entry && typeof entry === 'object') ref = entry as PluginRef;
    if (!ref) return;
    const checked = validatePluginRef(registry, 'tool', ref, at, issues);
    if (!checked?.definition || checked.config === undefined) return;
    refs.push({ ref, path: at, ...(typeof entry === 'string' ? { bareName: entry } : {}) });
    const provided = checked.definition.capabilities?.toolNames?.(checked.config);
    for (const name of provided ?? []) {
      const other = names.get(name);
      if (other) issues.push({ path: at, message: `tool name "${name}" clashes with ${other}`, hint: 'give one of them another `name:` (or an MCP `prefix:`)' });
      else names.set(name, at);
    }
  });
  return refs;
}

/**
 * Validates a pipeline before any work starts. Every problem is collected (not just the first), each with its
 * path and, where possible, a hint. Third-party plugins listed under `plugins:` are loaded into the registry first.
 */
export async function validatePipeline(raw: unknown, options: ValidateOptions): Promise<ValidationResult> {
  const { registry, baseDir } = options;
  const issues: ValidationIssue[] = [];
  const warnings: ValidationIssue[] = [];
  const rawObj = (raw !== null && typeof raw === 'object' ? raw : {}) as Record<string, unknown>;
  if (raw === null || typeof raw !== 'object' || Array.isArray(raw)) {
    return { ok: false, issues: [{ path: '(root)', message: 'a pipeline must be a mapping (YAML object)' }] };
  }

  // 1. Third-party plugins, so their names resolve below.
  if (Array.isArray(rawObj['plugins'])) {
    for (const [i, spec] of (rawObj['plugins'] as unknown[]).entries()) {
      if (typeof spec !== 'string') continue;
      try {
        registry.registerAll(await loadPluginModule(spec, baseDir), spec);
      } catch (err) {
        const e = err as Error & { hint?: string };
        issues.push({ path: `plugins[${i}]`, message: e.message, ...(e.hint ? { hint: e.hint } : {}) });
      }
    }
  }

  // 2. Structure.
  const parsed = PipelineSpecSchema.safeParse(raw, { reportInput: true });
  if (!parsed.success) issues.push(...zodIssues(parsed.error, PipelineSpecSchema, ''));
  findSecrets(raw, '', issues);

  // 3. Plugin references (checked on the raw object so problems are reported even when the structure has others).
  validatePluginRef(registry, 'tasks', rawObj['tasks'], 'tasks', issues);
  const envDef = validatePluginRef(registry, 'environment', rawObj['environment'], 'environment', issues);
  const declared = envDef?.config !== undefined ? envDef.definition?.capabilities?.environmentTools?.(envDef.config) : undefined;
  const envTools = declared ? new Set(declared) : undefined;
  validatePluginRef(registry, 'coach', rawObj['coach'], 'coach', issues);
  const trainerDef = rawObj['trainer'] === undefined ? undefined : validatePluginRef(registry, 'trainer', rawObj['trainer'], 'trainer', issues);
  const rawRun = rawObj['run'] as Record<string, unknown> | undefined;
  const rawLoggers = rawRun && typeof rawRun === 'object' ? rawRun['loggers'] : undefined;
  if (Array.isArray(rawLoggers)) {
    rawLoggers.forEach((ref, i) => validatePluginRef(registry, 'logger', ref, `run.loggers[${i}]`, issues));
    // metrics.jsonl is what resume and `mappa report` read; without it a run could not be continued or reported.
    if (!rawLoggers.some((r) => (r as { use?: unknown } | null)?.use === 'jsonl')) {
      issues.push({
        path: 'run.loggers',
        message: 'the jsonl logger is missing: resume and the report read metrics.jsonl',
        hint: 'keep `{ use: jsonl }` in run.loggers next to the trackers you add',
      });
    }
  }
  // One-step overlap moves the local trainer to its own process; without a local trainer there is nothing to overlap.
  if (rawRun && typeof rawRun === 'object' && rawRun['overlap'] === 'one-step') {
    if (rawObj['trainer'] === undefined) {
      issues.push({ path: 'run.overlap', message: 'run.overlap: one-step overlaps rollouts with the update, but the pipeline has no trainer', hint: 'add a trainer, or drop run.overlap' });
    } else if ((rawObj['trainer'] as { use?: unknown } | null)?.use === 'external') {
      issues.push({
        path: 'run.overlap',
        message: 'run.overlap: one-step needs a local trainer (the external trainer updates the served weights itself)',
        hint: 'drop run.overlap, or train with reinforce++ / grpo on local policies',
      });
    }
  }
  const rawWarm = rawObj['warmStart'] as Record<string, unknown> | undefined;
  const warmTrainerDef =
    rawWarm && typeof rawWarm === 'object'
      ? (validatePluginRef(registry, 'demonstrations', rawWarm['demonstrations'], 'warmStart.demonstrations', issues),
        validatePluginRef(registry, 'trainer', rawWarm['trainer'] ?? { use: 'sft' }, 'warmStart.trainer', issues))
      : undefined;
  const policyDefs = new Map<string, ReturnType<typeof validatePluginRef>>();
  const rawPolicies = (rawObj['policies'] ?? {}) as Record<string, unknown>;
  if (rawPolicies && typeof rawPolicies === 'object') {
    for (const [name, ref] of Object.entries(rawPolicies)) policyDefs.set(name, validatePluginRef(registry, 'policy', ref, `policies.${name}`, issues));
  }

  // 4. Agents.
  const rawAgents = Array.isArray(rawObj['agents']) ? (rawObj['agents'] as Array<Record<string, unknown>>) : [];
  const seen = new Map<string, number>();
  const agentToolRefs = new Map<number, Array<{ ref: PluginRef; path: string; bareName?: string }>>();
  rawAgents.forEach((agent, i) => {
    if (agent === null || typeof agent !== 'object') return;
    const id = agent['id'];
    if (typeof id === 'string') {
      if (seen.has(id)) issues.push({ path: `agents[${i}].id`, message: `duplicate agent id "${id}" (also agents[${seen.get(id)}])` });
      else seen.set(id, i);
    }
    const policy = agent['policy'];
    if (typeof policy === 'string') {
      if (!(policy in rawPolicies)) {
        const guess = didYouMean(policy, Object.keys(rawPolicies));
        issues.push({
          path: `agents[${i}].policy`,
          message: `unknown policy "${policy}"`,
          hint: guess ? `did you mean "${guess}"?` : `declare it under \`policies:\` or write it inline as { use: <plugin>, ... }`,
        });
      }
    } else if (policy && typeof policy === 'object') {
      policyDefs.set(`${String(id)}`, validatePluginRef(registry, 'policy', policy, `agents[${i}].policy`, issues));
    }
    if (Array.isArray(agent['tools'])) agentToolRefs.set(i, validateAgentTools(registry, agent['tools'] as unknown[], `agents[${i}].tools`, issues, envTools));
    const prompt = agent['prompt'];
    if (typeof prompt === 'string' && !existsSync(resolve(baseDir, prompt))) {
      issues.push({ path: `agents[${i}].prompt`, message: `prompt template not found: ${resolve(baseDir, prompt)}`, hint: 'paths are relative to the pipeline file' });
    }
  });
  const nodes = rawAgents
    .filter((a) => a && typeof a === 'object' && typeof a['id'] === 'string')
    .map((a, i, all) => ({
      id: a['id'] as string,
      reads: Array.isArray(a['reads']) ? (a['reads'] as unknown[]).filter((r): r is string => typeof r === 'string') : i > 0 ? [all[i - 1]!['id'] as string] : [],
    }));
  const { order, issues: graphIssues } = agentOrder(nodes);
  issues.push(...graphIssues);

  // 5. Trainers against policies.
  for (const [def, where] of [
    [trainerDef?.definition, 'trainer'],
    [warmTrainerDef?.definition, 'warmStart.trainer'],
  ] as const) {
    if (!def?.capabilities?.requiresTrainablePolicy) continue;
    rawAgents.forEach((agent, i) => {
      if (!agent || typeof agent !== 'object' || agent['train'] === false) return;
      const policyName = typeof agent['policy'] === 'string' ? (agent['policy'] as string) : String(agent['id']);
      const policyDef = policyDefs.get(policyName)?.definition;
      if (policyDef && policyDef.capabilities?.trainable !== true) {
        issues.push({
          path: `agents[${i}].policy`,
          message: `${where} "${def.name}" cannot train policy "${policyName}" (${policyDef.name}): ${policyDef.capabilities?.notTrainableReason ?? 'this policy plugin is not trainable in this process'}`,
          hint: `use a trainable policy (e.g. tfjs-transformer), set \`train: false\` on this agent, or remove \`${where}\``,
        });
      }
    });
  }

  // A trainer outside this process (`external`) needs policies whose served weights it can replace.
  const externalDef = trainerDef?.definition;
  if (externalDef?.capabilities?.requiresExternallyTrainablePolicy) {
    rawAgents.forEach((agent, i) => {
      if (!agent || typeof agent !== 'object' || agent['train'] === false) return;
      const policyName = typeof agent['policy'] === 'string' ? (agent['policy'] as string) : String(agent['id']);
      const policyDef = policyDefs.get(policyName)?.definition;
      if (!policyDef) return;
      const ext = policyDef.capabilities?.externallyTrainable;
      if (!ext) {
        issues.push({
          path: `agents[${i}].policy`,
          message: `trainer "${externalDef.name}" cannot train policy "${policyName}" (${policyDef.name}): it trains policies served by a server that can reload weights (openai-compatible)`,
          hint: policyDef.capabilities?.trainable
            ? `train this ${policyDef.name} policy in-process (trainer: reinforce++), or serve it with \`mappa serve\` and use an openai-compatible policy`
            : `set \`train: false\` on this agent, or use an openai-compatible policy served by vLLM (--enable-lora) or \`mappa serve\``,
        });
        return;
      }
      const policyPath = typeof agent['policy'] === 'string' ? `policies.${policyName}` : `agents[${i}].policy`;
      const cfg = (typeof agent['policy'] === 'string' ? rawPolicies[policyName] : agent['policy']) as Record<string, unknown> | undefined;
      for (const req of ext.requires ?? []) {
        const value = cfg?.[req.field];
        if (cfg && (req.equals === undefined ? value === undefined : value !== req.equals)) {
          issues.push({
            path: `${policyPath}.${req.field}`,
            message: `trainer "${externalDef.name}" needs \`${req.field}${req.equals === undefined ? '' : `: ${JSON.stringify(req.equals)}`}\` on policy "${policyName}": ${req.why}`,
            hint: req.equals === undefined ? `e.g. ${req.field}: ./weights/${policyName} (relative to the pipeline file)` : `set ${req.field}: ${JSON.stringify(req.equals)}`,
          });
        }
      }
    });
  }

  if (issues.length > 0 || !parsed.success) return { ok: false, issues: orderIssues(issues, rawObj) };

  // 6. Resolve.
  const spec: PipelineSpec = parsed.data;
  const policies: Record<string, PluginRef> = { ...spec.policies };
  const policyPaths: Record<string, string> = Object.fromEntries(Object.keys(spec.policies).map((n) => [n, `policies.${n}`]));
  const byId = new Map(spec.agents.map((a, i) => [a.id, { decl: a, index: i }]));
  const sinks = new Set(spec.agents.map((a) => a.id));
  for (const n of nodes) for (const r of n.reads) sinks.delete(r);
  const agents: AgentSpec[] = order.map((id) => {
    const { decl, index } = byId.get(id)!;
    let policyId: string;
    if (typeof decl.policy === 'string') policyId = decl.policy;
    else {
      policyId = decl.id;
      policies[policyId] = decl.policy as PluginRef;
      policyPaths[policyId] = `agents[${index}].policy`;
    }
    const node = nodes.find((x) => x.id === id)!;
    return {
      id: decl.id,
      role: decl.role,
      policyId,
      promptFile: isAbsolute(decl.prompt) ? decl.prompt : resolve(baseDir, decl.prompt),
      // A bare name that became a function tool stays an environment tool too, unless the environment declares the
      // names it runs (then it would only look for code blocks it does not own).
      tools: decl.tools.filter((t, j): t is string => typeof t === 'string' && !(envTools && agentToolRefs.get(index)?.some((r) => r.path === `agents[${index}].tools[${j}]`))),
      ...(agentToolRefs.get(index)?.length ? { toolRefs: agentToolRefs.get(index)!.map(({ ref, path }) => ({ ref, path })) } : {}),
      maxActions: decl.maxActions,
      reads: node.reads,
      sampling: decl.sampling,
      coachSeesGroundTruth: decl.coachSeesGroundTruth ?? sinks.has(decl.id),
      train: decl.train && (spec.trainer !== undefined || spec.warmStart !== undefined),
    } satisfies AgentSpec;
  });
  if (!spec.trainer) warnings.push({ path: 'trainer', message: 'no trainer declared: `mappa train` will only roll out and evaluate' });
  return {
    ok: true,
    warnings,
    pipeline: { spec, ...(options.file ? { file: options.file } : {}), baseDir, agents, policies, policyPaths, registry },
  };
}
