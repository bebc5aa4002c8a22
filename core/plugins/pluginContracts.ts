import type { PluginKind } from './PluginKind.js';

/** What an instance of one plugin kind must have; checked when a plugin's `create` returns (and by `mappa validate --deep`). */
export interface PluginContract {
  /** The contract's file, named in errors so authors find the interface. */
  readonly file: string;
  readonly methods: readonly string[];
  readonly strings?: readonly string[];
}

// Partial on purpose: a kind without an entry is not checked, so adding a kind never breaks this table.
export const PLUGIN_CONTRACTS: Partial<Record<PluginKind, PluginContract>> = {
  policy: { file: 'core/contracts/Policy.ts', methods: ['generate'], strings: ['id'] },
  coach: { file: 'core/contracts/Coach.ts', methods: ['evaluate'], strings: ['name', 'scope'] },
  environment: { file: 'core/contracts/Environment.ts', methods: ['createEpisode'], strings: ['name'] },
  trainer: { file: 'core/contracts/Trainer.ts', methods: ['step'] },
  tasks: { file: 'core/contracts/TaskSource.ts', methods: ['tasks'], strings: ['name'] },
  sandbox: { file: 'core/contracts/Sandbox.ts', methods: ['run'] },
  demonstrations: { file: 'core/contracts/DemonstrationSource.ts', methods: ['demonstrations'], strings: ['name'] },
};

/** Every way `instance` misses the contract of `kind` (empty when it fits). */
export function contractProblems(kind: PluginKind, instance: unknown): string[] {
  const contract = PLUGIN_CONTRACTS[kind];
  if (instance === null || typeof instance !== 'object') return [`returned ${instance === null ? 'null' : typeof instance}, not a ${kind} object`];
  if (!contract) return [];
  const v = instance as Record<string, unknown>;
  const problems: string[] = [];
  for (const m of contract.methods) if (typeof v[m] !== 'function') problems.push(`has no method "${m}"`);
  for (const s of contract.strings ?? []) if (typeof v[s] !== 'string') problems.push(`has no string property "${s}"`);
  if (kind === 'coach') {
    if (v['scope'] !== undefined && v['scope'] !== 'action' && v['scope'] !== 'episode') problems.push(`has scope "${String(v['scope'])}" (expected "action" or "episode")`);
    if (v['scope'] === 'episode' && typeof v['evaluateEpisode'] !== 'function') problems.push('has scope "episode" but no method "evaluateEpisode"');
  }
  if (kind === 'policy' && typeof v['trainable'] !== 'boolean') problems.push('has no boolean property "trainable"');
  return problems;
}

/** The contract hint for errors: where the interface lives. */
export function contractHint(kind: PluginKind): string {
  const file = PLUGIN_CONTRACTS[kind]?.file;
  return file ? `a ${kind} plugin's create() must return an object implementing ${file}` : `check the ${kind} contract in core/contracts/`;
}
