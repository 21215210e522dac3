/**
 * How the offline stand-in names and describes itself wherever it is used (in `lm/`, so that the
 * client can recognise a stand-in server without importing it).
 *
 * @module
 */

/** The model name the stand-in answers as (in replies, usage, ledgers and reports). */
export const STAND_IN_MODEL = "offline-stand-in";

/** The words every output that used the stand-in must carry. */
export const STAND_IN_BANNER =
  "offline stand-in (a deterministic test harness, not a language model)";

/**
 * How the stand-in is built, in plain words, for the README, the report's stand-in banner and
 * the command line's: its replies ignore the prompt's content, and the chances of its
 * programs' qualities were set by hand so that self-improvement has room to show. The
 * percentages are those of `qualityWeights(0.7)` (a test keeps them equal).
 */
export const STAND_IN_METHOD =
  "Its replies ignore the prompt's content: it reads only which program is asked for (an " +
  "improver, or which task's solution) and draws one of its hand-written programs by the " +
  "quality it was labelled with, at chances set by hand (at temperature 0.7: broken 15%, weak " +
  "45%, fair 30%, strong 10%; hotter is flatter) so that sampling more, hotter, and selecting " +
  "by utility shows an improvement.";

/**
 * Returns the banner to show wherever the stand-in's answers are used.
 *
 * @param seed The stand-in's seed, shown when given.
 * @returns The banner text.
 *
 * @example
 * ```ts
 * import { standInBanner } from "./stand_in_name.ts";
 * import { match } from "node:assert/strict";
 * match(standInBanner(3), /not a language model.*seed 3/);
 * ```
 */
export function standInBanner(seed?: number): string {
  return seed === undefined ? STAND_IN_BANNER : `${STAND_IN_BANNER}, seed ${seed}`;
}
