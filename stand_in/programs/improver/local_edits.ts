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
const EXPERTISE = "You are a meticulous programmer who makes small, precise improvements.";

// Perturb one numeric constant (iteration counts, thresholds, rates): a cheap local edit that
// needs no model call.
function tweakConstant(source: string): string | undefined {
  const pattern = /(?<![\w.])(\d+(?:\.\d+)?)(?![\w.])/g;
  const positions: { index: number; text: string }[] = [];
  let match: RegExpExecArray | null;
  while ((match = pattern.exec(source)) !== null) {
    if (match[1] !== "0" && match[1] !== "1") positions.push({ index: match.index, text: match[1] });
  }
  if (positions.length === 0) return undefined;
  const chosen = positions[Math.floor(Math.random() * positions.length)];
  const value = Number(chosen.text);
  const factor = Math.random() < 0.5 ? 0.5 : 2;
  const tweaked = chosen.text.includes(".") ? String(value * factor) : String(Math.max(2, Math.round(value * factor)));
  return source.slice(0, chosen.index) + tweaked + source.slice(chosen.index + chosen.text.length);
}

// Local edits: each round, half the candidates are small model edits (one line or a few
// characters) and half are numeric-constant tweaks, all applied to the best program so far.
export function improveAlgorithm(
  initialSolution: string,
  utility: Utility,
  languageModel: LanguageModel,
): string {
  let best = initialSolution;
  let bestScore = utility(initialSolution);

  for (let round = 0; round < languageModel.budget; round++) {
    const perRound = Math.floor((utility.budget - utility.uses) / (languageModel.budget - round));
    const fromModel = Math.min(languageModel.maxResponsesPerCall, Math.ceil(perRound / 2));
    if (perRound < 1 || fromModel < 1) break;
    const message = `Program (score ${bestScore.toFixed(4)}):
${FENCE}ts
${best}
${FENCE}

Scoring function:
${FENCE}ts
${utility.str}
${FENCE}

Make one small, local edit that you expect to raise the score: change a single line, a
condition or a constant. Say which line you change, then return the complete program in one code
block.`;
    const candidates: (string | undefined)[] = extractCode(
      languageModel.prompt(EXPERTISE, message, fromModel, 0.4),
    );
    for (let i = fromModel; i < perRound; i++) candidates.push(tweakConstant(best));
    for (const candidate of candidates) {
      if (candidate === undefined || candidate === best || utility.uses >= utility.budget) continue;
      const score = utility(candidate);
      if (score > bestScore) {
        best = candidate;
        bestScore = score;
      }
    }
  }
  return best;
}
