/**
 * String grid distance: a transfer task.
 *
 * @module
 */
import { instanceSeed, mean, outcomeError } from "./_evaluate.ts";
import { defineTask } from "./_define_task.ts";
import { describeValue } from "./_validate.ts";
import { gridDistance } from "./grid_distance.ts";
import { SeededRandom } from "../common/seeded_random.ts";
import type { Split, Task, TaskInstance } from "./task.ts";

/** One string-grid instance. */
export interface StringGridInstance extends TaskInstance {
  /** `[t, dist]`. */
  readonly args: readonly [string, number];
  /** A string at exactly that distance (secret). */
  readonly witness: string;
}

const DESCRIPTION = `// Task: String grid distance (string-grid)
// A solution exports:
//   function algorithm(t: string, dist: number): string
// It returns a string s over {A, B} with s.length === t.length and gridDist(s, t) === dist,
// and must take at most 100 ms per call.

function gridDist(s: string, t: string): number {
  if (s.length !== t.length || !/^[AB]*$/.test(s + t)) throw new Error("invalid strings");
  let d = 0;
  for (let i = 0; i < s.length; i++) {
    if (s[i] !== t[i]) d++; // differing letters
    if (i > 0 && s[i] !== s[i - 1]) d++; // s changes letter
    if (i > 0 && t[i] !== t[i - 1]) d++; // t changes letter
  }
  return d;
}

function randomString(length: number): string {
  return Array.from({ length }, () => (Math.random() < 0.5 ? "A" : "B")).join("");
}

function utility(algorithm: (t: string, dist: number) => string): number {
  let total = 0;
  for (let test = 0; test < 50; test++) {
    const length = 1 + Math.floor(Math.random() * 30);
    const t = randomString(length);
    const dist = gridDist(randomString(length), t);
    const start = Date.now();
    try {
      const d = gridDist(algorithm(t, dist), t);
      if (Date.now() - start > 100) continue; // too slow: 0
      total += d === dist ? 1 : 0.5 - Math.abs(d - dist) / (6 * length);
    } catch {
      // error: 0
    }
  }
  return total / 50;
}
`;

function generate(split: Split, index: number, salt?: string): StringGridInstance {
  const rng = new SeededRandom(instanceSeed(split, index, salt));
  const length = rng.int(1, 30);
  const word = () => Array.from({ length }, () => (rng.chance(0.5) ? "A" : "B")).join("");
  const t = word();
  const s = word();
  return { args: [t, gridDistance(s, t)], witness: s };
}

/**
 * String grid distance: given `t` (length 1..30 over {A,B}) and `dist`, return `s` over
 * {A,B} of the same length with `gridDistance(s, t) === dist`. An instance scores 1 if
 * exact, else `0.5 - |d - dist| / (6 * length)`; a malformed answer, error or timeout
 * (100 ms) scores 0. 50 instances per split; score is the mean.
 *
 * @example
 * ```ts
 * import { stringGridTask } from "./string_grid.ts";
 * import { equal } from "node:assert/strict";
 * equal(stringGridTask.generate("test", 3).args[0].length > 0, true);
 * ```
 */
export const stringGridTask: Task<StringGridInstance> = defineTask(
  {
    id: "string-grid",
    count: () => 50,
    generate,
    limitMs: 100,
    scoreRange: [0, 1],
    compileFailure: 0,
    judge(instance, outcome) {
      if (outcome.kind !== "value") return { score: 0, error: outcomeError(outcome) };
      const [t, dist] = instance.args;
      const s = outcome.value;
      if (typeof s !== "string" || s.length !== t.length || !/^[AB]*$/.test(s)) {
        const hack = typeof s === "object" && s !== null
          ? { hack: `${describeValue(s)} where a string was expected` }
          : {};
        return {
          score: 0,
          error: `bad_answer: expected a string of ${t.length} letters A/B, got ${
            typeof s === "string" ? JSON.stringify(s.slice(0, 40)) : describeValue(s)
          }`,
          ...hack,
        };
      }
      const d = gridDistance(s, t);
      return { score: d === dist ? 1 : 0.5 - Math.abs(d - dist) / (6 * t.length) };
    },
    aggregate: mean,
  },
  {
    name: "String grid distance",
    signature: "export function algorithm(t: string, dist: number): string",
    description: DESCRIPTION,
    seedFile: "string_grid_seed.ts",
  },
);
