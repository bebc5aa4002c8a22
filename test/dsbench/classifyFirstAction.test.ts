import { describe, expect, it } from 'vitest';
import type { ActionRecord } from '../../core/model/Action.js';
import type { EpisodeRecord } from '../../core/model/Episode.js';
import { Rng } from '../../core/util/Rng.js';
import { demonstrationProgram } from '../../environments/dsbench/demonstrations/demonstrationProgram.js';
import type { DsbenchTaskMetadata } from '../../environments/dsbench/DsbenchTaskMeta.js';
import { loadDsbenchTasks } from '../../environments/dsbench/loadDsbenchTasks.js';
import { classifyFirstAction } from '../../examples/dsbench/classifyFirstAction.js';

const task = (await loadDsbenchTasks({})).find((t) => (t.metadata as unknown as DsbenchTaskMetadata).taskType === 'classification')!;
const meta = task.metadata as unknown as DsbenchTaskMetadata;
const program = (agent: 'data_engineer' | 'modeler' | 'analyst', v: Parameters<typeof demonstrationProgram>[1]) =>
  demonstrationProgram(agent, v, { meta, helper: true, rng: Rng.fromSeed(0) });

function episode(actions: Array<{ agentId: string; text: string }>): EpisodeRecord {
  return {
    taskMetadata: task.metadata,
    actions: actions.map((a, index) => ({ index, agentId: a.agentId, text: a.text }) as unknown as ActionRecord),
  } as unknown as EpisodeRecord;
}

describe('classifyFirstAction', () => {
  it('names the demonstrated program each agent wrote first, and anything else as other', () => {
    const ep = episode([
      { agentId: 'data_engineer', text: '```python\n' + program('data_engineer', 'forget_x_test') + '\n```' },
      { agentId: 'modeler', text: program('modeler', 'correct') },
      { agentId: 'modeler', text: program('modeler', 'fit_on_test') },
      { agentId: 'analyst', text: '```python\nprint(1)\n```' },
    ]);
    expect(classifyFirstAction(ep, 'data_engineer')).toBe('forget_x_test');
    expect(classifyFirstAction(ep, 'modeler')).toBe('correct');
    expect(classifyFirstAction(ep, 'analyst')).toBe('other');
  });

  it('tells an Analyst prose answer and a missing agent apart', () => {
    const ep = episode([{ agentId: 'analyst', text: 'X_test.pkl is missing upstream' }]);
    expect(classifyFirstAction(ep, 'analyst')).toBe('report_missing');
    expect(classifyFirstAction(ep, 'modeler')).toBe('no action');
  });
});
