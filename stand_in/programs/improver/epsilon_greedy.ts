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

interface Member {
  code: string;
  score: number;
}

const FENCE = "`".repeat(3);
const EPSILON = 0.3;
const EXPERTISE = "You are an expert programmer and researcher in algorithm design.";

// Epsilon-greedy population: usually improve the best program, but with probability epsilon
// improve a random member instead, so promising but not-yet-best ideas get a chance.
export function improveAlgorithm(
  initialSolution: string,
  utility: Utility,
  languageModel: LanguageModel,
): string {
  const population: Member[] = [{ code: initialSolution, score: utility(initialSolution) }];

  for (let round = 0; round < languageModel.budget; round++) {
    const samples = Math.min(
      languageModel.maxResponsesPerCall,
      Math.floor((utility.budget - utility.uses) / (languageModel.budget - round)),
    );
    if (samples < 1) break;
    population.sort((a, b) => b.score - a.score);
    const messages: string[] = [];
    for (let i = 0; i < samples; i++) {
      const parent = Math.random() < EPSILON
        ? population[Math.floor(Math.random() * population.length)]
        : population[0];
      messages.push(`Improve this program (score ${parent.score.toFixed(4)}):
${FENCE}ts
${parent.code}
${FENCE}

Scoring function:
${FENCE}ts
${utility.str}
${FENCE}

Describe a non-trivial improvement, then return the complete program in one code block.`);
    }
    for (const candidate of extractCode(languageModel.batchPrompt(EXPERTISE, messages, 0.8))) {
      if (candidate === undefined || utility.uses >= utility.budget) continue;
      population.push({ code: candidate, score: utility(candidate) });
    }
  }
  population.sort((a, b) => b.score - a.score);
  return population[0].code;
}
