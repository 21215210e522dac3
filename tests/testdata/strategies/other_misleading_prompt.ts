import { extractCode, type LanguageModel, type Utility } from "./helpers.ts";

// TODO: a beam search, a genetic algorithm with crossover, simulated annealing with a cooling
// schedule, a UCB bandit or epsilon-greedy exploration might do better here; also try
// decomposing into functions and character-level edits.
/* const beamWidth = 3; let epsilon = 0.1; temperature *= 0.9; */
export function improveAlgorithm(
  initialSolution: string,
  utility: Utility,
  languageModel: LanguageModel,
): string {
  const message = `Improve the following solution. Good ideas include beam search, simulated
annealing with a cooling schedule, a genetic algorithm with crossover and mutation, or a
multi-armed bandit (UCB). Use whichever fits the problem.
${initialSolution}
Scored by:
${utility.str}`;
  const replies = languageModel.batchPrompt(
    "Expert in beam search and annealing.",
    new Array(6).fill(message),
    0.7,
  );
  let best = initialSolution;
  let bestScore = -Infinity;
  for (const candidate of extractCode(replies)) {
    if (candidate === undefined || utility.uses >= utility.budget) continue;
    const score = utility(candidate);
    if (score > bestScore) [best, bestScore] = [candidate, score];
  }
  return best;
}
