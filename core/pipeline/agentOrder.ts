import type { ValidationIssue } from '../util/ValidationIssue.js';

export interface AgentNode {
  readonly id: string;
  readonly reads: readonly string[];
}

/**
 * Orders agents so every agent comes after the agents it reads (Kahn's algorithm, ties broken by
 * declaration order). Reports unknown reads, self-reads and cycles (naming the agents on the cycle).
 */
export function agentOrder(nodes: readonly AgentNode[]): { order: string[]; issues: ValidationIssue[] } {
  const issues: ValidationIssue[] = [];
  const index = new Map(nodes.map((n, i) => [n.id, i]));
  const deps = new Map<string, string[]>();
  nodes.forEach((n, i) => {
    const valid: string[] = [];
    n.reads.forEach((r, j) => {
      if (r === n.id) issues.push({ path: `agents[${i}].reads[${j}]`, message: `agent "${n.id}" cannot read its own output` });
      else if (!index.has(r)) {
        issues.push({ path: `agents[${i}].reads[${j}]`, message: `unknown agent "${r}"`, hint: `agents: ${nodes.map((x) => x.id).join(', ')}` });
      } else valid.push(r);
    });
    deps.set(n.id, valid);
  });
  const remaining = new Map(nodes.map((n) => [n.id, new Set(deps.get(n.id))]));
  const order: string[] = [];
  while (remaining.size > 0) {
    const ready = nodes.filter((n) => remaining.has(n.id) && remaining.get(n.id)!.size === 0);
    if (ready.length === 0) {
      const cycle = findCycle(remaining);
      const first = cycle[0]!;
      issues.push({
        path: `agents[${index.get(first)}].reads`,
        message: `agents form a cycle: ${[...cycle, first].join(' → ')}`,
        hint: 'the agent graph must be acyclic; remove one of these `reads`',
      });
      break;
    }
    const next = ready[0]!;
    order.push(next.id);
    remaining.delete(next.id);
    for (const set of remaining.values()) set.delete(next.id);
  }
  return { order, issues };
}

function findCycle(remaining: Map<string, Set<string>>): string[] {
  // Walk dependency edges from any remaining node until a node repeats; the repeated stretch is a cycle.
  const start = remaining.keys().next().value as string;
  const seen = new Map<string, number>();
  const path: string[] = [];
  let cur: string | undefined = start;
  while (cur !== undefined && !seen.has(cur)) {
    seen.set(cur, path.length);
    path.push(cur);
    cur = [...(remaining.get(cur) ?? [])][0];
  }
  const cycle = cur === undefined ? path : path.slice(seen.get(cur));
  // Present it in reading direction: a reads b means b → a.
  return cycle.reverse();
}
