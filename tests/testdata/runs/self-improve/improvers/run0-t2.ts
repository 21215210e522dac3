import { extractCode } from "./helpers.ts";

const FENCE = "`".repeat(3);

export function improveAlgorithm(initialSolution, utility, languageModel) {
  const expertise = "You are an expert computer scientist.";
  const message = [
    "Here is a solution to improve:",
    FENCE + "ts",
    initialSolution,
    FENCE,
    "Reply with an improved version of the solution.",
  ].join("\n");
  const n = Math.min(languageModel.maxResponsesPerCall, utility.budget);
  const replies = languageModel.batchPrompt(expertise, Array(n).fill(message), 0.7);
  // Beam search: keep the two best candidates and ask for refinements of each.
  const candidates = extractCode(replies).filter((c) => c !== undefined);
  const beamWidth = 2;
  let best = initialSolution;
  let bestScore = -Infinity;
  for (const candidate of candidates) {
    const score = utility(candidate);
    if (score > bestScore) {
      bestScore = score;
      best = candidate;
    }
  }
  const scored = candidates.map((c) => ({ c, s: utility(c) })).sort((a, b) => b.s - a.s);
  for (const { c } of scored.slice(0, beamWidth)) {
    const refined = extractCode(languageModel.prompt(expertise, "Refine:\n" + c, 2, 0.4));
    for (const r of refined) if (r !== undefined && utility(r) > bestScore) best = r;
  }
  return best;
}
