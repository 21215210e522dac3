/**
 * A fake of the host's utility as a guest sees it: callable, counts its uses, refuses calls
 * past its budget by throwing, and ignores (but records) writes to its properties.
 *
 * @module
 */
import type { GuestUtility, GuestUtilityOptions } from "./guest_api.ts";

/** One accepted utility call. */
export interface FakeUtilityCall {
  /** The solution scored. */
  solution: string;
  /** The options passed, if any. */
  options: GuestUtilityOptions | undefined;
  /** The score returned. */
  score: number;
}

/** Options of {@linkcode createFakeUtility}. */
export interface FakeUtilityOptions {
  /** Calls allowed. @default {25} */
  budget?: number;
  /** The visible description. @default {"function utility(solution) { ... }"} */
  str?: string;
  /** Scores a solution. @default {a hash of the source mapped to [0, 1)} */
  score?: (solution: string) => number;
}

/** A fake utility and what was done to it. */
export interface FakeUtility {
  /** The object handed to the guest. */
  readonly utility: GuestUtility;
  /** Accepted calls, in order. */
  readonly calls: readonly FakeUtilityCall[];
  /** Calls refused because the budget was spent. */
  readonly refused: number;
  /** Attempts to write, define or delete a property, e.g. `set budget`. */
  readonly tampering: readonly string[];
}

/** The default visible description of the fake utility. */
export const FAKE_UTILITY_DESCRIPTION = [
  "function utility(solution: string): number {",
  "  // Runs `algorithm` on 3 instances with a 100 ms limit and returns the mean accuracy.",
  "  return meanAccuracy(solution);",
  "}",
].join("\n");

/**
 * Maps a text to a number in [0, 1) with a 32-bit FNV-1a hash: a deterministic stand-in
 * for a score.
 *
 * @param text Any text.
 * @returns A number in [0, 1).
 */
export function hashScore(text: string): number {
  let hash = 2166136261;
  for (let i = 0; i < text.length; i++) {
    hash = Math.imul(hash ^ text.charCodeAt(i), 16777619) >>> 0;
  }
  return hash / 2 ** 32;
}

/**
 * Creates a fake utility.
 *
 * @param options Budget, description and scoring.
 * @returns The guest-facing utility and its records.
 */
export function createFakeUtility(options: FakeUtilityOptions = {}): FakeUtility {
  const budget = options.budget ?? 25;
  const str = options.str ?? FAKE_UTILITY_DESCRIPTION;
  const score = options.score ?? hashScore;
  const calls: FakeUtilityCall[] = [];
  const tampering: string[] = [];
  let refused = 0;

  const call = (solution: unknown, callOptions?: unknown): number => {
    if (calls.length >= budget) {
      refused++;
      throw new Error(`Utility budget exhausted: all ${budget} calls are used`);
    }
    if (typeof solution !== "string") {
      throw new TypeError(`Cannot score a solution of type ${typeof solution}: pass its source`);
    }
    const value = score(solution);
    calls.push({
      solution,
      options: callOptions as GuestUtilityOptions | undefined,
      score: value,
    });
    return value;
  };

  const utility = new Proxy(call, {
    get(target, property, receiver) {
      if (property === "budget") return budget;
      if (property === "uses") return calls.length;
      if (property === "str") return str;
      return Reflect.get(target, property, receiver);
    },
    set(_target, property) {
      tampering.push(`set ${String(property)}`);
      return true;
    },
    defineProperty(_target, property) {
      tampering.push(`define ${String(property)}`);
      return false;
    },
    deleteProperty(_target, property) {
      tampering.push(`delete ${String(property)}`);
      return false;
    },
  }) as unknown as GuestUtility;

  return {
    utility,
    calls,
    get refused() {
      return refused;
    },
    tampering,
  };
}
