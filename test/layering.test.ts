// The import rules of docs/architecture.md, checked on every relative import (static, re-export and dynamic).
import { readFileSync, readdirSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';

const ROOT = resolve(import.meta.dirname, '..');
const GENERIC_COACHES = ['llm', 'ensemble', 'bias', 'outcome', 'constant'];

interface Rule {
  readonly name: string;
  /** Whether the rule applies to a file (repo-relative path). */
  readonly from: (file: string) => boolean;
  /** Whether the import target (repo-relative path) is allowed from that file. */
  readonly allows: (target: string, file: string) => boolean;
}

const inDir = (dir: string) => (p: string) => p.startsWith(`${dir}/`);
const coachFolder = (p: string) => /^coaches\/([^/]+)\//.exec(p)?.[1];

export const RULES: readonly Rule[] = [
  { name: 'core/ imports only core/', from: inDir('core'), allows: inDir('core') },
  {
    name: 'contracts and the data model import only contracts and the data model',
    from: (p) => inDir('core/contracts')(p) || inDir('core/model')(p),
    allows: (t) => inDir('core/contracts')(t) || inDir('core/model')(t),
  },
  {
    name: 'the plugin system does not depend on the pipeline layer (only PluginFactory, which validates nested refs, does)',
    from: (p) => inDir('core/plugins')(p) && p !== 'core/plugins/PluginFactory.ts',
    allows: (t) => !inDir('core/pipeline')(t) && !inDir('core/runner')(t),
  },
  {
    name: 'the plugin entry (@mappa/sdk/plugin) imports only core/',
    from: (p) => p === 'plugin.ts',
    allows: inDir('core'),
  },
  {
    name: 'generic coaches import only core/, the shared LLM client layer (plugins/llm/), their own folder and the shared files at the root of coaches/',
    from: (p) => GENERIC_COACHES.includes(coachFolder(p) ?? ''),
    allows: (t, f) => inDir('core')(t) || inDir('plugins/llm')(t) || coachFolder(t) === coachFolder(f) || /^coaches\/[^/]+\.ts$/.test(t),
  },
  {
    name: 'the shared LLM client layer (plugins/llm/) imports only core/ and itself',
    from: inDir('plugins/llm'),
    allows: (t) => inDir('core')(t) || inDir('plugins/llm')(t),
  },
  {
    name: "coaches read an environment only through its coach facts module (environments/<name>/coachFacts.ts)",
    from: inDir('coaches'),
    allows: (t) => !inDir('environments')(t) || /^environments\/[^/]+\/coachFacts\.ts$/.test(t),
  },
  { name: 'environments import no coach', from: inDir('environments'), allows: (t) => !inDir('coaches')(t) },
  {
    name: 'environments take plugins as dependencies (only the shared sandbox workspace helpers are imported)',
    from: inDir('environments'),
    allows: (t) => !inDir('plugins')(t) || inDir('plugins/sandboxes/shared')(t),
  },
  {
    name: 'trainers depend on the trainable-policy contracts in core/contracts, not on a policy',
    from: inDir('plugins/trainers'),
    allows: (t) => !inDir('plugins/policies')(t),
  },
  {
    name: 'plugin folders import no CLI',
    from: (p) => ['plugins', 'environments', 'coaches', 'core', 'testing'].some((d) => inDir(d)(p)),
    allows: (t) => !inDir('cli')(t),
  },
];

const IMPORT = /(?:^|[\s;])(?:import|export)\s[^'"`;]*?from\s*['"]([^'"]+)['"]|(?:^|[\s;(=])import\s*\(\s*['"]([^'"]+)['"]\s*\)|^import\s+['"]([^'"]+)['"]/gm;

/** Relative imports of one source text, as repo-relative `.ts` paths. */
export function relativeImports(file: string, source: string): string[] {
  const out: string[] = [];
  for (const m of source.matchAll(IMPORT)) {
    const spec = m[1] ?? m[2] ?? m[3]!;
    if (!spec.startsWith('.')) continue;
    out.push(relative(ROOT, resolve(ROOT, dirname(file), spec)).replace(/\.js$/, '.ts'));
  }
  return out;
}

export function violations(files: ReadonlyArray<{ file: string; source: string }>): string[] {
  const out: string[] = [];
  for (const { file, source } of files) {
    for (const target of relativeImports(file, source)) {
      for (const rule of RULES) if (rule.from(file) && !rule.allows(target, file)) out.push(`${file} imports ${target}: ${rule.name}`);
    }
  }
  return out;
}

function sources(): Array<{ file: string; source: string }> {
  const walk = (dir: string): string[] =>
    readdirSync(join(ROOT, dir)).flatMap((f) => {
      const p = `${dir}/${f}`;
      return statSync(join(ROOT, p)).isDirectory() ? walk(p) : p.endsWith('.ts') ? [p] : [];
    });
  return ['core', 'plugins', 'environments', 'coaches', 'testing', 'cli']
    .flatMap(walk)
    .concat(['index.ts', 'plugin.ts', 'internals.ts'])
    .map((file) => ({ file, source: readFileSync(join(ROOT, file), 'utf8') }));
}

/** Import cycles among the given files (each as `a -> b -> a`). */
export function cycles(files: ReadonlyArray<{ file: string; source: string }>): string[] {
  const graph = new Map(files.map(({ file, source }) => [file, relativeImports(file, source)]));
  const state = new Map<string, 'open' | 'done'>();
  const stack: string[] = [];
  const found: string[] = [];
  const visit = (n: string) => {
    state.set(n, 'open');
    stack.push(n);
    for (const d of graph.get(n) ?? []) {
      if (!graph.has(d)) continue;
      if (state.get(d) === 'open') found.push([...stack.slice(stack.indexOf(d)), d].join(' -> '));
      else if (!state.has(d)) visit(d);
    }
    stack.pop();
    state.set(n, 'done');
  };
  for (const n of graph.keys()) if (!state.has(n)) visit(n);
  return found;
}

describe('layering', () => {
  it('no source file breaks an import rule', () => {
    expect(violations(sources())).toEqual([]);
  });

  it('core/ has no import cycle (type-only imports included)', () => {
    expect(cycles(sources().filter((s) => inDir('core')(s.file)))).toEqual([]);
    expect(
      cycles([
        { file: 'core/plugins/A.ts', source: "import type { B } from '../pipeline/B.js';" },
        { file: 'core/pipeline/B.ts', source: "import { a } from '../plugins/A.js';" },
      ]),
    ).toEqual(['core/plugins/A.ts -> core/pipeline/B.ts -> core/plugins/A.ts']);
  });

  it('catches static, type-only, re-export and dynamic imports across a boundary', () => {
    const found = violations([
      { file: 'core/runner/X.ts', source: "import { a } from '../../plugins/builtins.js';\nimport type { B } from '../model/Task.js';" },
      { file: 'coaches/outcome/Y.ts', source: "export { c } from '../llm/LlmCoach.js';" },
      { file: 'coaches/mathchat-rule/Z.ts', source: "const m = await import('../../environments/mathchat/mathchatFacts.js');\nimport { f } from '../../environments/mathchat/coachFacts.js';" },
      { file: 'environments/code-sandbox/W.ts', source: "import {\n  x,\n} from '../../plugins/builtins.js';\nimport { y } from '../../coaches/constant/constantCoachPlugin.js';" },
      { file: 'plugins/trainers/runtime/V.ts', source: "import type { TrainablePolicy } from '../../policies/tfjs-transformer/TrainablePolicy.js';" },
      { file: 'plugins/llm/U.ts', source: "import { LlmCoach } from '../../coaches/llm/LlmCoach.js';\nimport { c } from '../policies/openai-compatible/x.js';" },
      { file: 'coaches/llm/T.ts', source: "import { LlmCaller } from '../../plugins/llm/LlmCaller.js';" },
    ]);
    expect(found).toEqual([
      'core/runner/X.ts imports plugins/builtins.ts: core/ imports only core/',
      'coaches/outcome/Y.ts imports coaches/llm/LlmCoach.ts: generic coaches import only core/, the shared LLM client layer (plugins/llm/), their own folder and the shared files at the root of coaches/',
      'coaches/mathchat-rule/Z.ts imports environments/mathchat/mathchatFacts.ts: coaches read an environment only through its coach facts module (environments/<name>/coachFacts.ts)',
      'environments/code-sandbox/W.ts imports plugins/builtins.ts: environments take plugins as dependencies (only the shared sandbox workspace helpers are imported)',
      'environments/code-sandbox/W.ts imports coaches/constant/constantCoachPlugin.ts: environments import no coach',
      'plugins/trainers/runtime/V.ts imports plugins/policies/tfjs-transformer/TrainablePolicy.ts: trainers depend on the trainable-policy contracts in core/contracts, not on a policy',
      'plugins/llm/U.ts imports coaches/llm/LlmCoach.ts: the shared LLM client layer (plugins/llm/) imports only core/ and itself',
      'plugins/llm/U.ts imports plugins/policies/openai-compatible/x.ts: the shared LLM client layer (plugins/llm/) imports only core/ and itself',
    ]);
  });
});
