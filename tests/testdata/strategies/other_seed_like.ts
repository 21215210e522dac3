import { extractCode, type LanguageModel, type Utility } from "./helpers.ts";

// Ask once for several samples and keep the best.
export function improveAlgorithm(
  initialSolution: string,
  utility: Utility,
  languageModel: LanguageModel,
): string {
  const message = `Improve the following solution:\n${initialSolution}\nScored by:\n${utility.str}`;
  const n = Math.min(languageModel.maxResponsesPerCall, utility.budget);
  let best = initialSolution;
  let bestScore = -Infinity;
  for (
    const candidate of extractCode(
      languageModel.batchPrompt("Expert.", new Array(n).fill(message), 0.7),
    )
  ) {
    if (candidate === undefined) continue;
    const score = utility(candidate);
    if (score > bestScore) [best, bestScore] = [candidate, score];
  }
  return best;
}
