/**
 * How the offline stand-in names itself wherever it is used.
 *
 * @module
 */

/** The model name the stand-in answers as (in replies, usage, ledgers and reports). */
export const STAND_IN_MODEL = "offline-stand-in";

/** The words every output that used the stand-in must carry. */
export const STAND_IN_BANNER =
  "offline stand-in (a deterministic test harness, not a language model)";

/**
 * Returns the banner to show wherever the stand-in's answers are used.
 *
 * @param seed The stand-in's seed, shown when given.
 * @returns The banner text.
 *
 * @example
 * ```ts
 * import { standInBanner } from "./stand_in.ts";
 * import { match } from "node:assert/strict";
 * match(standInBanner(3), /not a language model.*seed 3/);
 * ```
 */
export function standInBanner(seed?: number): string {
  return seed === undefined ? STAND_IN_BANNER : `${STAND_IN_BANNER}, seed ${seed}`;
}
