import { assertSameShape } from './assertSameShape.js';
import type { TokenMatrix } from './types.js';

/**
 * Discounted return-to-go per token, as OpenRLHF's `get_cumulative_returns`:
 *
 *   G_t = r_t·m_t + γ·G_{t+1},   G_T = 0
 *
 * The rewards are masked, but the recursion runs over every position, so a reward still reaches earlier action
 * tokens across masked spans (env-feedback tokens) with γ^distance. verl's `reinforce_plus_plus` instead resets the
 * running return at every mask-0 token (see docs/trainers.md).
 */
export function returnsToGo(rewards: TokenMatrix, mask: TokenMatrix, gamma = 1): number[][] {
  assertSameShape(rewards, mask, 'returnsToGo(rewards, mask)');
  return rewards.map((row, i) => {
    const out = new Array<number>(row.length);
    let g = 0;
    for (let t = row.length - 1; t >= 0; t--) {
      g = row[t]! * mask[i]![t]! + gamma * g;
      out[t] = g;
    }
    return out;
  });
}
