/**
 * The outcome of one call into a sandboxed program: a value, or a typed failure.
 *
 * @module
 */

/** Why a sandboxed call did not produce a value. */
export type FailureKind =
  | "compile_error"
  | "missing_export"
  | "runtime_error"
  | "timeout"
  | "out_of_memory"
  | "stack_overflow"
  | "output_too_large"
  | "bad_output"
  | "crashed";

/** A typed failure of a sandboxed call. */
export interface Failure {
  kind: FailureKind;
  /** What went wrong, escaped and bounded; safe to print. */
  message: string;
}

/** What every call reports besides its value. */
export interface CallStats {
  /** Milliseconds the guest spent running the export (not marshalling). */
  guestMs: number;
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
