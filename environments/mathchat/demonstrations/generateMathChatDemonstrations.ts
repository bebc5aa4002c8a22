import type { AgentSpec } from '../../../core/contracts/AgentSpec.js';
import type { ToolResult } from '../../../core/contracts/Environment.js';
import type { ActionRecord } from '../../../core/model/Action.js';
import type { AgentTurn } from '../../../core/model/Episode.js';
import type { Message } from '../../../core/model/Message.js';
import type { Task } from '../../../core/model/Task.js';
import { TemplateEngine } from '../../../core/util/createTemplateEngine.js';
import { deriveSeed } from '../../../core/util/deriveSeed.js';
import { Rng } from '../../../core/util/Rng.js';
import { evaluateRational } from '../answers/evaluateRational.js';
import { printedNumber } from '../answers/numbersInText.js';
import { parseMathExpression } from '../answers/parseMathExpression.js';
import { evaluatePython } from '../answers/pythonArithmetic.js';
import { MathChatEpisode } from '../MathChatEpisode.js';
import { inferMathChatRole, type MathChatRole } from '../mathchatRoles.js';
import { BlockToolResponseFormatter, type ToolResponseFormat } from '../../code-sandbox/BlockToolResponseFormatter.js';
import { type DemonstrationRatesInput, DemonstrationRatesSchema, type DemonstrationRates } from './DemonstrationRates.js';
import { ExpressionSandbox } from './ExpressionSandbox.js';
import { slipNumber, slipValue, swapOperator } from './slips.js';
import { renderAgentPrompt, upstreamOutputs, upstreamTurns } from '../../../core/runner/renderAgentPrompt.js';

/** One supervised example: what the agent saw (exactly as the runner renders it) and what it should answer. */
export interface Demonstration {
  readonly agentId: string;
  /** The conversation before the response (the prompt, then earlier actions and tool responses). */
  readonly messages: readonly Message[];
  readonly response: string;
  readonly taskId: string;
  /** Position of the response within the agent's turn. */
  readonly turnIndex: number;
  /** Mistakes put into this response on purpose (empty for a clean one). */
  readonly errors: readonly string[];
}

/** A task with the expression that solves it (from `mathchat-generator`). */
export interface DemoProblem {
  readonly task: Task;
  readonly solution: string;
}

export interface DemonstrationOptions {
  readonly problems: readonly DemoProblem[];
  /** Agents in execution order, as the validated pipeline has them (prompt files, tools, reads, maxActions). */
  readonly agents: readonly AgentSpec[];
  readonly rates?: DemonstrationRatesInput;
  /**
   * Whether the Problem Solver's draft states the result (`12+3*4=24`, default) or only sets the problem up
   * (`12+3*4`), leaving the arithmetic to the Code Executor. Tiny from-scratch models cannot do arithmetic in their
   * heads, so the built-in default uses drafts without results; `valueSlip`/`noAnswer` then do not apply.
   */
  readonly solverStatesResult?: boolean;
  readonly seed?: number;
  /** The environment's tool-response format and tool name, so tool turns look exactly as in training. */
  readonly toolFormat?: ToolResponseFormat;
  readonly toolName?: string;
  readonly roleOverrides?: Readonly<Record<string, MathChatRole>>;
  readonly templates?: TemplateEngine;
}

export interface DemonstrationSet {
  readonly demonstrations: Demonstration[];
  /** Per agent: `count` and one count per mistake kind. */
  readonly stats: Record<string, Record<string, number>>;
}

type Weights<K extends string> = Readonly<Record<K, number>>;

/** One categorical draw among mutually exclusive mistakes; `undefined` = no mistake. */
function draw<K extends string>(rng: Rng, rates: Weights<K>): K | undefined {
  let r = rng.next();
  for (const [k, p] of Object.entries(rates) as Array<[K, number]>) {
    if (r < p) return k;
    r -= p;
  }
  return undefined;
}

function pythonOk(expr: string): boolean {
  try {
    evaluatePython(parseMathExpression(expr, 'python'));
    return true;
  } catch {
    return false;
  }
}

/** A slip that still runs (never turns a denominator into 0). */
function safe(rng: Rng, expr: string, slip: (e: string, r: Rng) => string): string {
  for (let i = 0; i < 8; i++) {
    const out = slip(expr, rng);
    if (out !== expr && pythonOk(out)) return out;
  }
  return expr;
}

