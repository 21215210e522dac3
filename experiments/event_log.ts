/**
 * A run's event log: `events.jsonl`, append-only, one fsynced JSON line per event. Events
 * that mark progress carry a key (`run/type/t`); when a killed run resumes, the log is
 * reopened, a torn last line is cut off, and an event whose key is already in the log is not
 * written again, so a resumed run's log holds each step once. The file follows
 * `common/jsonl_file.ts`; a damaged line in the middle stops the resume.
 *
 * @module
 */
import { JsonlFile, readJsonl } from "../common/jsonl_file.ts";

/** One stored event: a type, optional key fields, anything else. */
export interface RunEvent {
  /** ISO time it was written. */
  time: string;
  /** What happened. */
  type: string;
  /** Independent run index, for events that belong to one. */
  run?: number;
  /** Iteration, for events that belong to one. */
  t?: number;
  [field: string]: unknown;
}

/** Events with these types are written once per (run, t); others every time. */
const KEYED = new Set(["baseline", "iteration-start", "iteration-end", "run-end"]);

function isEvent(value: unknown): value is RunEvent {
  return typeof value === "object" && value !== null &&
    typeof (value as { type?: unknown }).type === "string";
}

/** The key that makes an event unique in a log, or undefined for events written every time. */
export function eventKey(event: { type: string; run?: number; t?: number }): string | undefined {
  return KEYED.has(event.type) ? `${event.run ?? ""}/${event.type}/${event.t ?? ""}` : undefined;
}

/**
 * An append-only event log.
 *
 * @example
 * ```ts
 * import { EventLog } from "./event_log.ts";
 * import { equal } from "node:assert/strict";
 * const path = await Deno.makeTempFile({ suffix: ".jsonl" });
 * const log = await EventLog.open(path);
 * await log.append({ type: "baseline", run: 0, t: 0 });
 * await log.append({ type: "baseline", run: 0, t: 0 }); // already there: not written again
 * log.close();
 * equal((await EventLog.open(path)).events.length, 1);
 * ```
 */
export class EventLog {
  readonly #file: JsonlFile;
  readonly #events: RunEvent[];
  readonly #keys: Set<string>;

  private constructor(file: JsonlFile, events: RunEvent[]) {
    this.#file = file;
    this.#events = events;
    this.#keys = new Set(events.map(eventKey).filter((k) => k !== undefined));
  }

  /**
   * Opens (creating) a log. Existing events are loaded; a torn last line (a kill during a
   * write) is cut off, since the event it held was never complete.
   *
   * @param path The file.
   * @returns The log.
   * @throws {SyntaxError} When a complete line is not a JSON event (a foreign or damaged file).
   */
  static async open(path: string): Promise<EventLog> {
    const read = await readJsonl(path, { accept: isEvent });
    const damaged = read.corrupt[0];
    if (damaged !== undefined) {
      throw new SyntaxError(
        `Cannot read the event log as line ${damaged.line} of ${path} is ${
          damaged.parsed ? "no event" : "not JSON"
        }`,
      );
    }
    const file = await JsonlFile.open(path);
    return new EventLog(file, read.records);
  }

  /** Every event in the log, oldest first (loaded ones included). */
  get events(): readonly RunEvent[] {
    return this.#events;
  }

  /** Whether an event with this key is in the log. */
  has(event: { type: string; run?: number; t?: number }): boolean {
    const key = eventKey(event);
    return key !== undefined && this.#keys.has(key);
  }

  /**
   * Appends an event (stamped with the time) and waits until it is on disk. An event whose
   * key is already in the log is skipped.
   *
   * @param event The event.
   * @returns Whether it was written.
   */
  append(event: { type: string; run?: number; t?: number; [field: string]: unknown }): Promise<
    boolean
  > {
    const key = eventKey(event);
    if (key !== undefined) {
      if (this.#keys.has(key)) return Promise.resolve(false);
      this.#keys.add(key);
    }
    const stored: RunEvent = { time: new Date().toISOString(), ...event };
    this.#events.push(stored);
    return this.#file.append(stored).then(() => true);
  }

  /** Closes the file (an append still pending then fails). */
  close(): void {
    this.#file.closeSync();
  }
}
