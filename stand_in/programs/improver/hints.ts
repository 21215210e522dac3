import { extractCode } from "./helpers.ts";

interface Utility {
  (solution: string, options?: { useSandbox?: boolean }): number;
  readonly budget: number;
  readonly uses: number;
  readonly str: string;
}

interface LanguageModel {
  readonly budget: number;
  readonly maxResponsesPerCall: number;
  prompt(expertise: string, message: string, nResponses?: number, temperature?: number): string[];
  batchPrompt(expertise: string, messages: string[], temperature?: number): string[];
}

const FENCE = "`".repeat(3);
const EXPERTISE =
  "You are an expert computer science researcher and programmer, skilled at optimizing algorithms.";

const HINTS = [
  "Hint: a smarter search (beam search, local search or restarts) may beat the current approach.",
  "Hint: the inputs may be noisy; aggregate evidence or vote instead of trusting single examples.",
  "Hint: linear algebra or exact elimination can solve parts of the problem outright.",
  "Hint: use the time limit fully; do more work when there is time left.",
  "Hint: check the edge cases and make sure the output always has the right shape.",
  "Hint: precompute and cache anything used repeatedly.",
  "Hint: try several strategies and keep the one that does best on the available data.",
  "Hint: simplify; remove parts that do not help the score.",
];

// Hints: several prompts at once, each suggesting a different kind of improvement. Later
// rounds keep the hints that produced the best programs and try some fresh ones.
export function improveAlgorithm(
  initialSolution: string,
  utility: Utility,
  languageModel: LanguageModel,
): string {
  let best = initialSolution;
  let bestScore = utility(initialSolution);
  const hintScores: number[] = HINTS.map(() => -Infinity);
  let nextFresh = 0;

  for (let round = 0; round < languageModel.budget; round++) {
    const samples = Math.min(
      languageModel.maxResponsesPerCall,
      Math.floor((utility.budget - utility.uses) / (languageModel.budget - round)),
    );
    if (samples < 1) break;
    const ranked = HINTS.map((_, i) => i)
      .filter((i) => hintScores[i] > -Infinity)
      .sort((a, b) => hintScores[b] - hintScores[a]);
    const chosen: number[] = [];
    for (let i = 0; i < samples; i++) {
      if (i % 2 === 1 && ranked.length > 0) chosen.push(ranked[(i >> 1) % ranked.length]);
      else chosen.push(nextFresh++ % HINTS.length);
    }
    const messages = chosen.map((hint) =>
      `Improve the following solution (current score ${bestScore.toFixed(4)}):
${FENCE}ts
${best}
${FENCE}

You will be evaluated with:
${FENCE}ts
${utility.str}
${FENCE}

${HINTS[hint]}
First propose an idea that follows the hint, then implement it as a complete program in one code block.`
    );
    const codes = extractCode(languageModel.batchPrompt(EXPERTISE, messages, 0.7));
    for (let i = 0; i < codes.length; i++) {
      const candidate = codes[i];
      if (candidate === undefined || utility.uses >= utility.budget) continue;
      const score = utility(candidate);
      hintScores[chosen[i]] = Math.max(hintScores[chosen[i]], score);
      if (score > bestScore) {
        best = candidate;
        bestScore = score;
      }
    }
  }
  return best;
}
