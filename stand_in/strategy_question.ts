/**
 * The offline stand-in's answer to "which search strategy does this improver use?". The
 * question lists the labels on one line that starts with {@linkcode STRATEGY_QUESTION_MARKER};
 * the stand-in counts a few keyword cues per label in the program's code block and names
 * the label with the most cues (the last label, "none of these", when nothing matches).
 *
 * It is a keyword count, not a language model: it shares nothing with the project's static
 * classifier, but agreement between the two is weak evidence, and every reply says what
 * answered.
 *
 * @module
 */

import { STRATEGY_QUESTION_MARKER } from "../analysis/confirm_strategy.ts";

export { STRATEGY_QUESTION_MARKER };

const CUES: readonly [label: RegExp, cue: RegExp][] = [
  [/beam|tree/i, /\bbeam|frontier|\btree\b/gi],
  [/genetic|evolution/i, /crossover|mutat|offspring|genetic|population|fitness/gi],
  [/anneal/i, /anneal|cooling|Math\.exp/gi],
  [/temperature/i, /temperatures\b|temperature\s*[-+*/]?=(?!=)|\btemps?\s*[-+*/]=/gi],
  [/decompos/i, /decompos|only the function|one function|subproblem/gi],
  [/bandit|ucb/i, /\bucb|bandit|\barms?\b|pulls/gi],
  [/epsilon/i, /epsilon|\beps\b/gi],
  [/local/i, /local edit|single line|tweak|character/gi],
  [/hint/i, /\bhints?\b/gi],
];

/**
 * The labels a strategy question offers, or `undefined` when the text is not one.
 *
 * @param text The conversation's text.
 * @returns The labels in the order given.
 *
 * @example
 * ```ts
 * import { STRATEGY_QUESTION_MARKER, strategyQuestionLabels } from "./strategy_question.ts";
 * import { deepEqual } from "node:assert/strict";
 * deepEqual(strategyQuestionLabels(`${STRATEGY_QUESTION_MARKER} hints | other`), ["hints", "other"]);
 * ```
 */
export function strategyQuestionLabels(text: string): string[] | undefined {
  const at = text.indexOf(STRATEGY_QUESTION_MARKER);
  if (at < 0) return undefined;
  const line = text.slice(at + STRATEGY_QUESTION_MARKER.length).split("\n")[0] ?? "";
  const labels = line.split("|").map((l) => l.trim()).filter((l) => l !== "");
  return labels.length > 0 ? labels : undefined;
}

/**
 * Answers a strategy question as the stand-in does.
 *
 * @param text The conversation's text (the question and the program in a fenced block).
 * @returns A reply whose first line is `Strategy: <label>`.
 *
 * @example
 * ```ts
 * import { answerStrategyQuestion, STRATEGY_QUESTION_MARKER } from "./strategy_question.ts";
 * import { match } from "node:assert/strict";
 * const fence = "`".repeat(3);
 * const question = `${STRATEGY_QUESTION_MARKER} beam search | hints | other\n${fence}ts\nconst HINTS = [];\n${fence}`;
 * match(answerStrategyQuestion(question), /^Strategy: hints\n/);
 * ```
 */
export function answerStrategyQuestion(text: string): string {
  const labels = strategyQuestionLabels(text) ?? [];
  const fence = /(`{3,})[^\n`]*\n([\s\S]*?)\n\1/.exec(text);
  const code = fence?.[2] ?? text;
  let best: string | undefined;
  let bestCount = 0;
  for (const label of labels.slice(0, -1)) {
    const cue = CUES.find(([name]) => name.test(label))?.[1];
    const count = cue === undefined ? 0 : (code.match(cue) ?? []).length;
    if (count > bestCount) [best, bestCount] = [label, count];
  }
  const answer = best ?? labels[labels.length - 1] ?? "unknown";
  return `Strategy: ${answer}\n` +
    (best === undefined
      ? "None of the listed strategies' cues appear in the code."
      : `The code has ${bestCount} cue(s) of it, more than of any other listed strategy.`) +
    " (Answered by the offline stand-in's keyword count, not by a language model.)";
}
