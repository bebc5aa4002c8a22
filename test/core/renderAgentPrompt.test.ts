import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { AgentTurn } from '../../core/model/Episode.js';
import { renderAgentPrompt, upstreamOutputs, upstreamTurns } from '../../core/runner/renderAgentPrompt.js';
import { TemplateEngine } from '../../core/util/createTemplateEngine.js';

const dir = mkdtempSync(join(tmpdir(), 'mappa-prompt-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const turn = (agentId: string, output: string) => ({ agentId, output, actions: [] }) as unknown as AgentTurn;

describe('renderAgentPrompt', () => {
  it('keeps the reads order and skips agents that have not run', () => {
    const turns = new Map([['b', turn('b', 'B')], ['a', turn('a', 'A')]]);
    const up = upstreamTurns({ reads: ['a', 'missing', 'b'] }, turns);
    expect([...up.keys()]).toEqual(['a', 'b']);
    expect(upstreamOutputs(up)).toEqual({ a: 'A', b: 'B' });
  });

  it('gives the template task, agent, upstream and the observation variables', async () => {
    const file = join(dir, 'p.liquid');
    writeFileSync(file, '{{ agent.role }}#{{ agent.maxActions }}|{{ task.id }}:{{ task.prompt }}|{{ task.metadata.k }}|{{ upstream.a }}|{{ extra }}');
    const text = await renderAgentPrompt(
      new TemplateEngine(),
      { id: 'x', role: 'Solver', maxActions: 2, promptFile: file },
      { id: 't1', prompt: 'What is 1+1?', metadata: { k: 7 } },
      { a: 'draft' },
      { extra: 'obs' },
    );
    expect(text).toBe('Solver#2|t1:What is 1+1?|7|draft|obs');
  });
});
