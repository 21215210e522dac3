import { type LanguageModel, type Utility } from "./helpers.ts";

const ALPHABET = "0123456789+-*/<>=";

// Character-level mutation of the source, no model needed: flip one character at random and
// keep the edit when the score does not drop.
function mutateCharacter(source: string): string {
  const at = Math.floor(Math.random() * source.length);
  const replacement = ALPHABET[Math.floor(Math.random() * ALPHABET.length)]!;
  return source.slice(0, at) + replacement + source.slice(at + 1);
}

export function improveAlgorithm(
  initialSolution: string,
  utility: Utility,
  _languageModel: LanguageModel,
): string {
  let best = initialSolution;
  let bestScore = utility(best);
  while (utility.uses < utility.budget) {
    const candidate = mutateCharacter(best);
    const score = utility(candidate);
    if (score >= bestScore) [best, bestScore] = [candidate, score];
  }
  return best;
}
