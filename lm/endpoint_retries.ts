/**
 * Transient endpoint failures (429, 5xx, timeouts, unreadable bodies) that the client retried,
 * totalled over a ledger from each record's `retries`, and described in one line.
 *
 * @module
 */
import type { LedgerRecord } from "./ledger.ts";

/** Retries over a run, in total and by kind (HTTP status, `timeout`, `unavailable`, …). */
export interface EndpointRetries {
  /** Retries made. */
  total: number;
  /** Retries by kind. */
  byKind: Record<string, number>;
}

/**
 * Totals the retries the ledger's completions (answered or failed) record.
 *
 * @param records The ledger's records.
 * @returns The totals; `{ total: 0, byKind: {} }` when nothing was retried.
 *
 * @example
 * ```ts
 * import { countRetries } from "./endpoint_retries.ts";
 * import { deepEqual } from "node:assert/strict";
 * deepEqual(countRetries([]), { total: 0, byKind: {} });
 * ```
 */
export function countRetries(records: readonly LedgerRecord[]): EndpointRetries {
  const result: EndpointRetries = { total: 0, byKind: {} };
  for (const record of records) {
    if (record.kind !== "completion" || record.retries === undefined) continue;
    for (const [kind, count] of Object.entries(record.retries)) {
      if (count === undefined || count <= 0) continue;
      result.total += count;
      result.byKind[kind] = (result.byKind[kind] ?? 0) + count;
    }
  }
  return result;
}

/**
 * Describes retries for people, most frequent kind first.
 *
 * @param retries The totals.
 * @returns E.g. `endpoint: 7 retries (429 ×5, 503 ×2)`; `undefined` when there were none.
 *
 * @example
 * ```ts
 * import { describeRetries } from "./endpoint_retries.ts";
 * import { equal } from "node:assert/strict";
 * equal(
 *   describeRetries({ total: 7, byKind: { "503": 2, "429": 5 } }),
 *   "endpoint: 7 retries (429 ×5, 503 ×2)",
 * );
 * ```
 */
export function describeRetries(retries: EndpointRetries): string | undefined {
  if (retries.total === 0) return undefined;
  const kinds = Object.entries(retries.byKind)
    .sort(([a, x], [b, y]) => y - x || a.localeCompare(b))
    .map(([kind, count]) => `${kind} ×${count}`);
  return `endpoint: ${retries.total} ${retries.total === 1 ? "retry" : "retries"} (${
    kinds.join(", ")
  })`;
}
