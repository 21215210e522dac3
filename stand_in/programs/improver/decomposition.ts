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
const EXPERTISE = "You are an expert programmer who improves code one component at a time.";

function topLevelFunctions(source: string): string[] {
  const names: string[] = [];
  const pattern = /^(?:export\s+)?(?:async\s+)?function\s+([A-Za-z_$][\w$]*)/gm;
  let match: RegExpExecArray | null;
  while ((match = pattern.exec(source)) !== null) names.push(match[1]);
  return names;
}

// Decomposition: rather than rewriting everything at once, improve the program one function
// at a time (plus one request about how the parts fit together), keeping whatever helps.
export function improveAlgorithm(
  initialSolution: string,
  utility: Utility,
  languageModel: LanguageModel,
): string {
  let best = initialSolution;
  let bestScore = utility(initialSolution);
  let cursor = 0;

  for (let round = 0; round < languageModel.budget; round++) {
    const samples = Math.min(
      languageModel.maxResponsesPerCall,
      Math.floor((utility.budget - utility.uses) / (languageModel.budget - round)),
    );
    if (samples < 1) break;
    const parts = topLevelFunctions(best);
    const messages: string[] = [];
    for (let i = 0; i < samples; i++) {
      const header = `Program (score ${bestScore.toFixed(4)}):
${FENCE}ts
${best}
${FENCE}

Scoring function:
${FENCE}ts
${utility.str}
${FENCE}
`;
      if (parts.length === 0 || i === samples - 1) {
        messages.push(header + `
Split this program into well-named helper functions, each doing one job, and improve the weakest
one. Explain which part you improved, then return the whole program in one code block.`);
      } else {
        const part = parts[cursor++ % parts.length];
        messages.push(header + `
Improve only the function \`${part}\`: keep every other function unchanged. Explain what you
changed in \`${part}\`, then return the whole program in one code block.`);
      }
    }
    const replies = languageModel.batchPrompt(EXPERTISE, messages, 0.7);
    for (const candidate of extractCode(replies)) {
      if (candidate === undefined || utility.uses >= utility.budget) continue;
      const score = utility(candidate);
      if (score > bestScore) {
        best = candidate;
        bestScore = score;
      }
    }
  }
  return best;
}
