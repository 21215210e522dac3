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
const EXPERTISE = "You are an expert computer scientist who wastes no evaluations.";

// Load a candidate here first and check that it defines `algorithm`, so that utility calls are
// spent only on programs that can work. A candidate that cannot be loaded this way (e.g.
// because of type annotations) is kept: the utility decides.
function definesAlgorithm(code: string): boolean {
  const body = code.replace(/^\s*import[^\n]*\n/gm, "").replace(/^(\s*)export\s+/gm, "$1");
  try {
    const Loader = Object.getPrototypeOf(function () {}).constructor;
    const check = Loader(body + "\nreturn typeof algorithm === 'function';");
    return check() === true;
  } catch {
    return true;
  }
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

Describe a novel, non-trivial idea, then give the complete program in one code block.`;
  const n = Math.min(languageModel.maxResponsesPerCall, utility.budget);
  let best = initialSolution;
  let bestScore = -Infinity;
  for (const candidate of extractCode(languageModel.batchPrompt(EXPERTISE, new Array(n).fill(message), 0.7))) {
    if (candidate === undefined || utility.uses >= utility.budget) continue;
    if (!definesAlgorithm(candidate)) continue;
    const score = utility(candidate);
    if (score > bestScore) {
      best = candidate;
      bestScore = score;
    }
  }
  return best;
}
