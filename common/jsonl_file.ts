/**
 * Durable JSONL files, with one policy for every log of the project (the event log, the audit
 * log, the model ledger, the response cache, Deno's permission audit as read back):
 *
 * - **Appending**: a record is one JSON text and a newline, written with one write call (more
 *   only if the system writes less than asked) to a file opened for appending, then fsynced
 *   (`fsync`, not `fdatasync`: the file's size and metadata reach the disk too) before the
 *   append returns. Appends through one handle are serialised. Several handles (processes)
 *   may append to one file: each line is one append-mode write, so lines do not interleave;
 *   each append holds a shared `flock` on the file while it writes.
 * - **A torn final line**: a final line without its newline is a write a crash (or a full
 *   disk) cut short. It is never a record, even when it happens to parse: its append never
 *   returned. Readers report it as `torn` and skip it; opening a file for appending cuts it
 *   off first (reported as {@linkcode JsonlFile.cutOff}), under an exclusive `flock` so that
 *   no line another handle is appending is cut with it, and so it never becomes a broken line
 *   in the middle.
 * - **A corrupt line in the middle**: a complete line (with its newline) that is not JSON, or
 *   that the reader's check refuses, is damage, not a crash. Readers never drop it silently:
 *   it is reported with its line number in `corrupt`, and each log decides what damage means
 *   (the event log refuses to resume from it; the others count it and say so).
 * - Blank lines are skipped; a missing file reads as empty.
 *
 * @module
 */

/** A complete line of a JSONL file that is not a valid record. */
export interface CorruptLine {
  /** Its line number, from 1. */
  line: number;
  /** Whether it parsed as JSON (then the reader's check refused it). */
  parsed: boolean;
  /** Its first 200 characters. */
  text: string;
}

/** What reading a JSONL file found. */
export interface JsonlContents<T> {
  /** The records, in file order. */
  records: T[];
  /** The line number (from 1) of each record. */
  lines: number[];
  /** Complete lines that were not records (damage), in file order. */
  corrupt: CorruptLine[];
  /** The final line when it lacks its newline (a torn write), else undefined. Never a record. */
  torn: string | undefined;
}

/** Options of {@linkcode parseJsonl} and {@linkcode readJsonl}. */
export interface ReadJsonlOptions<T> {
  /** Which parsed values are records; the others are reported as corrupt. @default {every value} */
  accept?: (value: unknown) => value is T;
}

/** The complete, non-blank lines of a JSONL text with their numbers, and its torn tail. */
export interface JsonlLines {
  /** Complete non-blank lines (without their newline) and their numbers, from 1. */
  lines: { line: number; text: string }[];
  /** The final line when it lacks its newline, else undefined. */
  torn: string | undefined;
}

/**
 * Splits a JSONL text into its complete lines and its torn tail (see the module's policy).
 *
 * @param text The file's text.
 * @returns The lines and the tail.
 *
 * @example
 * ```ts
 * import { splitJsonl } from "./jsonl_file.ts";
 * import { deepEqual } from "node:assert/strict";
 * deepEqual(splitJsonl('1\n\n2\n{"a'), {
 *   lines: [{ line: 1, text: "1" }, { line: 3, text: "2" }],
 *   torn: '{"a',
 * });
 * ```
 */
export function splitJsonl(text: string): JsonlLines {
  const pieces = text.split("\n");
  const last = pieces.pop() ?? "";
  const lines: { line: number; text: string }[] = [];
  for (const [i, piece] of pieces.entries()) {
    if (piece.trim() !== "") lines.push({ line: i + 1, text: piece });
  }
  return { lines, torn: last === "" ? undefined : last };
}

/**
 * Parses a JSONL text by the module's policy.
 *
 * @param text The file's text.
 * @param options Which values are records.
 * @returns The records, the corrupt lines and the torn tail.
 *
 * @example
 * ```ts
 * import { parseJsonl } from "./jsonl_file.ts";
 * import { deepEqual, equal } from "node:assert/strict";
 * const read = parseJsonl('{"a":1}\nnot json\n{"a":2}\n{"a":3}');
 * deepEqual(read.records, [{ a: 1 }, { a: 2 }]);
 * equal(read.corrupt[0]?.line, 2);
 * equal(read.torn, '{"a":3}');
 * ```
 */
