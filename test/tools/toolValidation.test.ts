import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { validatePipeline } from '../../core/pipeline/validatePipeline.js';
import { defineTool } from '../../core/tools/defineTool.js';
import { createBuiltinRegistry } from '../../plugins/builtins.js';
import { fakePlugins } from '../fakes/testPlugins.js';
import { TINY_DIR, tinyPipeline } from '../fakes/tinyPipeline.js';

async function validate(tools: unknown[], environment: unknown = { use: 'fake-env' }) {
  const registry = createBuiltinRegistry();
  registry.registerAll(fakePlugins().defs, 'test');
  const raw = tinyPipeline({ environment, agents: [{ id: 'solver', role: 'Solver', policy: 'a', prompt: 'prompts/agent.liquid', tools }] });
  return validatePipeline(raw, { registry, baseDir: TINY_DIR });
}

describe('agents[i].tools validation', () => {
  it('reports unknown tool plugins, bad configs and name clashes by path', async () => {
    const r = await validate([
      'calculator',
      { use: 'calculater' },
      { use: 'calculator' },
      { use: 'mcp' },
      { use: 'mcp', command: ['node', 'server.js'], include: ['add', 'calculator'], prefix: '' },
      { use: 'read_file', name: 'cat', maxBytes: 0 },
    ]);
    expect(r.ok).toBe(false);
    if (r.ok) return;
    const byPath = Object.fromEntries(r.issues.map((i) => [i.path, `${i.message} ${i.hint ?? ''}`]));
    expect(byPath['agents[0].tools[1].use']).toMatch(/unknown tool plugin "calculater".*did you mean "calculator"/);
    expect(byPath['agents[0].tools[2]']).toMatch(/tool name "calculator" clashes with agents\[0\]\.tools\[0\]/);
    expect(byPath['agents[0].tools[3]']).toMatch(/exactly one of `command` \(stdio\) or `url`/);
    expect(byPath['agents[0].tools[4]']).toMatch(/tool name "calculator" clashes with agents\[0\]\.tools\[0\]/);
    expect(byPath['agents[0].tools[5].maxBytes']).toBeDefined();
  });

  it('keeps names the environment runs as environment tools and makes the rest function tools', async () => {
    const mathchat = await validate(['python', { use: 'python', name: 'run_python' }], { use: 'mathchat', sandbox: { use: 'local-unsafe', isolation: 'none' } });
    expect(mathchat.ok ? [] : mathchat.issues).toEqual([]);
    if (!mathchat.ok) return;
    expect(mathchat.pipeline.agents[0]!.tools).toEqual(['python']);
    expect(mathchat.pipeline.agents[0]!.toolRefs).toEqual([{ ref: { use: 'python', name: 'run_python' }, path: 'agents[0].tools[1]' }]);
    const plain = await validate(['python', 'read_file', 'not-a-plugin']);
    expect(plain.ok ? [] : plain.issues).toEqual([]);
    if (!plain.ok) return;
    // fake-env does not say which names it runs: bare names stay its tools as well (as before function tools existed).
    expect(plain.pipeline.agents[0]!.tools).toEqual(['python', 'read_file', 'not-a-plugin']);
    expect(plain.pipeline.agents[0]!.toolRefs?.map((t) => t.ref.use)).toEqual(['python', 'read_file']);
  });

  it('defineTool derives the JSON Schema from zod and rejects bad names and non-object parameters', async () => {
    const t = defineTool({ name: 'greet', description: 'd', parameters: z.object({ who: z.string(), times: z.number().int().default(1) }), execute: ({ who, times }) => who.repeat(times) });
    expect(t.parameters).toMatchObject({ type: 'object', properties: { who: { type: 'string' }, times: { type: 'integer', default: 1 } }, required: ['who'] });
    expect(t.parameters['$schema']).toBeUndefined();
    expect(await t.execute({ who: 'a' }, {} as never)).toBe('a');
    expect(() => defineTool({ name: '1bad name', description: '', parameters: z.object({}), execute: () => '' })).toThrow(/not valid/);
    expect(() => defineTool({ name: 'x', description: '', parameters: { type: 'string' }, execute: () => '' })).toThrow(/must describe an object/);
    expect(() => defineTool({ name: 'x', description: '', parameters: { type: 'object', properties: { a: { type: 'no-such-type' } } }, execute: () => '' })).toThrow(
      /tool "x": the parameter schema is not valid JSON Schema/,
    );
  });
});