function record(agent: AgentSpec, index: number, turnIndex: number, text: string, tool: ToolResult | undefined): ActionRecord {
  return {
    index,
    agentId: agent.id,
    role: agent.role,
    turnIndex,
    inputText: '',
    contextIds: [],
    text,
    actionIds: [],
    logprobs: [],
    finishReason: 'stop',
    policyId: agent.policyId,
    policyVersion: 0,
    toolCalls: tool?.calls ?? [],
    toolOutput: tool?.message.content ?? '',
    filesWritten: [],
    extras: tool?.extras ?? {},
    timings: { generateMs: 0, toolMs: 0 },
  };
}

const codeFor = (expr: string, print: boolean) => '```python\n' + (print ? `print(${expr})` : expr) + '\n```';

/** The state of one demonstration episode as the chain unfolds. */
interface Chain {
  readonly problem: DemoProblem;
  readonly rng: Rng;
  /** The expression the Problem Solver wrote (possibly with its mistakes). */
  draftExpr?: string;
}

/**
 * SFT warm-start demonstrations for the MathChat agents, in exactly the format the pipeline's prompt templates render:
 * each episode is played through the real `mathchat` environment (prompt variables and tool responses), with Python
 * output predicted exactly by `ExpressionSandbox`. Mistakes are put in at the configured rates and flow downstream
 * like real ones (a Verifier faithfully copies a wrong code output), so RL has something to improve.
 *
 * Scripted behaviour (matching the tiny prompts): Solver `12+3*4=24`; Code Executor copies the expression from an
 * arithmetic problem (from the draft for word problems) into "```python\nprint(…)\n```", then reports the printed
 * number (or retries with `print` when nothing was printed); Verifier `\boxed{<printed number>}`.
 */
export async function generateMathChatDemonstrations(o: DemonstrationOptions): Promise<DemonstrationSet> {
  const rates: DemonstrationRates = DemonstrationRatesSchema.parse(o.rates ?? {});
  const seed = o.seed ?? 0;
  const templates = o.templates ?? new TemplateEngine();
  const toolName = o.toolName ?? 'python';
  const formatter = new BlockToolResponseFormatter(o.toolFormat ?? {});
  const sandbox = new ExpressionSandbox();
  const roles = o.agents.map((a, i) =>
    inferMathChatRole(a.role, { usesCode: a.tools.includes(toolName), isLast: i === o.agents.length - 1, ...(o.roleOverrides ? { overrides: o.roleOverrides } : {}) }),
  );
  const demonstrations: Demonstration[] = [];
  const stats: Record<string, Record<string, number>> = {};
  const count = (agentId: string, key: string) => {
    const s = (stats[agentId] ??= { count: 0 });
    s[key] = (s[key] ?? 0) + 1;
  };

  for (const problem of o.problems) {
    const { task } = problem;
    const episode = new MathChatEpisode(task, {
      sandbox,
      formatter,
      toolName,
      languages: ['python'],
      maxBlocks: 4,
      runTimeout: 10,
      ...(o.roleOverrides ? { roleOverrides: o.roleOverrides } : {}),
    });
    const chain: Chain = { problem, rng: Rng.fromSeed(deriveSeed(seed, 'mathchat-demos', task.id)) };
    const turns = new Map<string, AgentTurn>();
    let index = 0;
    for (const [i, agent] of o.agents.entries()) {
      const upstream = upstreamTurns(agent, turns);
      const observation = await episode.observe(agent, upstream);
      const prompt = await renderAgentPrompt(templates, agent, task, upstreamOutputs(upstream), observation.vars);
      const messages: Message[] = [{ role: 'user', content: prompt }];
      const actions: ActionRecord[] = [];
      for (let turnIndex = 0; turnIndex < agent.maxActions; turnIndex++) {
        const { text, errors } = respond(roles[i]!, chain, rates, observation.vars, turnIndex, actions, o.solverStatesResult ?? true);
        demonstrations.push({ agentId: agent.id, messages: [...messages], response: text, taskId: task.id, turnIndex, errors });
        count(agent.id, 'count');
        for (const e of errors) count(agent.id, e);
        const tool = agent.tools.length > 0 ? await episode.executeTools(agent, { text, index }) : undefined;
        actions.push(record(agent, index++, turnIndex, text, tool));
        if (!tool) break;
        messages.push({ role: 'assistant', content: text }, tool.message);
      }
      turns.set(agent.id, { agentId: agent.id, role: agent.role, actions, output: actions.at(-1)?.text ?? '' });
    }
  }
  return { demonstrations, stats };
}

