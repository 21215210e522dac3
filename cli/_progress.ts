/**
 * A live status line on the terminal for long commands: redrawn in place on stderr when it
 * is a terminal (with the elapsed time ticking), silent otherwise. Ordinary lines printed
 * through it appear above the status line.
 *
 * @module
 */
import type { EvaluationService } from "../utilities/evaluation_service.ts";

/**
 * What the status line says about evaluations held by a service that reports them (a job
 * queue): `evaluations 12 queued, 4 running`, or `evaluations 16 in the queue` when the
 * service cannot tell running from waiting.
 *
 * @example
 * ```ts
 * import { describeEvaluations } from "./_progress.ts";
 * import { equal } from "node:assert/strict";
 * const service = { run: () => Promise.reject(new Error("unused")) };
 * equal(describeEvaluations(service), undefined);
 * equal(
 *   describeEvaluations({ ...service, stats: () => ({ pending: 16, running: 4 }) }),
 *   "evaluations 12 queued, 4 running",
 * );
 * ```
 *
 * @param service The run's evaluation service, if any.
 * @returns The text, or `undefined` when the service reports nothing (local sandboxes).
 */
export function describeEvaluations(service: EvaluationService | undefined): string | undefined {
  const stats = service?.stats?.();
  if (stats === undefined) return undefined;
  if (stats.running === undefined) return `evaluations ${stats.pending} in the queue`;
  return `evaluations ${stats.pending - stats.running} queued, ${stats.running} running`;
}

/** A status line at the bottom of the terminal. */
export class StatusLine {
  readonly #live: boolean;
  readonly #started = performance.now();
  readonly #print: (line: string) => void;
  #status = "";
  #timer: ReturnType<typeof setInterval> | undefined;

  /**
   * @param options.print Prints one ordinary line (e.g. to stdout).
   * @param options.live Draw the status line. @default {whether stderr is a terminal}
   */
  constructor(options: { print: (line: string) => void; live?: boolean }) {
    this.#print = options.print;
    this.#live = options.live ?? Deno.stderr.isTerminal();
    if (this.#live) {
      const timer = setInterval(() => this.#draw(), 1000);
      Deno.unrefTimer(timer);
      this.#timer = timer;
    }
  }

  /** Replaces the status text. */
  set(status: string): void {
    this.#status = status;
    this.#draw();
  }

  /** Prints an ordinary line above the status line. */
  line(text: string): void {
    this.#clear();
    this.#print(text);
    this.#draw();
  }

  /** Removes the status line and stops redrawing. */
  stop(): void {
    if (this.#timer !== undefined) clearInterval(this.#timer);
    this.#timer = undefined;
    this.#clear();
  }

  #clear(): void {
    if (this.#live) Deno.stderr.writeSync(new TextEncoder().encode("\r\x1b[2K"));
  }

  #draw(): void {
    if (!this.#live || this.#status === "") return;
    const seconds = Math.round((performance.now() - this.#started) / 1000);
    const elapsed = `${Math.floor(seconds / 60)}m${String(seconds % 60).padStart(2, "0")}s`;
    const columns = (() => {
      try {
        return Deno.consoleSize().columns;
      } catch {
        return 100;
      }
    })();
    const text = `${this.#status} · ${elapsed}`.slice(0, Math.max(20, columns - 1));
    Deno.stderr.writeSync(new TextEncoder().encode(`\r\x1b[2K${text}`));
  }
}
