/**
 * A run's event log: `events.jsonl`, append-only, one fsynced JSON line per event. Events
 * that mark progress carry a key (`run/type/t`); when a killed run resumes, the log is
 * reopened, a torn last line is cut off, and an event whose key is already in the log is not
 * written again, so a resumed run's log holds each step once.
 *
 * @module
 */

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
  readonly #file: Deno.FsFile;
  readonly #events: RunEvent[];
  readonly #keys: Set<string>;
  #queue: Promise<void> = Promise.resolve();

  private constructor(file: Deno.FsFile, events: RunEvent[]) {
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
    let text = "";
    try {
      text = await Deno.readTextFile(path);
    } catch (error) {
      if (!(error instanceof Deno.errors.NotFound)) throw error;
    }
    const complete = text.endsWith("\n") ? text : text.slice(0, text.lastIndexOf("\n") + 1);
    const events: RunEvent[] = [];
    for (const [i, line] of complete.split("\n").entries()) {
      if (line.trim() === "") continue;
      let value: unknown;
      try {
        value = JSON.parse(line);
      } catch {
        throw new SyntaxError(`Cannot read the event log as line ${i + 1} of ${path} is not JSON`);
      }
      if (
        typeof value !== "object" || value === null ||
        typeof (value as { type?: unknown }).type !== "string"
      ) {
        throw new SyntaxError(`Cannot read the event log as line ${i + 1} of ${path} is no event`);
      }
      events.push(value as RunEvent);
    }
    const file = await Deno.open(path, { read: true, write: true, create: true });
    if (complete.length !== text.length) {
      await file.truncate(new TextEncoder().encode(complete).length);
    }
    await file.seek(0, Deno.SeekMode.End);
    return new EventLog(file, events);
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
    const bytes = new TextEncoder().encode(JSON.stringify(stored) + "\n");
    const write = this.#queue.then(async () => {
      let done = 0;
      while (done < bytes.length) done += await this.#file.write(bytes.subarray(done));
      await this.#file.syncData();
    });
    this.#queue = write.catch(() => {});
    return write.then(() => true);
  }

  /** Closes the file. */
  close(): void {
    this.#file.close();
  }
}
