import { describe, expect, it } from 'vitest';
import { validatePipeline } from '../../core/pipeline/validatePipeline.js';
import { safePathSegment } from '../../core/util/safePathSegment.js';
import { createBuiltinRegistry } from '../../plugins/builtins.js';
import { fakePlugins } from '../fakes/testPlugins.js';
import { TINY_DIR, tinyPipeline } from '../fakes/tinyPipeline.js';

/* Issue 18 item 7: ids that become path segments (policy ids, agent ids, run names) are validated as names. */

async function issues(raw: Record<string, any>) {
  const registry = createBuiltinRegistry();
  registry.registerAll(fakePlugins().defs, 'test');
  const r = await validatePipeline(raw, { registry, baseDir: TINY_DIR });
  return r.ok ? [] : r.issues;
}

describe('ids that become paths (issue 18 item 7)', () => {
  it.each(['../../../tmp/x', '..', 'a/b', '.hidden', 'a\\b', ''])('policy id %j is refused by validation', async (id) => {
    const raw = tinyPipeline();
    raw.policies = { [id]: { use: 'fake-policy' }, b: { use: 'fake-policy' }, c: { use: 'fake-policy' } };
    raw.agents[0].policy = id;
    const found = await issues(raw);
    expect(found.some((i) => i.path.startsWith('policies') && /name/.test(i.message))).toBe(true);
  });

  it.each(['..', '.', '../x'])('run name %j is refused', async (name) => {
    const found = await issues(tinyPipeline({ name }));
    expect(found.some((i) => i.path === 'name')).toBe(true);
  });

  it('the runtime guard refuses a traversing segment even if validation was bypassed', () => {
    expect(() => safePathSegment('../../x', 'policy id')).toThrow(/policy id "..\/..\/x"/);
    expect(safePathSegment('solver-1', 'policy id')).toBe('solver-1');
  });
});
