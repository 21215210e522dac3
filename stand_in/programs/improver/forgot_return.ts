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
const EXPERTISE = "You are an expert computer scientist specialising in algorithm optimization.";

// Two rounds: sample improvements, then ask for a polished version of the winner.
export function improveAlgorithm(
  initialSolution: string,
  utility: Utility,
  languageModel: LanguageModel,
): string {
  const ask = (solution: string, instruction: string): string => `${instruction}
${FENCE}ts
${solution}
${FENCE}

Scoring function:
${FENCE}ts
${utility.str}
${FENCE}

Explain your idea, then give the complete program in one code block.`;

  const pickBest = (candidates: (string | undefined)[], incumbent: string) => {
    let best = incumbent;
    let bestScore = utility(incumbent);
    for (const candidate of candidates) {
      if (candidate === undefined || utility.uses >= utility.budget) continue;
      const score = utility(candidate);
      if (score > bestScore) {
        best = candidate;
        bestScore = score;
      }
    }
    return best;
  };

  const samples = Math.min(languageModel.maxResponsesPerCall, 6);
  const first = languageModel.prompt(EXPERTISE, ask(initialSolution, "Improve this solution:"), samples, 0.8);
  const winner = pickBest(extractCode(first), initialSolution);
  const polished = languageModel.prompt(
    EXPERTISE,
    ask(winner, "Polish this solution: fix bugs and tighten the implementation without changing the idea:"),
    Math.min(languageModel.maxResponsesPerCall, 4),
    0.3,
  );
  const finalSolution = pickBest(extractCode(polished), winner);
}
