/**
 * The outcome of one call into a sandboxed program: a value, or a typed failure.
 *
 * @module
 */

/** Every reason a sandboxed call can fail to produce a value, in a stable order. */
export const FAILURE_KINDS = [
  "compile_error",
  "missing_export",
  "runtime_error",
  "timeout",
  "wall_timeout",
  "out_of_memory",
  "stack_overflow",
  "output_too_large",
  "bad_output",
  "crashed",
] as const;

/** Why a sandboxed call did not produce a value (one of {@linkcode FAILURE_KINDS}). */
export type FailureKind = typeof FAILURE_KINDS[number];

/** A typed failure of a sandboxed call. */
export interface Failure {
  kind: FailureKind;
  /** What went wrong, escaped and bounded; safe to print. */
  message: string;
}

/** The guest's work in one call, as the virtual clock counted it. */
export interface Work {
  /** Bytecode instructions executed. */
  instructions: number;
  /** Calls made (of bytecode or native functions). */
  calls: number;
  /**
   * Units native built-ins charged for the work they do (regular expression steps, characters
   * compared, elements touched, sort comparisons, BigInt limb work, bytes allocated).
   */
  native: number;
}

/** What every call reports besides its value. */
export interface CallStats {
  /**
   * Virtual milliseconds the guest spent running the export: a count of its work (see the
   * README, "What a virtual millisecond is"), the same on any machine under any load.
   */
  guestMs: number;
  /**
   * Wall-clock milliseconds the call took on this machine, host calls excluded.
   * Informational only: no verdict or score reads it. Absent when no sandbox ran.
   */
  wallMs?: number;
  /** The meter behind `guestMs`: what the guest ran. Absent when no sandbox ran. */
  work?: Work;
  /** Lines the guest printed with `console.log` (bounded by the log limit). */
  logs: string[];
  /**
   * Audit events the guest recorded during the call, by kind: every event counted, none
   * capped (the audit sink gets the itemised details). Absent when none, or when the call
   * never reached the guest.
   */
  auditCounts?: Readonly<Record<string, number>>;
}

/** A successful call: the JSON value the export returned. */
export interface CallSuccess extends CallStats {
  ok: true;
  value: unknown;
}

/** A failed call. */
export interface CallFailure extends CallStats {
  ok: false;
  failure: Failure;
}

/** The outcome of one call into a sandboxed program. */
export type CallResult = CallSuccess | CallFailure;
