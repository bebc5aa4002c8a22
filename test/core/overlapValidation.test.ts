import { describe, expect, it } from 'vitest';
import { validatePipeline } from '../../core/pipeline/validatePipeline.js';
import { createBuiltinRegistry } from '../../plugins/builtins.js';
import { fakePlugins } from '../fakes/testPlugins.js';
import { TINY_DIR, tinyPipeline } from '../fakes/tinyPipeline.js';

async function validate(raw: Record<string, unknown>) {
  const registry = createBuiltinRegistry();
  registry.registerAll(fakePlugins().defs, 'test');
  return validatePipeline(raw, { registry, baseDir: TINY_DIR });
}

describe('run.overlap validation', () => {
  it('defaults to off and accepts one-step with a local trainer', async () => {
    const off = await validate(tinyPipeline());
    expect(off.ok && off.pipeline.spec.run.overlap).toBe('off');
    const on = await validate(tinyPipeline({ run: { overlap: 'one-step' } }));
    expect(on.ok && on.pipeline.spec.run.overlap).toBe('one-step');
  });

  it('refuses unknown values, a pipeline without a trainer and the external trainer, at run.overlap', async () => {
    const bad = await validate(tinyPipeline({ run: { overlap: 'async' } }));
    expect(!bad.ok && bad.issues.map((i) => i.path)).toContain('run.overlap');
    const { trainer: _t, ...noTrainer } = tinyPipeline({ run: { overlap: 'one-step' } });
    const none = await validate(noTrainer);
    expect(none.ok).toBe(false);
    if (!none.ok) expect(none.issues).toContainEqual(expect.objectContaining({ path: 'run.overlap', message: expect.stringContaining('no trainer') }));
    const ext = await validate(tinyPipeline({ run: { overlap: 'one-step' }, trainer: { use: 'external', command: ['true'] } }));
    expect(ext.ok).toBe(false);
    if (!ext.ok) expect(ext.issues).toContainEqual(expect.objectContaining({ path: 'run.overlap', message: expect.stringContaining('local trainer') }));
  });
});
