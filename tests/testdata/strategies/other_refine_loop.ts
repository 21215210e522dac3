import { extractCode, type LanguageModel, type Utility } from "./helpers.ts";

// Greedy refinement: every call improves the current best, and the score is shown.
export function improveAlgorithm(
  initialSolution: string,
  utility: Utility,
  languageModel: LanguageModel,
): string {
  let best = initialSolution;
  let bestScore = utility(best);
  for (let round = 0; round < languageModel.budget; round++) {
    const replies = languageModel.prompt(
      "Expert.",
      `Round ${round}. Best so far (score ${bestScore}):\n${best}\n${utility.str}\nImprove it.`,
      5,
      0.7,
    );
    for (const code of extractCode(replies)) {
      if (code === undefined || utility.uses >= utility.budget) continue;
      const score = utility(code);
      if (score > bestScore) [best, bestScore] = [code, score];
    }
  }
  return best;
}
