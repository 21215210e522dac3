import { extractCode, type LanguageModel, type Utility } from "./helpers.ts";

const ADVICE = [
  "make it faster",
  "make it more accurate on noisy data",
  "simplify it",
];

// For every function of the program, ask for an improvement of that function alone, each
// request with a different piece of advice.
export function improveAlgorithm(
  initialSolution: string,
  utility: Utility,
  languageModel: LanguageModel,
): string {
  const names = [...initialSolution.matchAll(/function\s+(\w+)/g)].map((m) => m[1]!);
  const messages: string[] = [];
  for (const name of names) {
    for (const advice of ADVICE) {
      messages.push(
        `${initialSolution}\nImprove only the function ${name} (${advice}); keep every other function unchanged.`,
      );
    }
  }
  let best = initialSolution;
  let bestScore = utility(best);
  const replies = languageModel.batchPrompt("Expert.", messages.slice(0, 6), 0.7);
  for (const code of extractCode(replies)) {
    if (code === undefined || utility.uses >= utility.budget) continue;
    const score = utility(code);
    if (score > bestScore) [best, bestScore] = [code, score];
  }
  return best;
}
