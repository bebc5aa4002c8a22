import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { Logger } from '../../core/contracts/Logger.js';
import type { PluginDeps } from '../../core/plugins/PluginDefinition.js';
import { silentLogger } from '../../core/util/createLogger.js';
import { createBuiltinRegistry } from '../../plugins/builtins.js';
import { createTfjsTransformerPolicy } from '../../plugins/policies/tfjs-transformer/createTfjsTransformerPolicy.js';
import { tfjsTransformerPolicyPlugin } from '../../plugins/policies/tfjs-transformer/tfjsTransformerPolicyPlugin.js';
import { isTrainablePolicy } from '../../plugins/policies/tfjs-transformer/TrainablePolicy.js';
import { describePolicyConformance } from '../conformance/policyConformance.js';
import { hfTinyDir } from './hfTinyFixtures.js';

describePolicyConformance('tfjs-transformer (tiny preset)', {
  create: () => createTfjsTransformerPolicy({ preset: 'tiny', seed: 0, maxContextLength: 128 }),
  deterministic: true,
  exposesTokens: true,
});

describePolicyConformance('tfjs-transformer (qwen3-tiny checkpoint)', {
  create: () => createTfjsTransformerPolicy({ path: join(hfTinyDir(), 'qwen3-tiny') }),
  deterministic: true,
  exposesTokens: true,
});

function deps(baseDir: string, logger: Logger = silentLogger): PluginDeps {
  return {
    run: { runDir: '/tmp', cacheDir: '/tmp', baseDir, seed: 0, signal: new AbortController().signal },
    logger,
    plugins: {} as PluginDeps['plugins'],
    path: 'policies.solver',
    id: 'solver',
  };
}

describe('tfjs-transformer plugin', () => {
  it('is registered as a trainable policy plugin', () => {
    const def = createBuiltinRegistry().get('policy', 'tfjs-transformer');
    expect(def?.capabilities?.trainable).toBe(true);
  });

  it('validates its config: exactly one of preset or path', () => {
    const schema = tfjsTransformerPolicyPlugin.configSchema;
    expect(schema.safeParse({ preset: 'tiny' }).success).toBe(true);
    expect(schema.safeParse({ path: 'ckpt' }).success).toBe(true);
    expect(schema.safeParse({}).success).toBe(false);
    expect(schema.safeParse({ preset: 'tiny', path: 'ckpt' }).success).toBe(false);
    expect(schema.safeParse({ preset: 'huge' }).success).toBe(false);
    expect(schema.safeParse({ preset: 'tiny', bogus: 1 }).success).toBe(false);
  });

  it('resolves a checkpoint path against the pipeline directory, logs the backend, and names the config path in errors', async () => {
    const lines: string[] = [];
    const logger: Logger = { ...silentLogger, info: (m: string) => void lines.push(m) };
    const config = tfjsTransformerPolicyPlugin.configSchema.parse({ path: 'llama-tiny', maxNewTokens: 4, temperature: 0.5 });
    const policy = await tfjsTransformerPolicyPlugin.create(config, deps(hfTinyDir(), logger));
    expect(policy.id).toBe('solver');
    expect(isTrainablePolicy(policy)).toBe(true);
    expect(lines.some((l) => /TensorFlow\.js backend (wasm|cpu|tensorflow)/.test(l))).toBe(true);
    const g = await policy.generate({ messages: [{ role: 'user', content: 'hi' }], seed: 0 });
    expect(g.tokenIds.length).toBeLessThanOrEqual(4);
    await policy.dispose?.();
    const missing = tfjsTransformerPolicyPlugin.configSchema.parse({ path: 'no-such-dir' });
    await expect(tfjsTransformerPolicyPlugin.create(missing, deps(hfTinyDir()))).rejects.toThrow(/^policies\.solver: .*no-such-dir\/config\.json: cannot read/);
  });
});
