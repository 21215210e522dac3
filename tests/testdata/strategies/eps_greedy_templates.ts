import { extractCode, type LanguageModel, type Utility } from "./helpers.ts";

const STYLES = [
  "Focus on speed: the time limit is tight.",
  "Focus on accuracy: handle the noise in the labels.",
  "Focus on robustness: never crash, always return the right shape.",
];

// Epsilon-greedy over request styles: mostly use the style with the best average gain, but
// with probability epsilon try a random one.
export function improveAlgorithm(
  initialSolution: string,
  utility: Utility,
  languageModel: LanguageModel,
): string {
  const epsilon = 0.25;
  const gain = STYLES.map(() => 0);
  const tries = STYLES.map(() => 0);
  let best = initialSolution;
  let bestScore = utility(best);
  for (let round = 0; round < languageModel.budget; round++) {
    const averages = gain.map((g, i) => (tries[i] === 0 ? 0 : g / tries[i]!));
    const style = Math.random() < epsilon
      ? Math.floor(Math.random() * STYLES.length)
      : averages.indexOf(Math.max(...averages));
    const replies = languageModel.prompt(
      "Expert.",
      `${STYLES[style]}\n${best}\n${utility.str}`,
      5,
      0.7,
    );
    tries[style]!++;
    for (const code of extractCode(replies)) {
      if (code === undefined || utility.uses >= utility.budget) continue;
      const score = utility(code);
      gain[style]! += Math.max(0, score - bestScore);
      if (score > bestScore) [best, bestScore] = [code, score];
    }
  }
  return best;
}
