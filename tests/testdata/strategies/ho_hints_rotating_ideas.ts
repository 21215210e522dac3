import { extractCode, type LanguageModel, type Utility } from "./helpers.ts";

const IDEAS = [
  "Consider an exact algebraic method instead of guessing.",
  "Consider majority voting across random subsets of the data.",
  "Consider pruning the search space using the structure of the input.",
  "Consider caching repeated computations.",
  "Consider handling degenerate inputs explicitly.",
  "Consider using the remaining time for a second pass.",
];

// Every request in a batch carries a different idea to explore.
export function improveAlgorithm(
  initialSolution: string,
  utility: Utility,
  languageModel: LanguageModel,
): string {
  let best = initialSolution;
  let bestScore = utility(best);
  let next = 0;
  for (let round = 0; round < languageModel.budget; round++) {
    const batch = [0, 1, 2].map(() =>
      `${IDEAS[next++ % IDEAS.length]}\n\n${best}\n\n${utility.str}`
    );
    for (const code of extractCode(languageModel.batchPrompt("Expert.", batch, 0.7))) {
      if (code === undefined || utility.uses >= utility.budget) continue;
      const score = utility(code);
      if (score > bestScore) [best, bestScore] = [code, score];
    }
  }
  return best;
}
