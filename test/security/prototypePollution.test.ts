import { describe, expect, it } from 'vitest';
import { applyOverrides } from '../../core/pipeline/applyOverrides.js';

/* Issue 18 item 12: --set paths must not reach Object.prototype. */

describe('--set and prototype pollution (issue 18 item 12)', () => {
  it.each(['__proto__.polluted=1', 'run.__proto__.steps=99', 'constructor.prototype.polluted=1', 'agents[0].__proto__.polluted=1'])('refuses %s with a clear error', (o) => {
    expect(() => applyOverrides({ run: {}, agents: [{}] }, [o])).toThrow(/__proto__|constructor|prototype/);
    expect(({} as Record<string, unknown>)['polluted']).toBeUndefined();
    expect(({} as Record<string, unknown>)['steps']).toBeUndefined();
  });

  it('refuses a value that carries a __proto__ key', () => {
    expect(() => applyOverrides({ run: {} }, ['run.eval={__proto__: {polluted: 1}}'])).toThrow(/__proto__/);
    expect(({} as Record<string, unknown>)['polluted']).toBeUndefined();
  });
});
