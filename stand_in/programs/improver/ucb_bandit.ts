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
const EXPERTISE = "You are an expert computer scientist and programmer.";

// Each arm is a style of improvement request.
const ARMS = [
  "Replace the core algorithm with a fundamentally better one for this problem.",
  "Make the program faster so it can do more useful work within the time limit.",
  "Make the program more robust: handle noise, edge cases and degenerate inputs.",
  "Combine several methods (an ensemble or a fallback chain) and pick the best result.",
  "Exploit the structure of the problem as described by the scoring function.",
];

interface Arm {
  pulls: number;
  reward: number;
}

function ucb(arm: Arm, totalPulls: number): number {
  if (arm.pulls === 0) return Infinity;
  return arm.reward / arm.pulls + Math.sqrt((2 * Math.log(totalPulls)) / arm.pulls);
}

// Multi-armed bandit over prompt styles: UCB1 picks which kind of improvement to ask for,
// rewarded by how much the candidate beats the best score at the time.
export function improveAlgorithm(
  initialSolution: string,
  utility: Utility,
  languageModel: LanguageModel,
): string {
  const arms: Arm[] = ARMS.map(() => ({ pulls: 0, reward: 0 }));
  let totalPulls = 0;
  let best = initialSolution;
  let bestScore = utility(initialSolution);

  for (let round = 0; round < languageModel.budget; round++) {
    const samples = Math.min(
      languageModel.maxResponsesPerCall,
      Math.floor((utility.budget - utility.uses) / (languageModel.budget - round)),
    );
    if (samples < 1) break;

    // Choose arms for this batch; count them as pulled right away so one batch spreads out.
    const chosen: number[] = [];
    for (let i = 0; i < samples; i++) {
      let pick = 0;
      for (let a = 1; a < arms.length; a++) {
        if (ucb(arms[a], totalPulls + 1) > ucb(arms[pick], totalPulls + 1)) pick = a;
      }
      arms[pick].pulls++;
      totalPulls++;
      chosen.push(pick);
    }

    const messages = chosen.map((arm) =>
      `Program (score ${bestScore.toFixed(4)}):
${FENCE}ts
${best}
${FENCE}

Scoring function:
${FENCE}ts
${utility.str}
${FENCE}

${ARMS[arm]} Explain the idea, then return the complete program in one code block.`
    );
    const replies = languageModel.batchPrompt(EXPERTISE, messages, 0.8);
    const codes = extractCode(replies);
    const baseline = bestScore;
    for (let i = 0; i < codes.length; i++) {
      const candidate = codes[i];
      const arm = arms[chosen[i]];
      if (candidate === undefined || utility.uses >= utility.budget) continue;
      const score = utility(candidate);
      arm.reward += Math.max(0, Math.min(1, score - baseline + 0.5));
      if (score > bestScore) {
        best = candidate;
        bestScore = score;
      }
    }
  }
  return best;
}
