import type { ActionRecord } from '../model/Action.js';
import type { EpisodeRecord } from '../model/Episode.js';
import type { MappaRlRecord } from '../model/MappaRlRecord.js';
import type { Logger } from './Logger.js';

/** A chat message as the agent saw it (tool outputs keep the role under which they were appended to its context). */
export interface ExportMessage {
  readonly role: 'system' | 'user' | 'assistant' | 'tool';
  readonly content: string;
}

/** One exported action: the canonical record plus what conversational formats need to rebuild the conversation. */
export interface ExportSample {
  readonly record: MappaRlRecord;
  /** The conversation before this action, exactly as the agent saw it: its prompt, earlier actions, tool outputs. */
  readonly messages: readonly ExportMessage[];
  readonly episode: EpisodeRecord;
  readonly action: ActionRecord;
}

/** Selected samples of one episode file (one split and step), in episode order. */
export interface ExportBatch {
  readonly split: 'train' | 'eval';
  readonly step: number;
  readonly samples: readonly ExportSample[];
}

export interface ExportContext {
  /** Directory the exporter writes into (created before `export` is called). */
  readonly outDir: string;
  /** Name of the run (pipeline name, else the run directory's name). */
  readonly runName: string;
  readonly logger: Logger;
  /** Extra progress lines for long exports (the CLI prints them on stderr). */
  readonly onProgress?: (message: string) => void;
}

export interface ExportedFile {
  readonly path: string;
  readonly rows: number;
}

export interface ExportResult {
  readonly files: readonly ExportedFile[];
  /** Visible remarks: rows left out and why, defaults taken. */
  readonly notes: readonly string[];
}

/**
 * Turns the selected actions of a run into files for some trainer. Batches arrive one episode file at a time, so an
 * exporter can stream a run of any size; all actions of one GRPO group are always in the same batch.
 */
export interface Exporter {
  readonly name: string;
  export(batches: AsyncIterable<ExportBatch>, context: ExportContext): Promise<ExportResult>;
}
