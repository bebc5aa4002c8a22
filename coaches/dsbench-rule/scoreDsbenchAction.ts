import { artifactOwner, missingArtifacts, REQUIRED_ARTIFACTS, STAGE_LABELS, upstreamStages, type DsbenchStage } from '../../environments/dsbench/coachFacts.js';
import { fitsOnTestData, printedSummary, wrongTargetColumn } from './codeChecks.js';
import type { DsbenchEvidence } from './dsbenchEvidence.js';
import { analystCap, type CapOptions, type CapResult } from './scoreCaps.js';

export interface DsbenchRuleOptions extends CapOptions {
  /** Penalise fitting transformers or models on the test set. */
  readonly checkLeakage: boolean;
  /** Penalise labels taken from a column that is not the target. */
  readonly checkTargetColumn: boolean;
}

export interface Blame {
  readonly stage: DsbenchStage;
  /** The upstream agent whose missing file made this action fail (its id when it acted earlier in the episode). */
  readonly agentId: string;
  readonly file: string;
}

export interface RuleScore {
  readonly score: number;
  readonly rationale: string;
  /** `culprit` (0–2), `victim` (3–5, failed only because of upstream files), `own-work` (scored on its own work). */
  readonly verdict: 'culprit' | 'victim' | 'own-work' | 'no-code';
  readonly blame?: Blame;
  readonly cap?: CapResult;
  readonly reasons: readonly string[];
}

const list = (xs: readonly string[]) => (xs.length ? xs.join(', ') : 'none');

/** Which upstream stage owns a missing file, if the file really is missing (not just loaded under the wrong name). */
function upstreamFault(ev: DsbenchEvidence, stage: DsbenchStage, file: string): { owner: DsbenchStage; wrongName?: string } | undefined {
  const owner = artifactOwner(file);
  if (!owner || !upstreamStages(stage).includes(owner)) return undefined;
  const artifact = REQUIRED_ARTIFACTS[owner].find((r) => r.pattern.test(file));
  if (artifact) {
    const present = ev.filesAvailable.find((f) => artifact.pattern.test(f.split('/').pop() ?? f));
    if (present) return { owner, wrongName: present };
  }
  return { owner };
}

function blameOf(ev: DsbenchEvidence, owner: DsbenchStage, file: string): Blame {
  return { stage: owner, agentId: ev.agentsByStage[owner] ?? owner, file };
}

/** Upstream artifacts (of earlier stages) that are not in the workspace. */
function missingUpstream(ev: DsbenchEvidence, stage: DsbenchStage): Array<{ stage: DsbenchStage; label: string }> {
  const needs: Partial<Record<DsbenchStage, readonly string[]>> = { modeler: ['X_train.pkl', 'y_train.pkl'], analyst: ['X_test.pkl', 'model.pkl'] };
  const wanted = needs[stage] ?? [];
  return upstreamStages(stage).flatMap((s) => missingArtifacts(s, ev.filesAvailable).filter((a) => wanted.includes(a.label)).map((a) => ({ stage: s, label: a.label })));
}

/**
 * Scores one DSBench action from environment evidence, following the paper's coach rubric: the blame protocol (an
 * agent whose missing file made a later agent fail is the culprit, 0–2; an agent that failed only because of upstream
 * files is not blamed, 3–5), mandatory artifacts per role, text-only answers as critical failures, and the Analyst's
 * score caps from ground-truth metrics. 10 is never given by rules (reserved for exceptional work).
 */
