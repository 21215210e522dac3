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
const TEMPERATURES = [0.3, 0.7, 1.0, 1.3];

// Temperature sweep: the same request at several sampling temperatures, from careful edits
// (low) to bold rewrites (high), so one bad temperature choice cannot sink the whole run.
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

Propose a novel, non-trivial improvement, explain it briefly, and return the complete improved
solution in one code block.`;
  const calls = Math.min(languageModel.budget, TEMPERATURES.length);
  let best: string | undefined;
  let bestScore = -Infinity;
  for (let i = 0; i < calls; i++) {
    const samples = Math.min(
      languageModel.maxResponsesPerCall,
      Math.floor((utility.budget - utility.uses) / (calls - i)),
    );
    if (samples < 1) break;
    const temperature = TEMPERATURES[Math.round((i * (TEMPERATURES.length - 1)) / Math.max(1, calls - 1))];
    const replies = languageModel.prompt(EXPERTISE, message, samples, temperature);
    for (const candidate of extractCode(replies)) {
      if (candidate === undefined || utility.uses >= utility.budget) continue;
      const score = utility(candidate);
      if (best === undefined || score > bestScore) {
        best = candidate;
        bestScore = score;
      }
    }
  }
  return best ?? initialSolution;
}
