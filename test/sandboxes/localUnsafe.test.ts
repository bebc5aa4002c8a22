import { describe, expect, it } from 'vitest';
import type { Logger } from '../../core/contracts/Logger.js';
import { MappaError } from '../../core/util/MappaError.js';
import { createBuiltinRegistry } from '../../plugins/builtins.js';
import { createLocalUnsafeSandbox } from '../../plugins/sandboxes/local-unsafe/LocalUnsafeSandbox.js';
import { describeSandboxConformance } from '../conformance/sandboxConformance.js';

function countingLogger() {
  const warnings: string[] = [];
  const logger: Logger = { debug() {}, info() {}, error() {}, warn: (m) => void warnings.push(m) };
  return { logger, warnings };
}

describeSandboxConformance('local-unsafe', {
  create: async () => createLocalUnsafeSandbox({ isolation: 'none' }, countingLogger().logger),
  languages: ['python', 'node', 'bash'],
});

describe('local-unsafe sandbox', () => {
  it('refuses to start without isolation: none', () => {
    expect(() => createLocalUnsafeSandbox({} as never)).toThrow(MappaError);
    try {
      createLocalUnsafeSandbox({ isolation: 'full' } as never);
    } catch (err) {
      expect((err as MappaError).hint).toContain('isolation: none');
    }
  });

  it('fails pipeline validation without isolation: none', () => {
    const def = createBuiltinRegistry().get('sandbox', 'local-unsafe')!;
    const bad = def.configSchema.safeParse({});
    expect(bad.success).toBe(false);
    expect(JSON.stringify(bad.error)).toContain('isolation');
    expect(def.configSchema.safeParse({ isolation: 'none' }).success).toBe(true);
  });

  it('warns through the logger on every run, workspace runs included', async () => {
    const { logger, warnings } = countingLogger();
    const sb = createLocalUnsafeSandbox({ isolation: 'none' }, logger);
    await sb.run({ code: 'print(1)', language: 'python' });
    await sb.run({ code: 'echo 1', language: 'bash' });
    const ws = await sb.openWorkspace();
    await ws.run({ code: 'print(2)', language: 'python' });
    await ws.close();
    expect(warnings).toHaveLength(3);
    expect(sb.warnings).toBe(3);
    expect(warnings[0]).toMatch(/WITHOUT isolation/);
  });

  it('still applies the wall-clock limit and the clean environment', async () => {
    process.env.MAPPA_TEST_UNSAFE_SECRET = 'do-not-leak';
    try {
      const sb = createLocalUnsafeSandbox({ isolation: 'none' }, countingLogger().logger);
      const r = await sb.run({ code: 'import os,time\nprint(os.environ.get("MAPPA_TEST_UNSAFE_SECRET"), flush=True)\ntime.sleep(30)', language: 'python', runTimeout: 2 });
      expect(r.runResult?.status).toBe('TimeLimitExceeded');
      expect(r.runResult?.stdout.trim()).toBe('None');
    } finally {
      delete process.env.MAPPA_TEST_UNSAFE_SECRET;
    }
  });
});