export function scoreDsbenchAction(ev: DsbenchEvidence, o: DsbenchRuleOptions): RuleScore {
  const reasons: string[] = [];
  const done = (score: number, verdict: RuleScore['verdict'], extra: { blame?: Blame; cap?: CapResult } = {}): RuleScore => {
    const s = Math.max(0, Math.min(10, score));
    return { score: s, verdict, reasons, ...extra, rationale: `${reasons.join(' ')} Score ${s}/10.` };
  };
  const stage = ev.stage;
  reasons.push(`Files available: ${list(ev.filesAvailable)}.`);
  if (!stage) {
    reasons.push('The agent is not a Data Engineer, Modeler or Analyst; scored on whether its code ran.');
    return done(ev.codeBlocks === 0 ? 5 : ev.codeRan ? 7 : 3, ev.codeBlocks === 0 ? 'no-code' : 'own-work');
  }
  const label = STAGE_LABELS[stage];
  const upstreamGaps = missingUpstream(ev, stage);

  // No code in this action.
  if (ev.codeBlocks === 0) {
    if (ev.turnIndex === 0) {
      const reportsMissing = ev.missingArtifactWarning !== undefined && /missing|not (?:found|available)|cannot|can't|x_test|model\.pkl/i.test(ev.actionText);
      if (reportsMissing && upstreamGaps.length > 0) {
        const culprit = upstreamGaps[0]!;
        reasons.push(`No code, but the ${label} correctly reports that ${culprit.label} is missing (upstream ${STAGE_LABELS[culprit.stage]}'s job).`);
        return done(4, 'victim', { blame: blameOf(ev, culprit.stage, culprit.label) });
      }
      reasons.push(`Text-only answer with no executable Python code${ev.truncated ? ' (the action hit the length limit)' : ''}: a critical failure for the ${label}.`);
      return done(1, 'no-code');
    }
    // A sign-off after earlier code actions: judge what the turn produced.
    return signOff(ev, stage, label, upstreamGaps, reasons, done, o);
  }

  // The code failed.
  const err = ev.executionError;
  if (!ev.codeRan && err) {
    reasons.push(`Execution failed: ${err.kind}${err.file ? ` on ${err.file}` : ''}${err.message && !err.file ? ` (${err.message.slice(0, 80)})` : ''}.`);
    if (err.kind === 'FileNotFoundError' && err.file) {
      const fault = upstreamFault(ev, stage, err.file);
      if (fault && !fault.wrongName) {
        reasons.push(`${err.file} should have been saved by the ${STAGE_LABELS[fault.owner]}, so this failure is upstream's fault and the ${label} is not blamed.`);
        return done(4, 'victim', { blame: blameOf(ev, fault.owner, err.file) });
      }
      if (fault?.wrongName) reasons.push(`The workspace has ${fault.wrongName}: the ${label} ignored the file list.`);
      else reasons.push(`${err.file} is not an upstream artifact: the ${label}'s own mistake.`);
      return done(2, 'own-work');
    }
    if (err.kind === 'TimeLimitExceeded') reasons.push('The code did not finish in time.');
    else if (err.kind === 'SyntaxError' || err.kind === 'IndentationError') reasons.push('The code does not even parse.');
    else reasons.push(`${err.kind} is a bug in the ${label}'s own code.`);
    const partial = ev.filesWrittenByAction.length > 0;
    if (partial) reasons.push(`It still saved ${list(ev.filesWrittenByAction)}.`);
    return done(err.kind === 'SyntaxError' || err.kind === 'IndentationError' ? 1 : partial ? 3 : 2, 'own-work');
  }

  // The code ran.
  reasons.push(`The code ran${ev.filesWrittenByAction.length ? ` and saved ${list(ev.filesWrittenByAction)}` : ' but saved no files'}.`);
  return ownWork(ev, stage, label, upstreamGaps, reasons, done, o, false);
}

type Done = (score: number, verdict: RuleScore['verdict'], extra?: { blame?: Blame; cap?: CapResult }) => RuleScore;

function signOff(ev: DsbenchEvidence, stage: DsbenchStage, label: string, gaps: ReturnType<typeof missingUpstream>, reasons: string[], done: Done, o: DsbenchRuleOptions): RuleScore {
  reasons.push(`Final message of the ${label}'s turn (no code); judged on what the turn produced: ${list(ev.filesWrittenByAgent)}.`);
  return ownWork(ev, stage, label, gaps, reasons, done, o, true);
}

