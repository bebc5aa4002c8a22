import { z } from 'zod';
import type { Environment } from '../../core/contracts/Environment.js';
import { definePlugin } from '../../core/plugins/definePlugin.js';
import { ChainArithEpisode } from './ChainArithEpisode.js';

export const ChainArithEnvironmentConfig = z.strictObject({});

/**
 * chain-arith: k agents in a chain, each adding its operand to the previous agent's value (mod m); only the last
 * value is checked. A small, fast testbed for credit assignment (docs/credit-assignment.md): how often each agent
 * slips is set by the warm start's demonstrations (`chain-arith-demonstrations`), not by the environment.
 */
export function createChainArithEnvironment(): Environment {
  return {
    name: 'chain-arith',
    createEpisode: async (task) => new ChainArithEpisode(task),
  };
}

export const chainArithEnvironmentPlugin = definePlugin({
  kind: 'environment',
  name: 'chain-arith',
  description: 'k-agent arithmetic pipeline: each agent adds its operand to the previous agent’s value (mod m); only the last value is graded.',
  configSchema: ChainArithEnvironmentConfig,
  create: () => createChainArithEnvironment(),
});
