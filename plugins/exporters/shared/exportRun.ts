import { mkdir } from 'node:fs/promises';
import { basename, resolve } from 'node:path';
import type { ExportBatch, ExportContext, Exporter, ExportResult, ExportSample } from '../../../core/contracts/Exporter.js';
import type { Logger } from '../../../core/contracts/Logger.js';
import { MappaError } from '../../../core/util/MappaError.js';
import { silentLogger } from '../../../core/util/createLogger.js';
import { buildMappaRlRecords } from '../mappa-rl/buildMappaRlRecords.js';
import { type EpisodeFile, readRunDir } from '../report/readRunDir.js';
import { agentPrompt, conversationBefore } from './conversationBefore.js';
import { mappaRlOptionsFromConfig } from './mappaRlOptionsFromConfig.js';
import { readEpisodeFile } from './readEpisodeFile.js';

export interface ExportRunOptions {
  readonly runDir: string;
  readonly outDir: string;
  readonly exporter: Exporter;
  readonly agent?: string;
  /** Default `train`. */
  readonly split?: 'train' | 'eval';
  readonly steps?: { readonly from: number; readonly to: number };
  /** Keep only actions whose coach score is at least this (unscored actions are then left out). */
  readonly minScore?: number;
  readonly logger?: Logger;
  readonly onProgress?: (message: string) => void;
}

export interface ExportRunResult extends ExportResult {
  /** Actions exported, episode files read, and unreadable (torn) lines skipped. */
  readonly samples: number;
  readonly filesRead: number;
  readonly skippedLines: number;
}

const range = (steps: readonly number[]) => {
  if (steps.length === 0) return 'none';
  const s = [...new Set(steps)].sort((a, b) => a - b);
  return s.length === 1 ? String(s[0]) : `${s[0]}..${s.at(-1)} (${s.length} steps)`;
};

/**
 * Reads a run directory, selects actions (split, steps, agent, minimum score), builds their `mappa-rl` records with
 * the run's reward scale and advantage estimator, and hands them to an exporter one episode file at a time.
 * Whole episodes of a torn file are kept and the skipped lines counted; an unknown agent, split or step range, or a
 * selection without any action, is a MappaError naming what the run holds.
 */
export async function exportRun(o: ExportRunOptions): Promise<ExportRunResult> {
  const run = await readRunDir(o.runDir);
  const split = o.split ?? 'train';
  const runName = typeof run.config?.['name'] === 'string' ? (run.config['name'] as string) : basename(run.dir);
  const { options, agentIds, notes: configNotes } = mappaRlOptionsFromConfig(run.config, runName);
  const notes: string[] = [...configNotes];
  const splits = [...new Set(run.episodeFiles.map((f) => f.phase))].sort((a, b) => (a === 'train' ? -1 : b === 'train' ? 1 : a.localeCompare(b)));
  if (run.episodeFiles.length === 0) {
    throw new MappaError(`${run.dir} has no episode files (episodes/<split>-step-NNNN.jsonl)`, { hint: 'export a run that finished at least one step' });
  }
  if (!splits.includes(split)) {
    throw new MappaError(`run ${runName} has no "${split}" episodes`, { hint: `splits in this run: ${splits.join(', ')} (--split ${splits[0]})` });
  }
  const ofSplit = run.episodeFiles.filter((f) => f.phase === split);
  const files: EpisodeFile[] = o.steps ? ofSplit.filter((f) => f.step >= o.steps!.from && f.step <= o.steps!.to) : ofSplit;
  if (files.length === 0) {
    throw new MappaError(`no ${split} episodes in steps ${o.steps!.from}..${o.steps!.to === Infinity ? '' : o.steps!.to}`, {
      hint: `${split} steps in this run: ${range(ofSplit.map((f) => f.step))}`,
    });
  }
  if (o.agent !== undefined && agentIds.length > 0 && !agentIds.includes(o.agent)) {
    throw new MappaError(`run ${runName} has no agent "${o.agent}"`, {
      hint: `agents: ${agentIds.join(', ')}; splits: ${splits.join(', ')}; ${split} steps: ${range(ofSplit.map((f) => f.step))}`,
    });
  }

  let skippedLines = 0;
  let inexactPrompts = 0;
  let samples = 0;
  let filesRead = 0;
  const seenAgents = new Set<string>();
  let bestScore: number | undefined;
  async function* batches(): AsyncGenerator<ExportBatch> {
    for (const file of files) {
      const { episodes, skippedLines: skipped } = await readEpisodeFile(file.path);
      filesRead++;
      if (skipped) {
        skippedLines += skipped;
        notes.push(`${basename(file.path)}: ${skipped} unreadable line(s) skipped (a torn last line is what a run stopped mid-write leaves)`);
      }
      const records = buildMappaRlRecords(episodes, options);
      const picked: ExportSample[] = [];
      let i = 0;
      for (const episode of episodes) {
        for (const action of episode.actions) {
          const record = records[i++]!;
          seenAgents.add(action.agentId);
          if (record.score !== null && (bestScore === undefined || record.score > bestScore)) bestScore = record.score;
          if (o.agent !== undefined && action.agentId !== o.agent) continue;
          if (o.minScore !== undefined && (record.score === null || record.score < o.minScore)) continue;
          if (action.turnIndex === 0 && !agentPrompt(episode, action.agentId).exact) inexactPrompts++;
          picked.push({ record, messages: conversationBefore(episode, action), episode, action });
        }
      }
      samples += picked.length;
      o.onProgress?.(`${split} step ${file.step}: ${picked.length} action(s) (${filesRead}/${files.length} files)`);
      if (picked.length) yield { split, step: file.step, samples: picked };
    }
  }

  // Nothing is written until a first action is selected, so an empty selection leaves no empty files behind.
  const it = batches();
  const first = await it.next();
  if (first.done) {
    const agents = agentIds.length ? agentIds : [...seenAgents];
    if (o.agent !== undefined && !seenAgents.has(o.agent)) {
      throw new MappaError(`agent "${o.agent}" has no actions in the selected ${split} episodes`, {
        hint: `agents with actions there: ${[...seenAgents].join(', ') || 'none'}; steps: ${range(files.map((f) => f.step))}`,
      });
    }
    throw new MappaError(`the selection holds no action (split ${split}, steps ${range(files.map((f) => f.step))}${o.agent ? `, agent ${o.agent}` : ''}${o.minScore !== undefined ? `, score ≥ ${o.minScore}` : ''})`, {
      hint: `agents: ${agents.join(', ') || 'none'}; splits: ${splits.join(', ')}; highest score there: ${bestScore ?? 'none (no scored action)'}${skippedLines ? `; ${skippedLines} unreadable line(s) were skipped` : ''}`,
    });
  }
  async function* all(): AsyncGenerator<ExportBatch> {
    yield first.value as ExportBatch;
    yield* it;
  }
  const outDir = resolve(o.outDir);
  await mkdir(outDir, { recursive: true });
  const context: ExportContext = { outDir, runName, logger: o.logger ?? silentLogger, ...(o.onProgress ? { onProgress: o.onProgress } : {}) };
  const result = await o.exporter.export(all(), context);
  if (inexactPrompts) {
    notes.push(
      `${inexactPrompts} agent prompt(s) could not be recovered exactly (run recorded before prompts were kept, policy reported a chat-template context): conversational formats carry that whole rendered context as the first user message`,
    );
  }
  return { files: result.files, notes: [...notes, ...result.notes], samples, filesRead, skippedLines };
}
