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
const EXPERTISE = "You are an expert programmer who improves algorithms.";

// Two-stage improvement: first ask for a plan, then implement the best plan several times.
export function improveAlgorithm(
  initialSolution: string,
  utility: Utility,
  languageModel: LanguageModel,
): string {
  const context = `Solution:
${FENCE}ts
${initialSolution}
${FENCE}

Scoring function:
${FENCE}ts
${utility.str}
${FENCE}`;
  const plans = languageModel.prompt(
    EXPERTISE,
    `${context}\n\nList three concrete ideas that would improve the score, most promising first.`,
    1,
    0.7,
  );
  const plan = plans[0] ?? "";
  const samples = Math.min(languageModel.maxResponsesPerCall, utility.budget);
  const replies = languageModel.batchPrompt(
    EXPERTISE,
    new Array(samples).fill(`${context}\n\nImplement the first idea of this plan:\n${plan}\nReturn the full program in one code block.`),
    0.7,
  );
  let best = initialSolution;
  let bestScore = -Infinity;
  for (const candidate of extractCode(replies)) {
    if (candidate === undefined) continue;
    const score = utility(candidate);
    if (score > bestScore) {
      best = candidate;
      bestScore = score;
    }
  }
  if (bestScore < 0.5 && languageModel.budget > 2) {
    const retry = languageModel.batchPrompt(EXPERTISE, new Array(samples).fill(
      `${context}\n\nThe first attempt scored ${bestScore.toFixed(4)}. Implement the second idea of this plan:\n${plan
