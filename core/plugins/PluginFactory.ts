import type { Logger } from '../contracts/Logger.js';
import type { RunContext } from '../contracts/RunContext.js';
import { PipelineValidationError } from '../util/PipelineValidationError.js';
import type { ValidationIssue } from '../util/ValidationIssue.js';
import type { PluginCreator } from './PluginCreator.js';
import type { PluginInstanceMap, PluginKind } from './PluginKind.js';
import type { PluginRef } from './pluginRef.js';
import type { PluginRegistry } from './PluginRegistry.js';
import { validatePluginRef } from './validatePluginRef.js';

/** Creates plugin instances from `{ use, ...config }` references; plugins use it for nested plugins. */
export class PluginFactory implements PluginCreator {
  constructor(
    readonly registry: PluginRegistry,
    readonly run: RunContext,
    readonly logger: Logger,
  ) {}

  /** Validates the reference (reporting problems by `path`) and creates the instance. */
  async create<K extends PluginKind>(kind: K, ref: PluginRef, path: string, id?: string): Promise<PluginInstanceMap[K]> {
    const issues: ValidationIssue[] = [];
    const checked = validatePluginRef(this.registry, kind, ref, path, issues);
    if (issues.length > 0 || !checked?.definition) throw new PipelineValidationError(issues);
    return (await checked.definition.create(checked.config, {
      run: this.run,
      logger: this.logger,
      plugins: this,
      path,
      id: id ?? ref.use,
    })) as PluginInstanceMap[K];
  }
}