function respond(
  role: MathChatRole,
  chain: Chain,
  rates: DemonstrationRates,
  vars: Readonly<Record<string, unknown>>,
  turnIndex: number,
  actions: readonly ActionRecord[],
  solverStatesResult: boolean,
): { text: string; errors: string[] } {
  const { rng, problem } = chain;
  const errors: string[] = [];
  switch (role) {
    case 'solver': {
      let expr = problem.solution;
      const exprSlip = draw(rng, { wrongOperator: rates.solver.wrongOperator, numberSlip: rates.solver.numberSlip });
      if (exprSlip === 'wrongOperator') expr = safe(rng, expr, swapOperator);
      if (exprSlip === 'numberSlip') expr = safe(rng, expr, slipNumber);
      if (exprSlip && expr !== problem.solution) errors.push(`solver.${exprSlip}`);
      chain.draftExpr = expr;
      if (!solverStatesResult) return { text: expr, errors };
      const valueSlip = draw(rng, { valueSlip: rates.solver.valueSlip, noAnswer: rates.solver.noAnswer });
      if (valueSlip === 'noAnswer') {
        errors.push('solver.noAnswer');
        return { text: expr, errors };
      }
      const value = evaluateRational(parseMathExpression(expr, 'python'));
      let shown = value.toString();
      if (valueSlip === 'valueSlip') {
        shown = slipValue(value, rng);
        errors.push('solver.valueSlip');
      }
      return { text: `${expr}=${shown}`, errors };
    }
    case 'coder': {
      const last = actions.at(-1);
      if (turnIndex === 0 || !last || last.toolCalls.length === 0) {
        const source = problem.task.metadata['taskType'] === 'word' ? (chain.draftExpr ?? problem.solution) : problem.solution;
        let expr = source;
        const slip = draw(rng, {
          noCode: rates.coder.noCode,
          missingPrint: rates.coder.missingPrint,
          wrongOperator: rates.coder.wrongOperator,
          copySlip: rates.coder.copySlip,
        });
        if (slip === 'noCode') {
          errors.push('coder.noCode');
          return { text: evaluateRational(parseMathExpression(source, 'python')).toString(), errors };
        }
        if (slip === 'wrongOperator') expr = safe(rng, expr, swapOperator);
        if (slip === 'copySlip') expr = safe(rng, expr, slipNumber);
        if ((slip === 'wrongOperator' || slip === 'copySlip') && expr !== source) errors.push(`coder.${slip}`);
        if (slip === 'missingPrint') errors.push('coder.missingPrint');
        return { text: codeFor(expr, slip !== 'missingPrint'), errors };
      }
      // After a tool response: report what was printed, or retry with print when nothing was.
      const stdout = (last.extras['stdouts'] as string[] | undefined)?.join('') ?? '';
      const shown = stdout.trim().split('\n').at(-1) ?? '';
      if (!shown) {
        const code = last.toolCalls[0]!.input.trim();
        return { text: codeFor(code, true), errors };
      }
      if (rng.next() < rates.coder.reportSlip) {
        errors.push('coder.reportSlip');
        return { text: slipNumber(shown, rng), errors };
      }
      return { text: shown, errors };
    }
    case 'verifier': {
      const out = String(vars['previousToolResult'] ?? '');
      const fromTool = printedNumber(out.replace(/^\[.*$/gm, ''));
      const fromCoder = printedNumber(String(vars['previousOutput'] ?? ''));
      let value = fromTool ?? fromCoder ?? '0';
      const slip = draw(rng, { unboxed: rates.verifier.unboxed, copySlip: rates.verifier.copySlip });
      if (slip === 'copySlip') {
        value = slipNumber(value, rng);
        errors.push('verifier.copySlip');
      }
      if (slip === 'unboxed') {
        errors.push('verifier.unboxed');
        return { text: value, errors };
      }
      return { text: `\\boxed{${value}}`, errors };
    }
  }
}
