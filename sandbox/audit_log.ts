/**
 * The audit log: one JSON line per thing a sandboxed program tried and was not allowed,
 * or per limit it hit.
 *
 * @module
 */
import { JsonlFile } from "../common/jsonl_file.ts";

/** Every kind of audit event, in a stable order (for summaries). */
export const AUDIT_KINDS = [
  "timeout",
  "wall_timeout",
  "out_of_memory",
  "stack_overflow",
  "output_too_large",
  "log_overflow",
  "bad_output",
  "crash",
  "capability_attempt",
  "module_refused",
  "host_call_misuse",
  "sandbox_disable_attempt",
  "budget_exceeded",
  "budget_tampering",
  "reward_hack_signal",
  "reply_without_answer",
] as const;

/** What an audit event is about (one of {@linkcode AUDIT_KINDS}). */
export type AuditKind = typeof AUDIT_KINDS[number];

/** One audit record as stored. */
export interface AuditEvent {
  /** ISO time the host recorded it. */
  time: string;
  /** The run it belongs to, if any. */
  run?: string;
  /** Content hash of the program that caused it, if any. */
  program?: string;
  /** What happened. */
  kind: AuditKind;
  /**
   * A finer, stable category within the kind (e.g. `shape-broadcast` within
   * `reward_hack_signal`), when the recorder knows one; see `utilities/audit_signals.ts`.
   */
  signal?: string;
  /** Human-readable detail (escaped, bounded). */
  detail: string;
  /** How many events this record stands for (identical ones counted together); 1 when absent. */
  count?: number;
}

/** What a component that reports audit events needs. */
export interface AuditSink {
  /** Records one event; never throws. */
  record(
    event: { kind: AuditKind; detail: string; program?: string; signal?: string; count?: number },
  ): void;
}

/** How many events a record stands for (its `count`, 1 when absent or invalid). */
export function eventsIn(event: { count?: number }): number {
  const n = event.count;
  return typeof n === "number" && Number.isSafeInteger(n) && n >= 1 ? n : 1;
}

/**
 * Orders audit records by what they say, never by when they were written: program hash (records
 * without one last), then signal, kind and detail. With evaluations running concurrently the
 * file order of `audit.jsonl` is the order they finished in; a summary that shows one record of
 * many takes the first in this order, so the same records give the same summary in any order.
 *
 * @param a One record.
 * @param b Another record.
 * @returns A negative number, zero or a positive number, as `Array.prototype.sort` expects.
 * @example
 * ```ts
 * import { byContent } from "./audit_log.ts";
 * const records = [
 *   { kind: "timeout" as const, detail: "b", program: "ff" },
 *   { kind: "timeout" as const, detail: "a", program: "0a" },
 * ];
 * if ([...records].sort(byContent)[0]!.program !== "0a") throw new Error("not by content");
 * ```
 */
export function byContent(
  a: Pick<AuditEvent, "kind" | "detail" | "program" | "signal">,
  b: Pick<AuditEvent, "kind" | "detail" | "program" | "signal">,
): number {
  const text = (x: string | undefined, y: string | undefined) =>
    x === y ? 0 : x === undefined ? 1 : y === undefined ? -1 : x < y ? -1 : 1;
  return text(a.program, b.program) || text(a.signal, b.signal) || text(a.kind, b.kind) ||
    text(a.detail, b.detail);
}

/**
 * Event counts by kind (kinds with no event omitted, counted records included), keyed in
 * {@linkcode AUDIT_KINDS} order whatever order the events came in: written as JSON, the same
 * events give the same text when concurrent evaluations finished in another order.
 *
 * @param events The events.
 * @returns The counts.
 * @example
 * ```ts
 * import { countByKind } from "./audit_log.ts";
 * const counts = countByKind([
 *   { kind: "crash" }, { kind: "timeout", count: 2 }, { kind: "crash" },
 * ]);
 * if (JSON.stringify(counts) !== '{"timeout":2,"crash":2}') throw new Error("out of order");
 * ```
 */
