import { extractCode, type LanguageModel, type Utility } from "./helpers.ts";

// Start with careful, low-temperature samples and raise the temperature every round.
export function improveAlgorithm(
  initialSolution: string,
  utility: Utility,
  languageModel: LanguageModel,
): string {
  let best = initialSolution;
  let bestScore = utility(best);
  for (let round = 0; round < languageModel.budget; round++) {
    const temperature = 0.2 + 0.3 * round;
    const replies = languageModel.prompt(
      "You are an expert programmer.",
      `Improve:\n${best}\nScoring:\n${utility.str}`,
      5,
      temperature,
    );
    for (const code of extractCode(replies)) {
      if (code === undefined || utility.uses >= utility.budget) continue;
      const score = utility(code);
      if (score > bestScore) [best, bestScore] = [code, score];
    }
  }
  return best;
}