export function parseJsonl<T = unknown>(
  text: string,
  options: ReadJsonlOptions<T> = {},
): JsonlContents<T> {
  const { lines, torn } = splitJsonl(text);
  const records: T[] = [];
  const recordLines: number[] = [];
  const corrupt: CorruptLine[] = [];
  for (const { line, text: lineText } of lines) {
    let value: unknown;
    try {
      value = JSON.parse(lineText);
    } catch {
      corrupt.push({ line, parsed: false, text: lineText.slice(0, 200) });
      continue;
    }
    if (options.accept === undefined || options.accept(value)) {
      records.push(value as T);
      recordLines.push(line);
    } else corrupt.push({ line, parsed: true, text: lineText.slice(0, 200) });
  }
  return { records, lines: recordLines, corrupt, torn };
}

/**
 * Reads a JSONL file by the module's policy; a missing file reads as empty.
 *
 * @param path The file.
 * @param options Which values are records.
 * @returns The records, the corrupt lines and the torn tail.
 * @throws {Deno.errors.PermissionDenied} Or any other error but NotFound that reading raises.
 *
 * @example
 * ```ts
 * import { readJsonl } from "./jsonl_file.ts";
 * import { deepEqual } from "node:assert/strict";
 * deepEqual(await readJsonl("/tmp/no-such-file.jsonl"), {
 *   records: [],
 *   lines: [],
 *   corrupt: [],
 *   torn: undefined,
 * });
 * ```
 */
export async function readJsonl<T = unknown>(
  path: string,
  options: ReadJsonlOptions<T> = {},
): Promise<JsonlContents<T>> {
  let text: string;
  try {
    text = await Deno.readTextFile(path);
  } catch (error) {
    if (error instanceof Deno.errors.NotFound) {
      return { records: [], lines: [], corrupt: [], torn: undefined };
    }
    throw error;
  }
  return parseJsonl(text, options);
}

const NEWLINE = 0x0a;
const TAIL_CHUNK = 64 * 1024;

/** Cuts a torn final line off an open file; returns the bytes it cut. */
function cutTornTail(file: Deno.FsFile): Uint8Array | undefined {
  const size = file.statSync().size;
  if (size === 0) return undefined;
  let end = size;
  const chunks: Uint8Array[] = [];
  while (end > 0) {
    const start = Math.max(0, end - TAIL_CHUNK);
    const chunk = new Uint8Array(end - start);
    file.seekSync(start, Deno.SeekMode.Start);
    let read = 0;
    while (read < chunk.length) {
      const n = file.readSync(chunk.subarray(read));
      if (n === null) break;
      read += n;
    }
    const at = chunk.lastIndexOf(NEWLINE);
    if (at === chunk.length - 1 && chunks.length === 0) return undefined; // ends with a newline
    if (at >= 0) {
      chunks.unshift(chunk.subarray(at + 1));
      file.truncateSync(start + at + 1);
      break;
    }
    chunks.unshift(chunk);
    end = start;
    if (end === 0) file.truncateSync(0);
  }
  const cut = new Uint8Array(chunks.reduce((n, c) => n + c.length, 0));
  let offset = 0;
  for (const c of chunks) {
    cut.set(c, offset);
    offset += c.length;
  }
  return cut;
}

function lineBytes(value: unknown): Uint8Array {
  return new TextEncoder().encode(JSON.stringify(value) + "\n");
}

