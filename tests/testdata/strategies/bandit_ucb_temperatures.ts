import { extractCode, type LanguageModel, type Utility } from "./helpers.ts";

// A UCB bandit whose arms are sampling temperatures.
export function improveAlgorithm(
  initialSolution: string,
  utility: Utility,
  languageModel: LanguageModel,
): string {
  const arms = [0.2, 0.6, 1.0, 1.4];
  const pulls = arms.map(() => 0);
  const rewards = arms.map(() => 0);
  let best = initialSolution;
  let bestScore = utility(best);
  for (let t = 1; t <= languageModel.budget; t++) {
    let chosen = 0;
    let top = -Infinity;
    for (let a = 0; a < arms.length; a++) {
      const bonus = pulls[a] === 0 ? Infinity : Math.sqrt((2 * Math.log(t)) / pulls[a]!);
      const value = (pulls[a] === 0 ? 0 : rewards[a]! / pulls[a]!) + bonus;
      if (value > top) [top, chosen] = [value, a];
    }
    const replies = languageModel.prompt(
      "Expert.",
      `Improve:\n${best}\n${utility.str}`,
      5,
      arms[chosen],
    );
    pulls[chosen]!++;
    for (const code of extractCode(replies)) {
      if (code === undefined || utility.uses >= utility.budget) continue;
      const score = utility(code);
      rewards[chosen]! += score > bestScore ? 1 : 0;
      if (score > bestScore) [best, bestScore] = [code, score];
    }
  }
  return best;
}