function ownWork(ev: DsbenchEvidence, stage: DsbenchStage, label: string, gaps: ReturnType<typeof missingUpstream>, reasons: string[], done: Done, o: DsbenchRuleOptions, isSignOff: boolean): RuleScore {
  const complete = isSignOff ? 7 : printedSummary(ev.toolOutput) ? 9 : 8;
  // Unfinished work is only "exploration" while the agent has actions left.
  const turnEnds = isSignOff || ev.lastAction;
  if (turnEnds && !isSignOff) reasons.push(`This was the ${label}'s last action.`);
  const caps: Array<{ max: number; why: string }> = [];
  if (o.checkLeakage) {
    const leak = fitsOnTestData(ev.turnCode);
    if (leak) caps.push({ max: stage === 'data_engineer' ? 5 : 3, why: `it fits on test data (${leak}), which leaks the test set` });
  }
  const capped = (score: number, verdict: RuleScore['verdict'], extra: { blame?: Blame; cap?: CapResult } = {}) => {
    let s = score;
    for (const c of caps) {
      if (c.max < s) {
        reasons.push(`Capped at ${c.max}: ${c.why}.`);
        s = c.max;
      }
    }
    return done(s, verdict, extra);
  };

  if (stage === 'data_engineer') {
    const missing = missingArtifacts('data_engineer', ev.filesWrittenByAgent);
    if (o.checkTargetColumn) {
      const wrong = wrongTargetColumn(ev.turnCode, ev.targets);
      if (wrong) caps.push({ max: 3, why: `the labels come from column "${wrong}", not the target ${list(ev.targets)}` });
    }
    if (missing.length === 0) {
      reasons.push('All mandatory artifacts (X_train, y_train, X_test) are saved.');
      return capped(complete, 'own-work');
    }
    if (ev.filesWrittenByAgent.length === 0) {
      reasons.push(turnEnds ? 'Nothing saved.' : 'Nothing saved yet (exploration).');
      return capped(turnEnds ? 2 : 5, turnEnds ? 'culprit' : 'own-work');
    }
    const critical = missing.find((m) => m.label === 'X_test.pkl');
    reasons.push(`Missing mandatory artifact(s): ${list(missing.map((m) => m.label))}${critical ? ' — without X_test.pkl the Analyst cannot predict' : ''}.`);
    return capped(critical ? 2 : 3, 'culprit');
  }

  if (stage === 'modeler') {
    const hasModel = missingArtifacts('modeler', ev.filesWrittenByAgent).length === 0;
    if (hasModel) {
      reasons.push('model.pkl is saved.');
      return capped(complete, 'own-work');
    }
    if (gaps.length > 0) {
      const g = gaps[0]!;
      reasons.push(`${g.label} was never saved by the ${STAGE_LABELS[g.stage]}, so the Modeler cannot train; not blamed.`);
      return done(4, 'victim', { blame: blameOf(ev, g.stage, g.label) });
    }
    if (ev.filesWrittenByAgent.length === 0 && !turnEnds) {
      reasons.push('No model saved yet (exploration).');
      return capped(5, 'own-work');
    }
    reasons.push('The Modeler did not save model.pkl, which the Analyst needs.');
    return capped(turnEnds ? 2 : 3, 'culprit');
  }

  // Analyst
  const wroteSubmission = ev.submissionWritten || ev.filesWrittenByAgent.some((f) => /^submission\.csv$/i.test(f));
  if (!wroteSubmission) {
    if (gaps.length > 0) {
      const g = gaps[0]!;
      reasons.push(`${g.label} is missing (the ${STAGE_LABELS[g.stage]}'s job), so no submission is possible; the Analyst is not blamed.`);
      return done(4, 'victim', { blame: blameOf(ev, g.stage, g.label) });
    }
    if (!turnEnds) {
      reasons.push('No submission yet (preparation).');
      return capped(5, 'own-work');
    }
    reasons.push('The turn ended without a submission although the inputs were there.');
    return capped(2, 'culprit');
  }
  if (ev.submissionValid === false) {
    reasons.push('submission.csv was written but is invalid (wrong ids or columns).');
    return capped(3, 'own-work');
  }
  const cap = ev.metrics ? analystCap(ev.taskType, ev.metrics, o, ev.metric) : undefined;
  if (cap) {
    reasons.push(`Ground truth: ${cap.basis} → ${cap.band} band (max ${cap.max}).`);
    caps.push({ max: cap.max, why: `${cap.band} results` });
  } else reasons.push('submission.csv was written (no ground-truth metrics available to check it).');
  // With ground truth, the band decides (up to 9 for excellent results); a sign-off stays at most 7.
  return capped(cap && !isSignOff ? 9 : complete, 'own-work', cap ? { cap } : {});
}
