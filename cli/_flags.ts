/**
 * Reading numeric command-line flags, with the house error style: the action, the flag,
 * what it must be, and the value given.
 *
 * @module
 */
import { UsageError } from "./_terminal.ts";
import { type InstanceMode, isInstanceMode } from "../utilities/instance_salt.ts";

/** How a numeric flag is checked. */
export interface NumberFlag {
  /** What the command was about to do ("run", "improve", …), for the message. */
  action: string;
  /** Flag name without dashes. */
  name: string;
  /** Smallest value allowed. @default {-Infinity} */
  min?: number;
  /** Largest value allowed. @default {Infinity} */
  max?: number;
  /** Whether the value must be an integer. @default {false} */
  integer?: boolean;
  /** Whether `min` itself is excluded (e.g. a positive time scale). @default {false} */
  exclusiveMin?: boolean;
}

/**
 * Parses a numeric flag.
 *
 * @example
 * ```ts
 * import { numberFlag } from "./_flags.ts";
 * import { equal, throws } from "node:assert/strict";
 * equal(numberFlag("3", { action: "run", name: "runs", integer: true, min: 1 }), 3);
 * throws(() => numberFlag("0", { action: "run", name: "runs", integer: true, min: 1 }), /'--runs' must be an integer >= 1/);
 * ```
 *
 * @param text The flag's text.
 * @param flag How to check it.
 * @returns The number.
 * @throws {UsageError} When the text is not a number in range.
 */
export function numberFlag(text: string, flag: NumberFlag): number {
  const { min = -Infinity, max = Infinity, integer = false, exclusiveMin = false } = flag;
  const value = text.trim() === "" ? NaN : Number(text);
  const ok = (integer ? Number.isSafeInteger(value) : Number.isFinite(value)) &&
    (exclusiveMin ? value > min : value >= min) && value <= max;
  if (!ok) {
    const kind = integer ? "an integer" : "a number";
    const range = [
      min > -Infinity ? `${exclusiveMin ? ">" : ">="} ${min}` : "",
      max < Infinity ? `<= ${max}` : "",
    ].filter(Boolean).join(" and ");
    throw new UsageError(
      `Cannot ${flag.action} as '--${flag.name}' must be ${kind}${
        range ? ` ${range}` : ""
      }: current value is '${text}'`,
    );
  }
  return value;
}

/**
 * Parses `--instances public|secret`.
 *
 * @example
 * ```ts
 * import { instancesFlag } from "./_flags.ts";
 * import { equal, throws } from "node:assert/strict";
 * equal(instancesFlag(undefined, "evaluate"), "public");
 * equal(instancesFlag("secret", "evaluate"), "secret");
 * throws(() => instancesFlag("hidden", "evaluate"), /'--instances' must be public or secret/);
 * ```
 *
 * @param text The flag's text, if given.
 * @param action What the command was about to do, for the message.
 * @returns The mode (`public` when not given).
 * @throws {UsageError} When the text is neither mode.
 */
export function instancesFlag(text: string | undefined, action: string): InstanceMode {
  if (text === undefined) return "public";
  if (isInstanceMode(text)) return text;
  throw new UsageError(
    `Cannot ${action} as '--instances' must be public or secret: current value is '${text}'`,
  );
}
