/**
 * Self-improvement: `I(t+1) = I(t)(source of I(t), metaUtility, languageModel)`. A new
 * improver that fails, returns nothing or scores 0 is rejected and the previous one kept.
 *
 * @module
 */
import type { LanguageModel } from "../lm/language_model.ts";
import type { MetaEvaluation, MetaSpeculation, MetaUtility } from "../utilities/meta_utility.ts";
import type { ImproverResult } from "./run_improver.ts";
import type { HostUtility } from "./guest_api.ts";

/** One thing that happened in a self-improvement run (for logs and progress). */
export type SelfImproveEvent =
  | { type: "baseline"; t: 0; metaUtility: { val: number; test: number } }
  | { type: "iteration-start"; t: number }
  | {
    type: "iteration-end";
    t: number;
    accepted: boolean;
    reason: string;
    candidate?: string;
    candidateMetaUtility?: { val: number; test: number };
    metaUtility: { val: number; test: number };
    /** Source of the improver kept after this iteration. */
    improver: string;
    lmCalls: number;
    metaCalls: number;
    /** The meta-utility's speculative (prefetched) evaluations and which were used. */
    speculation: MetaSpeculation;
  };

/** The outcome of one iteration. */
export interface IterationRecord {
  /** Iteration number (0 is the seed improver). */
  t: number;
  /** Whether the improver proposed in this iteration replaced the previous one. */
  accepted: boolean;
  /** Why it was accepted or rejected. */
  reason: string;
  /** Meta-utility of the improver kept after this iteration. */
  metaUtility: { val: number; test: number };
  /** Source of the improver kept after this iteration. */
  improver: string;
}

/** Options of {@linkcode selfImprove}. */
export interface SelfImproveOptions {
  /** Iterations T. */
  iterations: number;
  /** A fresh meta-utility (with its own budget of 25) for iteration `t`. */
  metaUtility: (t: number) => MetaUtility;
  /** The model object the improver uses in iteration `t` (budget 4). */
  model: (t: number) => LanguageModel;
  /** Runs one improver on one solution against one utility. */
  runImprover: (
    improverSource: string,
    initialSolution: string,
    context: { utility: HostUtility; model: LanguageModel; t: number },
  ) => Promise<ImproverResult>;
  /** Told about each event as it happens. */
  onEvent?: (event: SelfImproveEvent) => void | Promise<void>;
  /**
   * Records of iterations already done (e.g. by a run that was killed), `t = 0` first: the
   * loop continues after the last one instead of starting over. @default {[]}
   */
  done?: readonly IterationRecord[];
}

function pair(e: MetaEvaluation): { val: number; test: number } {
  return { val: e.val, test: e.test };
}

/**
 * Runs STOP's self-improvement loop from a seed improver.
 *
 * @param seedImprover The seed improver's source, `I(0)`.
 * @param options Iterations, how to make meta-utilities and models, how to run improvers.
 * @returns One record per iteration, `t = 0` first (the seed improver's meta-utility).
 * @throws {RangeError} When `iterations` is not a non-negative integer.
 * @throws {HostFailureError} When the host failed (a fatal endpoint error, a sandbox that
 * could not start): the iteration under way is not recorded, so the loop can be resumed.
 */
export async function selfImprove(
  seedImprover: string,
  options: SelfImproveOptions,
): Promise<IterationRecord[]> {
  if (!Number.isSafeInteger(options.iterations) || options.iterations < 0) {
    throw new RangeError(
      `Cannot self-improve as 'iterations' must be a non-negative integer: current value is ${options.iterations}`,
    );
  }
  const emit = async (e: SelfImproveEvent) => await options.onEvent?.(e);
  const records: IterationRecord[] = [...(options.done ?? [])];
  if (records.length === 0) {
    const baseline = pair(await options.metaUtility(0).evaluate(seedImprover));
    await emit({ type: "baseline", t: 0, metaUtility: baseline });
    records.push({
      t: 0,
      accepted: true,
      reason: "seed improver",
      metaUtility: baseline,
      improver: seedImprover,
    });
  }
  const last = records[records.length - 1]!;
  let current = last.improver;
  let currentScore = last.metaUtility;
  for (let t = records.length; t <= options.iterations; t++) {
    await emit({ type: "iteration-start", t });
    const meta = options.metaUtility(t);
    const model = options.model(t);
    let result: ImproverResult;
    try {
      result = await options.runImprover(current, current, { utility: meta, model, t });
    } catch (error) {
      // A host failure (or any error) stops the loop with nothing recorded for t; the
      // evaluations the meta-utility started early are waited for, so nothing runs on.
      await meta.settled?.();
      throw error;
    }
    let accepted = false;
    let reason: string;
    let candidateScore: { val: number; test: number } | undefined;
    if (!result.ok) {
      reason = `rejected: the improver failed (${result.failure.kind}: ${
        result.failure.message.split("\n")[0]
      })`;
    } else if (result.program.trim() === current.trim()) {
      reason = "rejected: the improver returned itself unchanged";
    } else {
      try {
        candidateScore = pair(await meta.evaluate(result.program));
      } catch (error) {
        await meta.settled?.();
        throw error;
      }
      if (candidateScore.val <= 0) {
        reason = "rejected: the new improver scores 0";
      } else {
        accepted = true;
        reason = `accepted: meta-utility ${candidateScore.val.toFixed(4)} (was ${
          currentScore.val.toFixed(4)
        })`;
        current = result.program;
        currentScore = candidateScore;
      }
    }
    await meta.settled?.();
    records.push({ t, accepted, reason, metaUtility: currentScore, improver: current });
    await emit({
      type: "iteration-end",
      t,
      accepted,
      reason,
      ...(result.ok ? { candidate: result.program } : {}),
      ...(candidateScore ? { candidateMetaUtility: candidateScore } : {}),
      metaUtility: currentScore,
      improver: current,
      lmCalls: model.uses,
      metaCalls: meta.uses,
      speculation: meta.speculation,
    });
  }
  return records;
}
