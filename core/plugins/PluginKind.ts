import type { Coach } from '../contracts/Coach.js';
import type { DemonstrationSource } from '../contracts/DemonstrationSource.js';
import type { Environment } from '../contracts/Environment.js';
import type { Exporter } from '../contracts/Exporter.js';
import type { RunLogger } from '../contracts/RunLogger.js';
import type { Policy } from '../contracts/Policy.js';
import type { Sandbox } from '../contracts/Sandbox.js';
import type { TaskSource } from '../contracts/TaskSource.js';
import type { ToolSource } from '../contracts/Tool.js';
import type { Trainer } from '../contracts/Trainer.js';

export const PLUGIN_KINDS = ['policy', 'coach', 'environment', 'trainer', 'tasks', 'sandbox', 'demonstrations', 'exporter', 'logger', 'tool'] as const;
export type PluginKind = (typeof PLUGIN_KINDS)[number];

/** The instance type each plugin kind produces. */
export interface PluginInstanceMap {
  policy: Policy;
  coach: Coach;
  environment: Environment;
  trainer: Trainer;
  tasks: TaskSource;
  sandbox: Sandbox;
  demonstrations: DemonstrationSource;
  exporter: Exporter;
  logger: RunLogger;
  tool: ToolSource;
}
