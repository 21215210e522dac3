/**
 * Small deterministic random helpers (sfc32 seeded from SHA-256).
 *
 * @module
 */

import { createHash } from "node:crypto";

/** A source of uniform numbers in [0, 1). */
export type Random = () => number;

/**
 * Returns a deterministic generator of uniform numbers in [0, 1) for the given seed parts.
 *
 * @param parts Anything JSON-serialisable; equal parts give equal sequences.
 * @returns The generator.
 *
 * @example
 * ```ts
 * import { seededRandom } from "./seeded_random.ts";
 * import { equal } from "node:assert/strict";
 * equal(seededRandom(1, "a")(), seededRandom(1, "a")());
 * ```
 */
export function seededRandom(...parts: unknown[]): Random {
  const digest = createHash("sha256").update(JSON.stringify(parts)).digest();
  let a = digest.readUInt32LE(0);
  let b = digest.readUInt32LE(4);
  let c = digest.readUInt32LE(8);
  let d = digest.readUInt32LE(12);
  return () => {
    a >>>= 0;
    b >>>= 0;
    c >>>= 0;
    d >>>= 0;
    let t = (a + b) | 0;
    a = b ^ (b >>> 9);
    b = (c + (c << 3)) | 0;
    c = (c << 21) | (c >>> 11);
    d = (d + 1) | 0;
    t = (t + d) | 0;
    c = (c + t) | 0;
    return (t >>> 0) / 4294967296;
  };
}

/**
 * Derives a non-negative 31-bit integer seed from the given parts.
 *
 * @param parts Anything JSON-serialisable.
 * @returns An integer in [0, 2^31).
 *
 * @example
 * ```ts
 * import { deriveSeed } from "./seeded_random.ts";
 * import { ok } from "node:assert/strict";
 * ok(deriveSeed("x", 1) < 2 ** 31);
 * ```
 */
export function deriveSeed(...parts: unknown[]): number {
  return createHash("sha256").update(JSON.stringify(parts)).digest().readUInt32LE(0) >>> 1;
}
