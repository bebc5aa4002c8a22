import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Ajv } from 'ajv';
import { describe, expect, it } from 'vitest';
import type { SandboxWorkspace } from '../../core/contracts/Sandbox.js';
import type { Tool, ToolSource } from '../../core/contracts/Tool.js';
import { ToolExecutor } from '../../core/tools/ToolExecutor.js';

export interface ToolConformanceOptions {
  readonly create: () => Promise<ToolSource>;
  /** A call that must succeed, and a check of its output. */
  readonly sample: { readonly tool: string; readonly args: Record<string, unknown>; readonly output: (text: string) => boolean };
  /** Gives the session a workspace (tools that run code or touch files). */
  readonly workspace?: (dir: string) => Promise<SandboxWorkspace | undefined>;
}

/** What every `tool` plugin must do: valid names and schemas, a working call, failures as results, clean sessions. */
export function describeToolConformance(name: string, o: ToolConformanceOptions): void {
  describe(`Tool conformance: ${name}`, () => {
    it('offers valid names and JSON-Schema object parameters, runs a call, and reports bad arguments as results', async () => {
      const dir = await mkdtemp(join(tmpdir(), 'mappa-tool-conf-'));
      const source = await o.create();
      const workspace = await o.workspace?.(dir);
      try {
        const base = { episodeId: 'conf', agentId: 'a', workDir: workspace?.hostDir ?? dir, ...(workspace ? { workspace } : {}) };
        const session = await source.open({ ...base, signal: new AbortController().signal });
        expect(session.tools.length).toBeGreaterThan(0);
        const ajv = new Ajv({ strict: false });
        for (const t of session.tools) {
          expect(t.name).toMatch(/^[A-Za-z][\w.-]{0,63}$/);
          expect(typeof t.description).toBe('string');
          expect(t.parameters['type']).toBe('object');
          expect(() => ajv.compile(t.parameters as object)).not.toThrow();
        }
        const tools = new Map<string, Tool>(session.tools.map((t) => [t.name, t]));
        const executor = new ToolExecutor();
        const ctx = { ...base, actionIndex: 0, seed: 1, signal: new AbortController().signal };
        const ok = await executor.execute([{ id: 'c0', name: o.sample.tool, arguments: JSON.stringify(o.sample.args) }], tools, ctx);
        expect(ok.calls[0]).toMatchObject({ status: 'ok', id: 'c0', tool: o.sample.tool });
        expect(o.sample.output(ok.calls[0]!.output)).toBe(true);
        const tool = tools.get(o.sample.tool)!;
        const required = (tool.parameters['required'] as string[] | undefined) ?? [];
        if (required.length > 0) {
          const bad = await executor.execute([{ id: 'c1', name: o.sample.tool, arguments: '{}' }], tools, ctx);
          expect(bad.calls[0]).toMatchObject({ status: 'error', errorKind: 'invalid-arguments' });
          expect(bad.messages[0]!.content).toContain(`must have required property '${required[0]}'`);
        }
        await session.close?.();
        // A second session works after the first closed.
        const again = await source.open({ ...base, signal: new AbortController().signal });
        expect(again.tools.map((t) => t.name)).toEqual(session.tools.map((t) => t.name));
        await again.close?.();
      } finally {
        await source.dispose?.();
        await workspace?.close();
        await rm(dir, { recursive: true, force: true });
      }
    }, 30_000);
  });
}
