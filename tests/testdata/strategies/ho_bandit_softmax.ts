import { extractCode, type LanguageModel, type Utility } from "./helpers.ts";

const ACTIONS = ["Speed it up.", "Make it more accurate.", "Try another algorithm."];

// Softmax choice among actions by their average payoff so far.
export function improveAlgorithm(
  initialSolution: string,
  utility: Utility,
  languageModel: LanguageModel,
): string {
  const counts = ACTIONS.map(() => 0);
  const values = ACTIONS.map(() => 0.5);
  let best = initialSolution;
  let bestScore = utility(best);
  for (let round = 0; round < languageModel.budget; round++) {
    const weights = values.map((v) => Math.exp(v / 0.1));
    let pick = Math.random() * weights.reduce((a, b) => a + b, 0);
    let action = 0;
    while (pick > weights[action]!) pick -= weights[action++]!;
    const replies = languageModel.prompt("Expert.", `${ACTIONS[action]}\n${best}`, 5, 0.7);
    for (const code of extractCode(replies)) {
      if (code === undefined || utility.uses >= utility.budget) continue;
      const score = utility(code);
      counts[action]!++;
      values[action]! += ((score > bestScore ? 1 : 0) - values[action]!) / counts[action]!;
      if (score > bestScore) [best, bestScore] = [code, score];
    }
  }
  return best;
}
