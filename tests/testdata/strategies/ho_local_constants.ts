import { type LanguageModel, type Utility } from "./helpers.ts";

// Adjust only numeric parameters of the program, one at a time, and keep what helps.
export function improveAlgorithm(
  initialSolution: string,
  utility: Utility,
  _languageModel: LanguageModel,
): string {
  let best = initialSolution;
  let bestScore = utility(best);
  const factors = [0.5, 0.8, 1.25, 2];
  while (utility.uses < utility.budget) {
    const numbers = [...best.matchAll(/\b\d+(\.\d+)?\b/g)];
    if (numbers.length === 0) break;
    const target = numbers[Math.floor(Math.random() * numbers.length)]!;
    const factor = factors[Math.floor(Math.random() * factors.length)]!;
    const replaced = String(Number(target[0]) * factor);
    const candidate = best.slice(0, target.index) + replaced +
      best.slice(target.index! + target[0].length);
    const score = utility(candidate);
    if (score > bestScore) [best, bestScore] = [candidate, score];
  }
  return best;
}
