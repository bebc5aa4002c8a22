import type { Task } from '../../core/model/Task.js';
import { MappaError } from '../../core/util/MappaError.js';

/** What a chain-arith task carries in `metadata` (public: every agent sees its own operand and the start value). */
export interface ChainArithFacts {
  readonly start: string;
  readonly operands: readonly number[];
  readonly modulus: number;
}

function isIntArray(v: unknown): v is number[] {
  return Array.isArray(v) && v.every((x) => Number.isInteger(x));
}

/** Reads the chain facts of a task's metadata; a clear error when the task did not come from `chain-arith-tasks`. */
export function chainArithFacts(metadata: Readonly<Record<string, unknown>>, where = 'task'): ChainArithFacts {
  const { start, operands, modulus } = metadata;
  if (typeof start !== 'string' || !/^\d+$/.test(start) || !isIntArray(operands) || !Number.isInteger(modulus) || (modulus as number) < 2) {
    throw new MappaError(`${where} has no chain-arith facts (metadata.start, metadata.operands, metadata.modulus)`, {
      hint: 'chain-arith environments and coaches need tasks from `tasks: { use: chain-arith-tasks }`',
    });
  }
  return { start, operands, modulus: modulus as number };
}

/** True for tasks that carry chain facts (used by coaches that also accept other tasks). */
export function hasChainArithFacts(task: Pick<Task, 'metadata'>): boolean {
  const { start, operands, modulus } = task.metadata;
  return typeof start === 'string' && isIntArray(operands) && Number.isInteger(modulus);
}
