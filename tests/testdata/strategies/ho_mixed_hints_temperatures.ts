import { extractCode, type LanguageModel, type Utility } from "./helpers.ts";

const PLAN: [string, number][] = [
  ["Hint: rewrite the core loop for speed.", 0.4],
  ["Hint: try a different algorithm altogether.", 1.2],
  ["Hint: make the output robust to noisy inputs.", 0.7],
];

// Each hint is asked at the temperature that suits it: bold hints hot, careful ones cold.
export function improveAlgorithm(
  initialSolution: string,
  utility: Utility,
  languageModel: LanguageModel,
): string {
  let best = initialSolution;
  let bestScore = utility(best);
  for (const [hint, temperature] of PLAN) {
    const replies = languageModel.prompt(
      "Expert.",
      `${hint}\n${best}\n${utility.str}`,
      4,
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