export function countByKind(
  events: Iterable<{ kind: AuditKind; count?: number }>,
): Partial<Record<AuditKind, number>> {
  const counts = new Map<AuditKind, number>();
  for (const e of events) counts.set(e.kind, (counts.get(e.kind) ?? 0) + eventsIn(e));
  const out: Partial<Record<AuditKind, number>> = {};
  for (const kind of AUDIT_KINDS) {
    const n = counts.get(kind);
    if (n !== undefined) out[kind] = n;
  }
  return out;
}

const MAX_DETAIL = 2000;

/** Makes a detail string safe to store and print: bounded, control characters escaped. */
export function sanitizeDetail(detail: string): string {
  const cut = detail.length > MAX_DETAIL ? detail.slice(0, MAX_DETAIL) + "…" : detail;
  return cut.replace(
    // deno-lint-ignore no-control-regex
    /[\u0000-\u001f\u007f-\u009f\u2028\u2029]/g,
    (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, "0")}`,
  );
}

/**
 * An audit log kept in memory and optionally appended to a JSONL file. The file is opened at
 * the first event (a torn last line cut off, `common/jsonl_file.ts`) and kept open until
 * {@linkcode AuditLog.close}; each event is written and fsynced before `record()` returns. A
 * log given a path must be closed (`using` does it); an event recorded after `close()` opens
 * the file again.
 *
 * @example
 * ```ts
 * import { AuditLog } from "./audit_log.ts";
 * import { equal } from "node:assert/strict";
 * const log = new AuditLog({ run: "demo" });
 * log.record({ kind: "timeout", detail: "loop" });
 * equal(log.count("timeout"), 1);
 * ```
 */
export class AuditLog implements AuditSink {
  #events: AuditEvent[] = [];
  #path: string | undefined;
  #file: JsonlFile | undefined;
  #run: string | undefined;
  #clock: () => Date;

  /**
   * @param options.path JSONL file to append to (created if missing); in memory only when omitted.
   * @param options.run Run id stamped on every event.
   * @param options.clock Clock used for timestamps. @default {() => new Date()}
   */
  constructor(options: { path?: string; run?: string; clock?: () => Date } = {}) {
    this.#path = options.path;
    this.#run = options.run;
    this.#clock = options.clock ?? (() => new Date());
  }

  /** Records one event, appending it to the file when there is one. Never throws. */
  record(
    event: { kind: AuditKind; detail: string; program?: string; signal?: string; count?: number },
  ): void {
    const count = eventsIn(event);
    const stored: AuditEvent = {
      time: this.#clock().toISOString(),
      ...(this.#run === undefined ? {} : { run: this.#run }),
      ...(event.program === undefined ? {} : { program: event.program }),
      kind: event.kind,
      ...(event.signal === undefined ? {} : { signal: sanitizeDetail(String(event.signal)) }),
      detail: sanitizeDetail(String(event.detail)),
      ...(count > 1 ? { count } : {}),
    };
    this.#events.push(stored);
    if (this.#path !== undefined) {
      try {
        this.#file ??= JsonlFile.openSync(this.#path);
        this.#file.appendSync(stored);
      } catch {
        // The in-memory copy is kept; a failing disk must not stop the sandbox. The file is
        // opened again for the next event, which cuts off what a failed write left.
        this.close();
      }
    }
  }

  /** Closes the file, if one is open; the events stay readable. Closing twice does nothing. */
  close(): void {
    this.#file?.closeSync();
    this.#file = undefined;
  }

  /** Closes the file (see {@linkcode AuditLog.close}). */
  [Symbol.dispose](): void {
    this.close();
  }

  /** All events recorded through this object, oldest first. */
  get events(): readonly AuditEvent[] {
    return this.#events;
  }

  /** Number of events (counted ones included), of one kind or of all kinds. */
  count(kind?: AuditKind): number {
    let n = 0;
    for (const e of this.#events) if (kind === undefined || e.kind === kind) n += eventsIn(e);
    return n;
  }

  /**
   * Event counts by kind (kinds with no event are omitted), keyed in {@linkcode AUDIT_KINDS}
   * order whatever order the events came in, so that a summary written as JSON is the same
   * text when concurrent evaluations finish in another order.
   */
  summary(): Partial<Record<AuditKind, number>> {
    return countByKind(this.#events);
  }
}