/**
 * A JSONL file open for durable appends (see the module's policy): one handle, kept open
 * until {@linkcode JsonlFile.close}.
 *
 * @example
 * ```ts
 * import { JsonlFile, readJsonl } from "./jsonl_file.ts";
 * import { deepEqual } from "node:assert/strict";
 * const path = await Deno.makeTempFile({ suffix: ".jsonl" });
 * await Deno.writeTextFile(path, '{"n":1}\n{"n":'); // a torn last line
 * using file = JsonlFile.openSync(path);
 * file.appendSync({ n: 2 });
 * await file.append({ n: 3 });
 * deepEqual((await readJsonl(path)).records, [{ n: 1 }, { n: 2 }, { n: 3 }]);
 * ```
 */
export class JsonlFile {
  readonly #file: Deno.FsFile;
  readonly #cutOff: string | undefined;
  #queue: Promise<void> = Promise.resolve();
  #closed = false;

  private constructor(file: Deno.FsFile, cutOff: string | undefined) {
    this.#file = file;
    this.#cutOff = cutOff;
  }

  /**
   * Opens (creating) a file for appending; a torn final line is cut off first.
   *
   * @param path The file.
   * @returns The open file.
   * @throws {Deno.errors.NotFound} When the folder does not exist (or any error opening raises).
   */
  static openSync(path: string): JsonlFile {
    const file = Deno.openSync(path, { read: true, append: true, create: true });
    let cut: Uint8Array | undefined;
    try {
      // Exclusive while the tail is checked and cut; appenders hold the lock shared, so no
      // record another handle appends can be cut with it.
      file.lockSync(true);
      try {
        cut = cutTornTail(file);
      } finally {
        file.unlockSync();
      }
    } catch (error) {
      file.close();
      throw error;
    }
    return new JsonlFile(file, cut === undefined ? undefined : new TextDecoder().decode(cut));
  }

  /**
   * {@linkcode JsonlFile.openSync}, for async callers.
   *
   * @param path The file.
   * @returns The open file.
   */
  static open(path: string): Promise<JsonlFile> {
    try {
      return Promise.resolve(JsonlFile.openSync(path));
    } catch (error) {
      return Promise.reject(error);
    }
  }

  /** The torn final line cut off when the file was opened, if there was one. */
  get cutOff(): string | undefined {
    return this.#cutOff;
  }

  /**
   * Appends one record and waits until it is on disk (write, then fsync). Appends through
   * this object are serialised.
   *
   * @param value A JSON-serialisable record.
   * @throws {Error} When the file is closed; any error writing or syncing raises.
   */
  append(value: unknown): Promise<void> {
    const bytes = lineBytes(value);
    const next = this.#queue.then(async () => {
      this.#checkOpen();
      await this.#file.lock(false);
      try {
        let written = 0;
        while (written < bytes.length) written += await this.#file.write(bytes.subarray(written));
      } finally {
        await this.#file.unlock();
      }
      await this.#file.sync();
    });
    this.#queue = next.catch(() => {});
    return next;
  }

  /**
   * Appends one record synchronously and returns once it is on disk (write, then fsync). Do
   * not mix with {@linkcode JsonlFile.append} calls still pending on the same object.
   *
   * @param value A JSON-serialisable record.
   * @throws {Error} When the file is closed; any error writing or syncing raises.
   */
  appendSync(value: unknown): void {
    this.#checkOpen();
    const bytes = lineBytes(value);
    this.#file.lockSync(false);
    try {
      let written = 0;
      while (written < bytes.length) written += this.#file.writeSync(bytes.subarray(written));
    } finally {
      this.#file.unlockSync();
    }
    this.#file.syncSync();
  }

  /** Waits for pending appends and closes the file; closing twice does nothing. */
  async close(): Promise<void> {
    await this.#queue;
    this.closeSync();
  }

  /** Closes the file now (pending async appends then fail); closing twice does nothing. */
  closeSync(): void {
    if (this.#closed) return;
    this.#closed = true;
    this.#file.close();
  }

  /** Closes the file (see {@linkcode JsonlFile.closeSync}). */
  [Symbol.dispose](): void {
    this.closeSync();
  }

  #checkOpen(): void {
    if (this.#closed) throw new Error("Cannot append to a JSONL file that is closed");
  }
}
