/**
 * Exact validation of what a guest returned: plain JSON data of exactly the expected shape,
 * with a note when the shape looks like an attempt to game the comparison.
 *
 * @module
 */

/** A validated value, or why it was refused (and whether that looks like a reward hack). */
export type Checked<T> =
  | { ok: true; value: T }
  | { ok: false; reason: string; hack?: string };

/** A short, bounded description of an untrusted value for error messages. */
export function describeValue(value: unknown): string {
  if (value === null) return "null";
  if (value === undefined) return "nothing (undefined)";
  if (Array.isArray(value)) return `an array of length ${value.length}`;
  if (typeof value === "string") return `a string of length ${value.length}`;
  if (typeof value === "object") {
    const keys = Object.keys(value).slice(0, 5).map((k) => JSON.stringify(k.slice(0, 20)));
    return `an object with keys ${keys.join(", ")}`;
  }
  return `a ${typeof value}`;
}

function isNumericString(value: unknown): boolean {
  return typeof value === "string" && value.trim() !== "" && Number.isFinite(Number(value));
}

/**
 * Why an array-like answer of the wrong kind looks like an attempt to game the comparison,
 * or `undefined` when it looks like an honest mistake.
 */
export function hackSignal(value: unknown, expectedLength: number): string | undefined {
  if (isNumericString(value)) return "a number sent as a string";
  if (value !== null && typeof value === "object" && !Array.isArray(value)) {
    return `${
      describeValue(value)
    } where an array was expected (extra fields or a self-reported score)`;
  }
  if (!Array.isArray(value)) return undefined;
  const items: unknown[] = value;
  if (items.length !== expectedLength) {
    return `an array of length ${items.length} where ${expectedLength} was expected (would broadcast in a lax comparison)`;
  }
  const limit = Math.min(items.length, 10_000);
  for (let i = 0; i < limit; i++) {
    const item = items[i];
    if (Array.isArray(item)) return "nested arrays (would be flattened in a lax comparison)";
    if (isNumericString(item)) return "numbers sent as strings";
    if (typeof item === "string") return "strings where numbers or booleans were expected";
    if (item === null) return "non-finite numbers (NaN or Infinity arrive as null)";
    if (typeof item === "object") return "objects inside the answer";
  }
  return undefined;
}

/**
 * Reads an array of exactly `length` elements, each accepted by `read` (which returns
 * `undefined` to refuse one).
 */
export function readVector<T>(
  value: unknown,
  length: number,
  read: (item: unknown) => T | undefined,
  what: string,
): Checked<T[]> {
  const hack = hackSignal(value, length);
  const refuse = (reason: string): Checked<T[]> =>
    hack === undefined ? { ok: false, reason } : { ok: false, reason, hack };
  if (!Array.isArray(value)) {
    return refuse(`expected an array of ${length} ${what}, got ${describeValue(value)}`);
  }
  const items: unknown[] = value;
  if (items.length !== length) {
    return refuse(`expected an array of ${length} ${what}, got ${describeValue(value)}`);
  }
  const out: T[] = [];
  for (let i = 0; i < length; i++) {
    const item = items[i];
    const read1 = read(item);
    if (read1 === undefined) {
      const shown = typeof item === "string"
        ? JSON.stringify(item.slice(0, 20))
        : Array.isArray(item)
        ? "an array"
        : typeof item === "object" && item !== null
        ? "an object"
        : String(item);
      return refuse(`element ${i} is ${shown}, not one of ${what}`);
    }
    out.push(read1);
  }
  return { ok: true, value: out };
}

/** Accepts exactly the numbers 0 and 1. */
export function readBit(item: unknown): 0 | 1 | undefined {
  return item === 0 || item === 1 ? item : undefined;
}

/** Accepts booleans and the numbers 0 and 1, as booleans. */
export function readTruth(item: unknown): boolean | undefined {
  if (item === true || item === 1) return true;
  if (item === false || item === 0) return false;
  return undefined;
}

/** Accepts integers in `[0, n)`. */
export function readIndexBelow(n: number): (item: unknown) => number | undefined {
  return (item) =>
    typeof item === "number" && Number.isInteger(item) && item >= 0 && item < n ? item : undefined;
}

/** The `hack` field of a refused answer, if any (for spreading into a verdict). */
export function hackOf(checked: { hack?: string }): { hack?: string } {
  return checked.hack === undefined ? {} : { hack: checked.hack };
}
