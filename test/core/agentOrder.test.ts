import { describe, expect, it } from 'vitest';
import { agentOrder } from '../../core/pipeline/agentOrder.js';

describe('agentOrder', () => {
  it('keeps declaration order for a chain', () => {
    expect(agentOrder([{ id: 'a', reads: [] }, { id: 'b', reads: ['a'] }, { id: 'c', reads: ['b'] }])).toEqual({ order: ['a', 'b', 'c'], issues: [] });
  });
  it('orders a diamond so every agent follows its inputs', () => {
    const { order, issues } = agentOrder([
      { id: 'd', reads: ['b', 'c'] },
      { id: 'c', reads: ['a'] },
      { id: 'b', reads: ['a'] },
      { id: 'a', reads: [] },
    ]);
    expect(issues).toEqual([]);
    expect(order).toEqual(['a', 'c', 'b', 'd']);
  });
  it('reports a 3-cycle with its members in reading order', () => {
    const { issues } = agentOrder([
      { id: 'a', reads: ['c'] },
      { id: 'b', reads: ['a'] },
      { id: 'c', reads: ['b'] },
    ]);
    expect(issues).toHaveLength(1);
    expect(issues[0]!.message).toMatch(/^agents form a cycle: (a → b → c → a|b → c → a → b|c → a → b → c)$/);
  });
});
