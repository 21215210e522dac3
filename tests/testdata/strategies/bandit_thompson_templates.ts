import { extractCode, type LanguageModel, type Utility } from "./helpers.ts";

const TEMPLATES = [
  "Rewrite from scratch:",
  "Optimise the inner loop of:",
  "Fix the weaknesses of:",
];

// Thompson-style sampling over request templates: each template keeps wins and losses, and
// the one with the highest sampled success rate is asked next.
export function improveAlgorithm(
  initialSolution: string,
  utility: Utility,
  languageModel: LanguageModel,
): string {
  const wins = TEMPLATES.map(() => 1);
  const losses = TEMPLATES.map(() => 1);
  const draw = (w: number, l: number) => {
    let x = 0;
    for (let i = 0; i < 12; i++) x += Math.random();
    return w / (w + l) + (x / 12 - 0.5) / Math.sqrt(w + l);
  };
  let best = initialSolution;
  let bestScore = utility(best);
  for (let call = 0; call < languageModel.budget; call++) {
    const samples = TEMPLATES.map((_, i) => draw(wins[i]!, losses[i]!));
    const arm = samples.indexOf(Math.max(...samples));
    const replies = languageModel.prompt(
      "Expert.",
      `${TEMPLATES[arm]}\n${best}\n${utility.str}`,
      5,
      0.7,
    );
    for (const code of extractCode(replies)) {
      if (code === undefined || utility.uses >= utility.budget) continue;
      const score = utility(code);
      if (score > bestScore) {
        [best, bestScore] = [code, score];
        wins[arm]!++;
      } else losses[arm]!++;
    }
  }
  return best;
}
