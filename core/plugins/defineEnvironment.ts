import { z } from 'zod';
import type { AgentSpec } from '../contracts/AgentSpec.js';
import type { Environment, EpisodeContext, EpisodeEnvironment, ToolResult } from '../contracts/Environment.js';
import type { ActionRecord } from '../model/Action.js';
import type { Artifact } from '../model/Artifact.js';
import type { AgentTurn, Outcome } from '../model/Episode.js';
import type { Task } from '../model/Task.js';
import { MappaError } from '../util/MappaError.js';
import { definePlugin } from './definePlugin.js';
import type { PluginDeps, PluginDefinition } from './PluginDefinition.js';

type MaybePromise<T> = T | Promise<T>;

/** One episode of an environment made with `defineEnvironment`; only `evaluate` is required. */
export interface EpisodeHooks<F extends Record<string, unknown>> {
  /** Extra prompt variables for an agent (the runtime already passes `task`, `agent` and `upstream`). Default: none. */
  observe?(agent: AgentSpec, upstream: ReadonlyMap<string, AgentTurn>): MaybePromise<Readonly<Record<string, unknown>>>;
  /** Runs the tool calls in an action; `undefined` (the default) means no tool call, which ends the agent's turn. */
  tools?(agent: AgentSpec, action: { readonly text: string; readonly index: number }): MaybePromise<ToolResult | undefined>;
  /** Files in the workspace. Default: none. */
  artifacts?(): MaybePromise<readonly Artifact[]>;
  /** Facts for the coach about one action, checked against the environment's `facts` schema. Default: `{}`. */
  coachFacts?(agent: AgentSpec, action: ActionRecord, previous: readonly ActionRecord[]): MaybePromise<F>;
  /** Default: the task's `groundTruth`. */
  groundTruth?(): unknown;
  /** Grades the episode from the final outputs (never from coach scores). */
  evaluate(turns: ReadonlyMap<string, AgentTurn>): MaybePromise<Outcome>;
  close?(): MaybePromise<void>;
}

export interface DefineEnvironmentOptions<S extends z.ZodType, F extends Record<string, unknown>> {
  readonly name: string;
  readonly description: string;
  /** Config schema (everything next to `use:`). Default: no fields. */
  readonly config?: S;
  /**
   * Schema of the facts this environment gives coaches (the `extras` of every coach input). Coaches made with
   * `defineCoach({ facts })` read them typed. Default: no facts.
   */
  readonly facts?: z.ZodType<F>;
  /** Starts one episode; `context` adds the parsed config and the plugin deps to the episode context. */
  episode(task: Task, context: EpisodeContext & { readonly config: z.output<S>; readonly deps: PluginDeps }): MaybePromise<EpisodeHooks<F>>;
  dispose?(): MaybePromise<void>;
}

/**
 * Declares an environment plugin with defaults for everything but grading: no prompt variables, no tools, no files,
 * no coach facts, the task's ground truth. Returns a plugin definition for `plugins:` in a pipeline file.
 */
export function defineEnvironment<S extends z.ZodType = z.ZodObject<{}, z.core.$strict>, F extends Record<string, unknown> = Record<string, never>>(
  options: DefineEnvironmentOptions<S, F>,
): PluginDefinition<'environment', z.output<S>> {
  const facts = options.facts;
  return definePlugin({
    kind: 'environment',
    name: options.name,
    description: options.description,
    configSchema: (options.config ?? z.strictObject({})) as unknown as z.ZodType<z.output<S>>,
    create: (config, deps): Environment => ({
      name: options.name,
      async createEpisode(task, context): Promise<EpisodeEnvironment> {
        const hooks = await options.episode(task, { ...context, config, deps });
        return {
          observe: async (agent, upstream) => ({ vars: (await hooks.observe?.(agent, upstream)) ?? {} }),
          executeTools: async (agent, action) => hooks.tools?.(agent, action),
          artifacts: async () => (await hooks.artifacts?.()) ?? [],
          async coachContext(agent, action, previous) {
            const value = (await hooks.coachFacts?.(agent, action, previous)) ?? {};
            if (!facts) return value;
            const parsed = facts.safeParse(value);
            if (!parsed.success) {
              throw new MappaError(`environment "${options.name}" gave coach facts that do not match its facts schema: ${z.prettifyError(parsed.error)}`, {
                hint: 'return from coachFacts() exactly what the environment\'s `facts` schema declares',
              });
            }
            return parsed.data;
          },
          groundTruth: () => (hooks.groundTruth ? hooks.groundTruth() : task.groundTruth),
          evaluate: async (turns) => hooks.evaluate(turns),
          close: async () => {
            await hooks.close?.();
          },
        };
      },
      ...(options.dispose ? { dispose: options.dispose } : {}),
    }),
  });
}
