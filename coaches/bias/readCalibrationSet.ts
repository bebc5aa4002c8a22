import { readFile } from 'node:fs/promises';
import { z } from 'zod';
import { MappaError } from '../../core/util/MappaError.js';
import { parseCoachActionFile } from '../coachActionFile.js';
import type { CalibrationItem } from './BiasMonitorCoach.js';

const ItemMeta = z.looseObject({
  id: z.string().min(1).optional(),
  expectedScore: z.number().min(0).max(10).optional(),
});

/**
 * Reads a calibration set: a JSON array (or `{ "actions": [...] }`) of action files, each optionally with an `id`
 * (default: its position) and an `expectedScore`.
 */
export async function readCalibrationSet(file: string): Promise<CalibrationItem[]> {
  let data: unknown;
  try {
    data = JSON.parse(await readFile(file, 'utf8'));
  } catch (err) {
    throw new MappaError(`cannot read calibration set ${file}: ${(err as Error).message}`, {
      hint: 'a JSON array of action files (see docs/coaches.md), each optionally with "id" and "expectedScore"',
    });
  }
  const list = Array.isArray(data) ? data : (data as { actions?: unknown })?.actions;
  if (!Array.isArray(list)) throw new MappaError(`${file}: expected a JSON array of actions (or {"actions": [...]})`);
  const ids = new Set<string>();
  return list.map((entry, i) => {
    const meta = ItemMeta.safeParse(entry);
    if (!meta.success) throw new MappaError(`${file}[${i}]: ${meta.error.issues.map((x) => `${x.path.join('.')}: ${x.message}`).join('; ')}`);
    const { id = String(i), expectedScore, ...action } = meta.data;
    if (ids.has(id)) throw new MappaError(`${file}[${i}]: duplicate calibration id "${id}"`);
    ids.add(id);
    return { id, input: parseCoachActionFile(action, `${file}[${i}]`), ...(expectedScore !== undefined ? { expectedScore } : {}) };
  });
}
