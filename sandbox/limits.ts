/**
 * Resource limits applied to every call into a sandboxed program.
 *
 * @module
 */

/** Limits for one sandboxed program. Every field is enforced by the runtime, not by the guest. */
export interface SandboxLimits {
  /**
   * Deadline of one call in virtual milliseconds (a deterministic count of the guest's work).
   * The wall clock only backs it up: see `LoadOptions.backstopFactor`. @default {1000}
   */
  timeoutMs: number;
  /** Cap on the guest's linear memory (the module's declared maximum), in bytes. @default {128 MiB} */
  memoryBytes: number;
  /** Cap on the QuickJS heap inside the guest, in bytes; below `memoryBytes`. @default {96 MiB} */
  heapBytes: number;
  /** Cap on the guest's JavaScript stack, in bytes. @default {512 KiB} */
  stackBytes: number;
  /** Largest JSON result accepted from one call, in bytes. @default {8 MiB} */
  outputBytes: number;
  /** Largest total of `console.log` output kept from one call, in bytes. @default {64 KiB} */
  logBytes: number;
}

/** The limits used when a caller does not say otherwise. */
export const DEFAULT_LIMITS: Readonly<SandboxLimits> = Object.freeze({
  timeoutMs: 1000,
  memoryBytes: 128 * 1024 * 1024,
  heapBytes: 96 * 1024 * 1024,
  stackBytes: 512 * 1024,
  outputBytes: 8 * 1024 * 1024,
  logBytes: 64 * 1024,
});

/**
 * Fills in missing limits with the defaults and checks that every value is usable.
 *
 * @example
 * ```ts
 * import { resolveLimits } from "./limits.ts";
 * import { equal } from "node:assert/strict";
 * equal(resolveLimits({ timeoutMs: 50 }).timeoutMs, 50);
 * ```
 *
 * @param limits Partial limits given by the caller.
 * @returns The complete limits.
 * @throws {RangeError} When a limit is not a positive finite number, or the heap does not fit in memory.
 */
export function resolveLimits(limits: Partial<SandboxLimits> = {}): SandboxLimits {
  const resolved: SandboxLimits = { ...DEFAULT_LIMITS, ...limits };
  for (const [key, value] of Object.entries(resolved)) {
    if (typeof value !== "number" || !Number.isFinite(value) || value <= 0) {
      throw new RangeError(
        `Cannot use sandbox limits as '${key}' must be a positive number: current value is ${
          String(value)
        }`,
      );
    }
  }
  if (limits.heapBytes === undefined && limits.memoryBytes !== undefined) {
    resolved.heapBytes = Math.floor(resolved.memoryBytes * 0.75);
  }
  if (resolved.heapBytes + 8 * 1024 * 1024 > resolved.memoryBytes) {
    throw new RangeError(
      `Cannot use sandbox limits as 'heapBytes' must be at least 8 MiB below 'memoryBytes': current values are ${resolved.heapBytes} and ${resolved.memoryBytes}`,
    );
  }
  return resolved;
}
