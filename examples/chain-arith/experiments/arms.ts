/**
 * The arms of issue 17's credit-assignment experiments on chain-arith (docs/credit-assignment.md), as a pipeline
 * (examples/chain-arith/pipeline-k<k>.yaml) plus `--set` overrides. Within one experiment, arms of the same k differ
 * in one field only (the coach, or the demonstrations' correlation), and arms of the same k, correlation and seed
 * share the cached warm start, so they start RL from the same weights.
 */

export interface ArmSpec {
  readonly id: string;
  readonly label: string;
  /** Agents in the chain: selects examples/chain-arith/pipeline-k<k>.yaml. */
  readonly k: number;
  /** `path=value` overrides on top of the pipeline file (the runner adds the seed, run dir and cache dir). */
  readonly overrides: readonly string[];
}

const RULE = '{use: chain-arith-rule}';
const noisy = (rate: number, mode: 'random' | 'shift-blame', seed = 0) => `{use: noisy, rate: ${rate}, mode: ${mode}, seed: ${seed}, coach: ${RULE}}`;

function arm(id: string, label: string, k: number, overrides: string[] = []): ArmSpec {
  return { id, label, k, overrides };
}

export const CHAIN_LENGTHS = [2, 3, 5, 8] as const;
export const NOISE_K = 3;
export const NOISE_RATES = [0.1, 0.2, 0.3] as const;

function buildArms(): Record<string, ArmSpec> {
  const out: Record<string, ArmSpec> = {};
  const add = (a: ArmSpec) => (out[a.id] = a);
  for (const k of [...CHAIN_LENGTHS, 4]) {
    add(arm(`k${k}-process`, `k=${k}, process rewards (chain-arith-rule)`, k));
    add(arm(`k${k}-outcome`, `k=${k}, outcome-only rewards`, k, ['coach={use: outcome}']));
  }
  const k = NOISE_K;
  for (const r of NOISE_RATES) {
    const pct = Math.round(r * 100);
    add(arm(`k${k}-noise${pct}-random`, `k=${k}, rule coach, ${pct}% random scores`, k, [`coach=${noisy(r, 'random')}`]));
    add(arm(`k${k}-noise${pct}-shift`, `k=${k}, rule coach, ${pct}% blame moved upstream`, k, [`coach=${noisy(r, 'shift-blame')}`]));
  }
  add(
    arm(`k${k}-ensemble30`, `k=${k}, median of 3 independently 30%-noisy rule coaches`, k, [
      `coach={use: ensemble, aggregate: median, members: [${[1, 2, 3].map((s) => noisy(0.3, 'random', s)).join(', ')}]}`,
    ]),
  );
  add(arm(`k${k}-hindsight`, `k=${k}, hindsight (rule judge, outcome-anchored)`, k, [`coach={use: hindsight, judge: ${RULE}}`]));
  add(arm(`k${k}-hindsight-noise30`, `k=${k}, hindsight over a 30%-noisy rule judge`, k, [`coach={use: hindsight, judge: ${noisy(0.3, 'random')}}`]));
  for (const kc of [3, 5]) {
    const corr = 'warmStart.demonstrations.correlation=0.6';
    add(arm(`k${kc}-corr-process`, `k=${kc}, correlated slips (0.6), process rewards`, kc, [corr]));
    add(arm(`k${kc}-corr-outcome`, `k=${kc}, correlated slips (0.6), outcome-only rewards`, kc, [corr, 'coach={use: outcome}']));
  }
  return out;
}

export const ARMS: Readonly<Record<string, ArmSpec>> = buildArms();

const kArms = (ks: readonly number[], kinds: readonly string[]) => ks.flatMap((k) => kinds.map((x) => `k${k}-${x}`));

export const EXPERIMENTS: Readonly<Record<string, { readonly title: string; readonly arms: readonly string[] }>> = {
  'chain-length': { title: 'Chain length: process vs outcome at k = 2, 3, 5, 8', arms: kArms(CHAIN_LENGTHS, ['process', 'outcome']) },
  noise: {
    title: `Coach noise at k = ${NOISE_K}`,
    arms: [
      `k${NOISE_K}-process`,
      `k${NOISE_K}-outcome`,
      ...NOISE_RATES.flatMap((r) => [`k${NOISE_K}-noise${Math.round(r * 100)}-random`, `k${NOISE_K}-noise${Math.round(r * 100)}-shift`]),
      `k${NOISE_K}-ensemble30`,
    ],
  },
  hindsight: {
    title: `Hindsight coach at k = ${NOISE_K}`,
    arms: [`k${NOISE_K}-process`, `k${NOISE_K}-outcome`, `k${NOISE_K}-hindsight`, `k${NOISE_K}-noise30-random`, `k${NOISE_K}-hindsight-noise30`],
  },
  // Experiment 1's two middle chain lengths again, for seeds beyond the first three (run with --seeds 4,5).
  'chain-k35': { title: 'Chain length k = 3 and 5, more seeds', arms: kArms([3, 5], ['process', 'outcome']) },
  correlation: {
    title: 'Correlated vs independent slips at k = 3 and 5',
    arms: [...kArms([3, 5], ['process', 'outcome']), ...kArms([3, 5], ['corr-process', 'corr-outcome'])],
  },
};

export const isArmId = (s: string): boolean => Object.hasOwn(ARMS, s);
export const isExperimentId = (s: string): boolean => Object.hasOwn(EXPERIMENTS, s);

/** Arms that share a warm start (same pipeline, same demonstrations): same k and same correlation override. */
export function warmStartGroup(a: ArmSpec, seed: number): string {
  const corr = a.overrides.find((o) => o.startsWith('warmStart.')) ?? '';
  return `k${a.k}|${corr}|seed${seed}`;
}

export const runDirName = (arm: string, seed: number): string => `${arm}/seed-${seed}`;
