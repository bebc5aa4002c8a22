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
const coreFolder = (p: string) => /^core\/([^/]+)\//.exec(p)?.[1];

/**
 * The folders of core/ by layer, lowest first (docs/architecture.md). A folder imports only its own layer and the
 * layers below it; folders of one layer may import each other as long as no folder-level cycle forms (see
 * `folderCycles`).
 */
export const CORE_LAYERS: ReadonlyArray<readonly string[]> = [['model'], ['contracts'], ['util'], ['tools', 'plugins'], ['pipeline'], ['di', 'runner']];
const LAYER_ORDER = CORE_LAYERS.map((layer) => layer.join(', ')).join(' → ');

/** Layer of a core file; files outside the layers (core/index.ts, an unplaced folder) rank above all of them. */
function layerOf(p: string): number {
  const folder = coreFolder(p);
  const i = folder === undefined ? -1 : CORE_LAYERS.findIndex((layer) => layer.includes(folder));
  return i < 0 ? CORE_LAYERS.length : i;
}

export const RULES: readonly Rule[] = [
  { name: 'core/ imports only core/', from: inDir('core'), allows: inDir('core') },
  {
    name: 'contracts and the data model import only contracts and the data model',
    from: (p) => inDir('core/contracts')(p) || inDir('core/model')(p),
    allows: (t) => inDir('core/contracts')(t) || inDir('core/model')(t),
  },
  {
    name: `core's layers import only their own layer and the layers below it (${LAYER_ORDER})`,
    from: (p) => layerOf(p) < CORE_LAYERS.length,
    allows: (t, f) => !inDir('core')(t) || layerOf(t) <= layerOf(f),
  },
  {
    name: 'the plugin system depends on neither the pipeline layer, the runner nor the DI container',
    from: inDir('core/plugins'),
    allows: (t) => !inDir('core/pipeline')(t) && !inDir('core/runner')(t) && !inDir('core/di')(t),
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
  return graphCycles(new Map(files.map(({ file, source }) => [file, relativeImports(file, source)])));
}

/**
 * Import cycles among the folders of core/ (each as `core/a -> core/b -> core/a`), counting every import from one
 * folder into another: two files can form a folder cycle without any file-level cycle.
 */
export function folderCycles(files: ReadonlyArray<{ file: string; source: string }>): string[] {
  const folderOf = (p: string) => (coreFolder(p) === undefined ? undefined : `core/${coreFolder(p)}`);
  const graph = new Map<string, Set<string>>();
  for (const { file, source } of files) {
    const from = folderOf(file);
    if (from === undefined) continue;
    const deps = graph.get(from) ?? new Set<string>();
    graph.set(from, deps);
    for (const target of relativeImports(file, source)) {
      const to = folderOf(target);
      if (to !== undefined && to !== from) deps.add(to);
    }
  }
  return graphCycles(new Map([...graph].map(([folder, deps]) => [folder, [...deps]])));
}

/** Folders of core/ (from the given files) that have no place in `CORE_LAYERS`. */
export function unplacedFolders(files: ReadonlyArray<{ file: string }>): string[] {
  const folders = new Set(files.map(({ file }) => coreFolder(file)).filter((f): f is string => f !== undefined));
  return [...folders].filter((f) => !CORE_LAYERS.some((layer) => layer.includes(f))).map((f) => `core/${f}`);
}

function graphCycles(graph: ReadonlyMap<string, readonly string[]>): string[] {
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

  it("core's folders follow the layer order, with no folder-level cycle but the known one", () => {
    const core = sources().filter((s) => inDir('core')(s.file));
    expect(unplacedFolders(core)).toEqual([]);
    expect(CORE_LAYERS.flat().filter((f) => !core.some((s) => inDir(`core/${f}`)(s.file)))).toEqual([]);
    // The DI container builds the Runner and TOKENS names runner services, while the Runner is injected by TOKENS
    // and createRun builds the container: core/di and core/runner form the top layer together (docs/architecture.md).
    expect(folderCycles(core)).toEqual(['core/di -> core/runner -> core/di']);
    expect(
      folderCycles([
        { file: 'core/tools/A.ts', source: "import type { B } from '../plugins/B.js';" },
        { file: 'core/plugins/C.ts', source: "import { d } from '../tools/D.js';" },
        { file: 'core/util/E.ts', source: "import { f } from './F.js';" },
      ]),
    ).toEqual(['core/tools -> core/plugins -> core/tools']);
    expect(unplacedFolders([{ file: 'core/extra/G.ts' }, { file: 'core/util/H.ts' }, { file: 'core/index.ts' }])).toEqual(['core/extra']);
  });

  it('catches static, type-only, re-export and dynamic imports across a boundary', () => {
    const found = violations([
      { file: 'core/runner/X.ts', source: "import { a } from '../../plugins/builtins.js';\nimport type { B } from '../model/Task.js';" },
      {
        file: 'core/plugins/S.ts',
        source:
          "import { validatePipeline } from '../pipeline/validatePipeline.js';\nimport type { TOKENS } from '../di/tokens.js';\nconst r = await import('../runner/Runner.js');\nimport { defineTool } from '../tools/defineTool.js';",
      },
      { file: 'core/model/R.ts', source: "import type { ToolSpec } from './ToolSpec.js';\nimport type { Tool } from '../contracts/Tool.js';" },
      { file: 'core/util/Q.ts', source: "import { MappaError } from './MappaError.js';\nimport type { PluginKind } from '../plugins/PluginKind.js';" },
      { file: 'core/pipeline/P.ts', source: "import { TOKENS } from '../di/tokens.js';\nexport { Rng } from '../index.js';" },
      { file: 'coaches/outcome/Y.ts', source: "export { c } from '../llm/LlmCoach.js';" },
      { file: 'coaches/mathchat-rule/Z.ts', source: "const m = await import('../../environments/mathchat/mathchatFacts.js');\nimport { f } from '../../environments/mathchat/coachFacts.js';" },
      { file: 'environments/code-sandbox/W.ts', source: "import {\n  x,\n} from '../../plugins/builtins.js';\nimport { y } from '../../coaches/constant/constantCoachPlugin.js';" },
      { file: 'plugins/trainers/runtime/V.ts', source: "import type { TrainablePolicy } from '../../policies/tfjs-transformer/TrainablePolicy.js';" },
      { file: 'plugins/llm/U.ts', source: "import { LlmCoach } from '../../coaches/llm/LlmCoach.js';\nimport { c } from '../policies/openai-compatible/x.js';" },
      { file: 'coaches/llm/T.ts', source: "import { LlmCaller } from '../../plugins/llm/LlmCaller.js';" },
    ]);
    const layers = "core's layers import only their own layer and the layers below it (model → contracts → util → tools, plugins → pipeline → di, runner)";
    const pluginSystem = 'the plugin system depends on neither the pipeline layer, the runner nor the DI container';
    expect(found).toEqual([
      'core/runner/X.ts imports plugins/builtins.ts: core/ imports only core/',
      `core/plugins/S.ts imports core/pipeline/validatePipeline.ts: ${layers}`,
      `core/plugins/S.ts imports core/pipeline/validatePipeline.ts: ${pluginSystem}`,
      `core/plugins/S.ts imports core/di/tokens.ts: ${layers}`,
      `core/plugins/S.ts imports core/di/tokens.ts: ${pluginSystem}`,
      `core/plugins/S.ts imports core/runner/Runner.ts: ${layers}`,
      `core/plugins/S.ts imports core/runner/Runner.ts: ${pluginSystem}`,
      `core/model/R.ts imports core/contracts/Tool.ts: ${layers}`,
      `core/util/Q.ts imports core/plugins/PluginKind.ts: ${layers}`,
      `core/pipeline/P.ts imports core/di/tokens.ts: ${layers}`,
      `core/pipeline/P.ts imports core/index.ts: ${layers}`,
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
