/**
 * Asking a language model to confirm the static strategy label of an improver: the model
 * sees the label list with definitions and the program, answers `Strategy: <label>`, and the
 * answer is parsed back into a label and compared with {@linkcode analyzeStrategy}'s.
 *
 * With the offline stand-in the "model" is a keyword count (see
 * `stand_in/strategy_question.ts`, which reads the marker from here): the protocol is
 * exercised end to end, but its answer is no independent judgement.
 *
 * @module
 */
import type { LanguageModel } from "../lm/language_model.ts";
import {
  analyzeStrategy,
  OTHER_STRATEGY,
  STRATEGY_DEFINITIONS,
  STRATEGY_LABELS,
  type StrategyLabel,
} from "./strategy.ts";

/**
 * The line that marks a strategy question and lists its labels, separated by ` | `: the
 * protocol between this question and whoever answers it (a model, or the offline stand-in).
 */
export const STRATEGY_QUESTION_MARKER = "Strategy labels (choose exactly one):";

/** What confirming needs from a model: one `prompt` call. */
export type StrategyModel = Pick<LanguageModel, "prompt">;

/** The outcome of {@linkcode confirmStrategy}. */
export interface StrategyConfirmation {
  /** The static analysis' main label. */
  static: StrategyLabel;
  /** The static analysis' labels. */
  staticLabels: StrategyLabel[];
  /** The label the model chose, or `undefined` when its reply names none (or the call failed). */
  model: StrategyLabel | undefined;
  /** Whether the model's label is the static main label. */
  agrees: boolean;
  /** Whether the model's label is among the static labels. */
  agreesWithAnyLabel: boolean;
  /** The model's reply (empty when the call failed). */
  reply: string;
  /** Why the call failed, if it did. */
  error?: string;
}

const EXPERTISE =
  "You are an expert in search and optimisation algorithms who reads code carefully.";

/**
 * The question put to the model: the labels, their definitions, and the program.
 *
 * @param source The improver's source.
 * @returns The user message.
 *
 * @example
 * ```ts
 * import { strategyQuestion } from "./confirm_strategy.ts";
 * import { match } from "node:assert/strict";
 * match(strategyQuestion("export function improveAlgorithm() {}"), /Strategy: <label>/);
 * ```
 */
export function strategyQuestion(source: string): string {
  const longestRun = Math.max(2, ...[...source.matchAll(/`+/g)].map((m) => m[0].length));
  const fence = "`".repeat(longestRun + 1);
  const definitions = STRATEGY_LABELS.map((l) => `- ${l}: ${STRATEGY_DEFINITIONS[l]}`).join("\n");
  return `Classify the search strategy of the improver program below: the way it uses the language model and the utility to find a better program (not what the programs it asks for do).
${STRATEGY_QUESTION_MARKER} ${STRATEGY_LABELS.join(" | ")}
${definitions}
Answer with one line "Strategy: <label>", the label written exactly as above, then one sentence saying why.

${fence}ts
${source}
${fence}`;
}

const SYNONYMS: readonly [RegExp, StrategyLabel][] = [
  [/\bbeam\b|tree search|best-first/i, "beam search"],
  [/genetic|evolution|crossover/i, "genetic algorithm"],
  [/anneal/i, "simulated annealing"],
  [/temperature/i, "temperature variation"],
  [/decompos/i, "decomposition"],
  [/bandit|\bucb\b|thompson/i, "bandit"],
  [/epsilon|ε-greedy/i, "epsilon-greedy"],
  [/local edit|character-level|line edit/i, "local edits"],
  [/\bhints?\b/i, "hints"],
  [
    /sample and select|sample-and-select|best[- ]of[- ]n|iterative refinement|\bother\b|none of/i,
    OTHER_STRATEGY,
  ],
];

function labelIn(text: string): StrategyLabel | undefined {
  const lower = text.toLowerCase();
  const exact = STRATEGY_LABELS.map((l) => [l, lower.indexOf(l)] as const)
    .filter(([, at]) => at >= 0)
    .sort((a, b) => a[1] - b[1])[0];
  if (exact) return exact[0];
  const loose = SYNONYMS.map(([pattern, label]) => [label, text.search(pattern)] as const)
    .filter(([, at]) => at >= 0)
    .sort((a, b) => a[1] - b[1])[0];
  return loose?.[0];
}

/**
 * Reads the label out of a model's answer: the `Strategy:` line if there is one, else the
 * first label (or a recognisable synonym) the reply names.
 *
 * @param reply The model's reply.
 * @returns The label, or `undefined` when the reply names none.
 *
 * @example
 * ```ts
 * import { parseStrategyAnswer } from "./confirm_strategy.ts";
 * import { equal } from "node:assert/strict";
 * equal(parseStrategyAnswer("Strategy: Simulated Annealing\nIt cools."), "simulated annealing");
 * equal(parseStrategyAnswer("I think this is a UCB bandit."), "bandit");
 * equal(parseStrategyAnswer("No idea."), undefined);
 * ```
 */
export function parseStrategyAnswer(reply: string): StrategyLabel | undefined {
  const text = String(reply);
  const line = /^\W*strategy\W*:\s*(.+)$/im.exec(text);
  return (line ? labelIn(line[1]!) : undefined) ?? labelIn(text);
}

/**
 * Asks a model to choose the improver's strategy from the list and compares its answer with
 * the static analysis. Never throws: a failed call comes back with `error` set.
 *
 * @param source The improver's source.
 * @param model A model (one call is made, one reply asked for).
 * @param options.temperature Sampling temperature. @default {0}
 * @returns Both labels and whether they agree.
 *
 * @example
 * ```ts
 * import { confirmStrategy } from "./confirm_strategy.ts";
 * import { equal } from "node:assert/strict";
 * const model = { prompt: () => Promise.resolve(["Strategy: beam search\nIt keeps a beam."]) };
 * const confirmation = await confirmStrategy("const beamWidth = 2;", model);
 * equal(confirmation.model, "beam search");
 * equal(confirmation.agrees, true);
 * ```
 */
export async function confirmStrategy(
  source: string,
  model: StrategyModel,
  options: { temperature?: number } = {},
): Promise<StrategyConfirmation> {
  const analysis = analyzeStrategy(source);
  const base = { static: analysis.main, staticLabels: analysis.labels };
  let reply: string;
  try {
    const replies = await model.prompt(
      EXPERTISE,
      strategyQuestion(source),
      1,
      options.temperature ?? 0,
    );
    reply = typeof replies?.[0] === "string" ? replies[0] : "";
  } catch (error) {
    return {
      ...base,
      model: undefined,
      agrees: false,
      agreesWithAnyLabel: false,
      reply: "",
      error: error instanceof Error ? error.message : String(error),
    };
  }
  const chosen = parseStrategyAnswer(reply);
  return {
    ...base,
    model: chosen,
    agrees: chosen === analysis.main,
    agreesWithAnyLabel: chosen !== undefined && analysis.labels.includes(chosen),
    reply,
  };
}
