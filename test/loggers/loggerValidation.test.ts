import { describe, expect, it } from 'vitest';
import { validatePipeline } from '../../core/pipeline/validatePipeline.js';
import { createBuiltinRegistry } from '../../plugins/builtins.js';
import { fakePlugins } from '../fakes/testPlugins.js';
import { TINY_DIR, tinyPipeline } from '../fakes/tinyPipeline.js';

async function validate(loggers: unknown) {
  const registry = createBuiltinRegistry();
  registry.registerAll(fakePlugins().defs, 'test');
  return validatePipeline(tinyPipeline({ run: { ...tinyPipeline().run, loggers } }), { registry, baseDir: TINY_DIR });
}

describe('run.loggers validation', () => {
  it('defaults to console + jsonl', async () => {
    const registry = createBuiltinRegistry();
    registry.registerAll(fakePlugins().defs, 'test');
    const r = await validatePipeline(tinyPipeline(), { registry, baseDir: TINY_DIR });
    expect(r.ok && r.pipeline.spec.run.loggers).toEqual([{ use: 'console' }, { use: 'jsonl' }]);
  });

  it('reports unknown loggers, bad logger fields and a missing jsonl logger by path', async () => {
    const r = await validate([{ use: 'console' }, { use: 'mlfow' }, { use: 'wandb' }, { use: 'tensorboard', logdir: 'x' }]);
    expect(r.ok).toBe(false);
    const issues = r.ok ? [] : r.issues.map((i) => `${i.path}: ${i.message}${i.hint ? ` (${i.hint})` : ''}`);
    expect(issues).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/^run\.loggers\[1\]\.use: unknown logger plugin "mlfow" \(did you mean "mlflow"\?\)/),
        expect.stringMatching(/^run\.loggers\[2\]\.project: /),
        expect.stringMatching(/^run\.loggers\[3\]\.logdir: unknown field "logdir"/),
        expect.stringMatching(/^run\.loggers: the jsonl logger is missing/),
      ]),
    );
  });
});
