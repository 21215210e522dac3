import { extractCode, type LanguageModel, type Utility } from "./helpers.ts";

// First ask for an analysis of the weaknesses, then ask for implementations that fix them.
export function improveAlgorithm(
  initialSolution: string,
  utility: Utility,
  languageModel: LanguageModel,
): string {
  const [analysis = ""] = languageModel.prompt(
    "Expert reviewer.",
    `What are the main weaknesses of this program under the scoring below?\n${initialSolution}\n${utility.str}`,
    1,
    0.7,
  );
  const replies = languageModel.prompt(
    "Expert programmer.",
    `Program:\n${initialSolution}\nReview:\n${analysis}\nFix the weaknesses and return the program.`,
    5,
    0.7,
  );
  let best = initialSolution;
  let bestScore = utility(best);
  for (const code of extractCode(replies)) {
    if (code === undefined || utility.uses >= utility.budget) continue;
    const score = utility(code);
    if (score > bestScore) [best, bestScore] = [code, score];
  }
  return best;
}
