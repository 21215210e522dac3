/**
 * The audit hook the language-model layer reports refusals to.
 *
 * @module
 */

/** What the language-model layer reports. */
export type LmAuditKind = "budget_exceeded" | "host_call_misuse" | "reply_without_answer";

/**
 * Where refused or misused model calls are reported. Structurally compatible with the
 * sandbox's `AuditSink`; `record` must never throw.
 */
export interface AuditHook {
  /** Records one event. */
  record(event: { kind: LmAuditKind; detail: string; signal?: string }): void;
}
