/** A file in an episode's workspace and who wrote it. */
export interface Artifact {
  /** Path relative to the workspace root. */
  readonly path: string;
  readonly bytes: number;
  /** Agent that created or last changed the file; `environment` for files the task provided. */
  readonly writtenBy: string;
  /** Index of the action (within the episode) that wrote it, if an agent did. */
  readonly actionIndex?: number;
  readonly sha256?: string;
}
