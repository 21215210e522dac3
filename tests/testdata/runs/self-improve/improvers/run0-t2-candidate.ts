import { extractCode } from "./helpers.ts";

const FENCE = "`".repeat(3);

// a proposal whose text tries to break out of the report: </script><script>alert(1)</script>
const note = "</script><script>alert(1)</script><img src=x onerror=alert(2)>";

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
  const candidates = extractCode(replies).filter((c) => c !== undefined);
  let best = initialSolution;
  let bestScore = -Infinity;
  for (const candidate of candidates) {
    const score = utility(candidate, { useSandbox: false });
    if (score > bestScore) {
      bestScore = score;
      best = candidate;
    }
  }
  return best;
}
