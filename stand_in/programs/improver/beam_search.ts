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

interface Scored {
  code: string;
  score: number;
}

const FENCE = "`".repeat(3);
const BEAM_WIDTH = 2;
const EXPERTISE = "You are an expert programmer and algorithm designer.";

function improvementPrompt(parent: Scored | undefined, source: string, description: string): string {
  const scoreLine = parent === undefined ? "" : `It currently scores ${parent.score.toFixed(4)}.\n`;
  return `Improve this program.
${scoreLine}${FENCE}ts
${source}
${FENCE}

Scoring function:
${FENCE}ts
${description}
${FENCE}

Explain one non-trivial idea, then give the full improved program in one code block.`;
}

// Beam search: keep the best few programs and expand each of them every round, instead of
// betting everything on a single lineage.
export function improveAlgorithm(
  initialSolution: string,
  utility: Utility,
  languageModel: LanguageModel,
): string {
  let beam: Scored[] = [];
  const rounds = languageModel.budget;

  for (let round = 0; round < rounds; round++) {
    const utilityLeft = utility.budget - utility.uses;
    const width = Math.min(languageModel.maxResponsesPerCall, Math.floor(utilityLeft / (rounds - round)));
    if (width < 1) break;

    const messages: string[] = [];
    if (beam.length === 0) {
      for (let i = 0; i < width; i++) messages.push(improvementPrompt(undefined, initialSolution, utility.str));
    } else {
      for (let i = 0; i < width; i++) {
        const parent = beam[i % beam.length];
        messages.push(improvementPrompt(parent, parent.code, utility.str));
      }
    }
    const replies = languageModel.batchPrompt(EXPERTISE, messages, 0.8);
    const children: Scored[] = [];
    for (const code of extractCode(replies)) {
      if (code === undefined || utility.uses >= utility.budget) continue;
      children.push({ code, score: utility(code) });
    }
    beam = beam.concat(children).sort((a, b) => b.score - a.score).slice(0, BEAM_WIDTH);
  }
  return beam.length > 0 ? beam[0].code : initialSolution;
}
