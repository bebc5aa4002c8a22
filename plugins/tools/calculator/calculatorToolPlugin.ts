import { z } from 'zod';
import type { Tool } from '../../../core/contracts/Tool.js';
import { definePlugin } from '../../../core/plugins/definePlugin.js';
import { defineTool, staticToolSource } from '../../../core/tools/defineTool.js';
import { evaluateArithmetic, formatNumber } from './evaluateArithmetic.js';

const CalculatorConfig = z.strictObject({ name: z.string().optional().describe('Tool name the policy sees (default: calculator)') });

/** `calculator({ expression })`: arithmetic only (no code), so it is safe without a sandbox. */
export function createCalculatorTool(o: { name?: string | undefined } = {}): Tool {
  return defineTool({
    name: o.name ?? 'calculator',
    description: 'Evaluates an arithmetic expression (+ - * / % ** and parentheses) and returns the number.',
    parameters: z.object({ expression: z.string().min(1).describe('e.g. 347*29+5') }),
    execute: ({ expression }) => formatNumber(evaluateArithmetic(expression)),
  });
}

export const calculatorToolPlugin = definePlugin({
  kind: 'tool',
  name: 'calculator',
  description: 'Function tool `calculator({ expression })`: exact arithmetic, no code execution.',
  configSchema: CalculatorConfig,
  capabilities: { toolNames: (c: z.output<typeof CalculatorConfig>) => [c.name ?? 'calculator'] },
  create: (config) => {
    const tool = createCalculatorTool(config);
    return staticToolSource(tool.name, [tool]);
  },
});
