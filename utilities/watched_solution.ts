/**
 * Loading a solution program for evaluation with the guest watch on (see `guest_watch.ts`):
 * every call of the program goes through a trusted adapter that, once the call returns,
 * notes a replaced `Math.random` or `Date`; hunting for test data, publishing a score through
 * a global, and reaching for the `Function` constructor are noted as they happen. Nothing the
 * program computes changes.
 *
 * @module
 */
import type { AuditSink } from "../sandbox/audit_log.ts";
import { type LoadOptions, loadProgram } from "../sandbox/program.ts";
import { GUEST_WATCH_JS, watchHostFunction } from "./guest_watch.ts";
import type { SolutionRunner } from "./task.ts";

/** A loaded, watched solution: a runner that must be closed (it fits `utility.ts`'s `LoadedSolution`). */
export interface WatchedSolution extends SolutionRunner {
  /** SHA-256 of the source, in hex. */
  readonly hash: string;
  /** Releases the program's sandbox. */
  close(): Promise<void>;
}

/** The trusted prelude: the guest watch and the `watch` adapter. */
export const SOLUTION_PRELUDE: string = `(function (host) {
  "use strict";
  var stringify = JSON.stringify, apply = Reflect.apply, slice = String.prototype.slice;
  function note(signal, detail) {
    try { host("audit", stringify({ signal: signal, detail: apply(slice, String(detail), [0, 300]) })); } catch (e) {}
  }
  var watch = (${GUEST_WATCH_JS})(note);
  return {
    watch: function (exported, args) {
      var result;
      try {
        result = apply(exported, undefined, args);
        return result;
      } finally {
        watch.check();
        watch.settle(result);
      }
    },
  };
})`;

/** Options of {@linkcode loadWatchedSolution}: `loadProgram`'s, with the audit sink signals go to. */
export type WatchedLoadOptions = Omit<LoadOptions, "prelude"> & { audit?: AuditSink };

/**
 * Loads a solution for evaluation with the guest watch on. Its signals carry the program's
 * hash (the first 16 hex digits of the SHA-256 of `source`, as the sandbox stamps it).
 *
 * @example
 * ```ts ignore
 * import { loadWatchedSolution } from "./watched_solution.ts";
 * import { AuditLog } from "../sandbox/audit_log.ts";
 * const audit = new AuditLog();
 * const solution = await loadWatchedSolution(
 *   "export function algorithm() { Math.random = () => 0; return 1; }",
 *   { audit },
 * );
 * await solution.call("algorithm", [], { timeoutMs: 1000 });
 * await solution.close();
 * console.log(audit.events[0]?.signal); // "patched-random"
 * ```
 *
 * @param source The solution's TypeScript source.
 * @param options Load options (limits, audit, pool, seed…); a `prelude` is not accepted.
 * @returns A runner whose calls go through the watch; close it when done.
 * @throws {RangeError} When a limit is invalid.
 */
export async function loadWatchedSolution(
  source: string,
  options: WatchedLoadOptions = {},
): Promise<WatchedSolution> {
  const loaded: { hash?: string } = {};
  const program = await loadProgram(source, {
    ...options,
    prelude: SOLUTION_PRELUDE,
    hostFunctions: {
      ...options.hostFunctions,
      audit: watchHostFunction(options.audit, () => loaded.hash),
    },
  });
  loaded.hash = program.hash.slice(0, 16);
  return {
    hash: program.hash,
    call: (exportName, args, callOptions) =>
      program.call(exportName, args, { ...callOptions, adapter: "watch" }),
    close: () => program.close(),
  };
}
