/**
 * The string grid distance of the transfer task `string-grid`.
 *
 * @module
 */

/**
 * Grid distance of two equal-length strings: their Hamming distance plus the number of
 * adjacent positions where `s` changes letter plus the same for `t`.
 *
 * @example
 * ```ts
 * import { gridDistance } from "./grid_distance.ts";
 * import { equal } from "node:assert/strict";
 * equal(gridDistance("AB", "AA"), 2);
 * ```
 *
 * @throws {RangeError} When the lengths differ.
 */
export function gridDistance(s: string, t: string): number {
  if (s.length !== t.length) {
    throw new RangeError(
      `Cannot compute a grid distance as the strings must have equal lengths: current lengths are ${s.length} and ${t.length}`,
    );
  }
  let d = 0;
  for (let i = 0; i < s.length; i++) {
    if (s[i] !== t[i]) d++;
    if (i > 0 && s[i] !== s[i - 1]) d++;
    if (i > 0 && t[i] !== t[i - 1]) d++;
  }
  return d;
}
