/**
 * Naming the main strategy of an improver program, by the paper's list of strategies the
 * model proposed (a keyword classifier: a label for tables, not an analysis).
 *
 * @module
 */

const STRATEGIES: readonly [name: string, pattern: RegExp][] = [
  ["genetic algorithm", /crossover|mutat|genetic|population.*generation/i],
  ["beam search", /\bbeam\b|beam[_ ]?width|tree search/i],
  ["simulated annealing", /anneal|cooling/i],
  ["bandit (UCB)", /\bucb\b|bandit|upper confidence/i],
  ["epsilon-greedy", /epsilon/i],
  ["decomposition", /decompos|split.*(part|function)s?|improve each (part|function)/i],
  ["hints", /\bhints?\b/i],
  ["temperature schedule", /temperatures?\s*=\s*\[|temperature\s*[*+-]=|adapt\w* temperature/i],
  ["local edits", /character-level|local edit|mutate (a )?line/i],
  ["iterative refinement", /for \(let (round|iter|step)\b/i],
];

/**
 * Names an improver's main strategy.
 *
 * @example
 * ```ts
 * import { classifyStrategy } from "./strategy.ts";
 * import { equal } from "node:assert/strict";
 * equal(classifyStrategy("const beamWidth = 3;"), "beam search");
 * ```
 *
 * @param source The improver's source.
 * @returns The first matching strategy, or "sample and select" (the seed's).
 */
export function classifyStrategy(source: string): string {
  for (const [name, pattern] of STRATEGIES) if (pattern.test(source)) return name;
  return "sample and select";
}
