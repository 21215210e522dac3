/**
 * Crash-safe JSONL files: fsynced appends, torn last lines skipped on read.
 *
 * @module
 */

/** What reading a JSONL file found. */
export interface JsonLines {
  /** The parsed lines, in order. */
  values: unknown[];
  /** Lines that did not parse (a torn last line, or damage). */
  skipped: number;
  /** Whether the file ends without a newline (a torn append). */
  tornTail: boolean;
}

/** Reads a JSONL file; a missing file reads as empty. */
export async function readJsonLines(path: string): Promise<JsonLines> {
  let text: string;
  try {
    text = await Deno.readTextFile(path);
  } catch (error) {
    if (error instanceof Deno.errors.NotFound) return { values: [], skipped: 0, tornTail: false };
    throw error;
  }
  const values: unknown[] = [];
  let skipped = 0;
  for (const line of text.split("\n")) {
    if (line.trim() === "") continue;
    try {
      values.push(JSON.parse(line));
    } catch {
      skipped++;
    }
  }
  return { values, skipped, tornTail: text.length > 0 && !text.endsWith("\n") };
}

/** An append-only JSONL file; each line is written whole and fsynced, one at a time. */
export class JsonLinesWriter {
  #file: Deno.FsFile;
  #queue: Promise<void> = Promise.resolve();
  #needsNewline: boolean;
  #closed = false;

  private constructor(file: Deno.FsFile, needsNewline: boolean) {
    this.#file = file;
    this.#needsNewline = needsNewline;
  }

  /** Opens (creating) a file for appending; a torn last line is closed off first. */
  static async open(path: string): Promise<JsonLinesWriter> {
    let needsNewline = false;
    try {
      const stat = await Deno.stat(path);
      if (stat.size > 0) {
        const probe = await Deno.open(path, { read: true });
        try {
          await probe.seek(-1, Deno.SeekMode.End);
          const last = new Uint8Array(1);
          await probe.read(last);
          needsNewline = last[0] !== 0x0a;
        } finally {
          probe.close();
        }
      }
    } catch (error) {
      if (!(error instanceof Deno.errors.NotFound)) throw error;
    }
    const file = await Deno.open(path, { append: true, create: true });
    return new JsonLinesWriter(file, needsNewline);
  }

  /** Appends one value as a line and fsyncs; appends are serialised. */
  append(value: unknown): Promise<void> {
    const line = JSON.stringify(value) + "\n";
    const next = this.#queue.then(async () => {
      if (this.#closed) throw new Error("Cannot append to a closed JSONL file");
      const prefix = this.#needsNewline ? "\n" : "";
      this.#needsNewline = false;
      const bytes = new TextEncoder().encode(prefix + line);
      let written = 0;
      while (written < bytes.length) written += await this.#file.write(bytes.subarray(written));
      await this.#file.sync();
    });
    this.#queue = next.catch(() => {});
    return next;
  }

  /** Waits for pending appends and closes the file. */
  async close(): Promise<void> {
    await this.#queue;
    if (this.#closed) return;
    this.#closed = true;
    this.#file.close();
  }
}
