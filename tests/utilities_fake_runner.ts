/**
 * In-process stand-ins for a sandboxed program, for tests of the evaluators: they implement
 * `SolutionRunner` (and `LoadedSolution`) from `utilities/`, with no sandbox and no module
 * mocks. They run on the host's V8, which has no deterministic clock: they report no guest time
 * (`guestMs` 0) and never time out, so an evaluator's verdict on them does not depend on how
 * busy the machine is. Time limits are tested against the real sandbox, whose clock counts work.
 *
 * @module
 */
import type { CallResult } from "../sandbox/call_result.ts";
import type { LoadedSolution, SolutionRunner } from "../utilities/mod.ts";

/** A function standing in for a program's export. */
// deno-lint-ignore no-explicit-any -- test programs take any JSON arguments
export type GuestFunction = (...args: any[]) => unknown;

/** Converts a returned value the way the sandbox does: JSON out and back (NaN becomes null). */
function asJson(value: unknown): unknown {
  if (value === undefined) return undefined;
  const text = JSON.stringify(value);
  return text === undefined ? undefined : JSON.parse(text);
}

/**
 * Runs `fn` in-process as the program's `algorithm` export: arguments are copied as JSON,
 * an exception becomes `runtime_error`, and the result goes through JSON like the sandbox's.
 * It takes no guest time (see the module doc).
 */
export function functionRunner(fn: GuestFunction, hash = "fake"): LoadedSolution & {
  calls: number;
} {
  const runner = {
    hash,
    calls: 0,
    call(
      exportName: string,
      args: unknown[],
    ): Promise<CallResult> {
      runner.calls++;
      if (exportName !== "algorithm") {
        return Promise.resolve({
          ok: false,
          failure: { kind: "missing_export", message: exportName },
          guestMs: 0,
          logs: [],
        });
      }
      const copied = JSON.parse(JSON.stringify(args)) as unknown[];
      let value: unknown;
      try {
        value = asJson(fn(...copied));
      } catch (error) {
        const message = error instanceof Error ? error.message : String(error);
        return Promise.resolve({
          ok: false,
          failure: { kind: "runtime_error", message },
          guestMs: 0,
          logs: [],
        });
      }
      return Promise.resolve({ ok: true, value, guestMs: 0, logs: [] });
    },
    close: () => Promise.resolve(),
  };
  return runner;
}

/** A runner whose every call returns `result` (for failure kinds a function cannot produce). */
export function fixedRunner(result: CallResult): SolutionRunner & { calls: number } {
  const runner = {
    calls: 0,
    call(): Promise<CallResult> {
      runner.calls++;
      return Promise.resolve(result);
    },
  };
  return runner;
}

/**
 * Loads a TypeScript program in-process (a `data:` module import, so Deno strips its types)
 * and runs its `algorithm` export with {@linkcode functionRunner}. A program that does not
 * parse or lacks the export reports `compile_error` / `missing_export` from every call.
 */
export async function sourceRunner(source: string): Promise<LoadedSolution> {
  let module: Record<string, unknown>;
  try {
    const bytes = new TextEncoder().encode(source);
    let binary = "";
    for (const b of bytes) binary += String.fromCharCode(b);
    module = await import(`data:application/typescript;base64,${btoa(binary)}`);
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    return { ...fixedRunner(failure("compile_error", message)), close: () => Promise.resolve() };
  }
  const exported = module.algorithm;
  if (typeof exported !== "function") {
    return {
      ...fixedRunner(failure("missing_export", "algorithm")),
      close: () => Promise.resolve(),
    };
  }
  return functionRunner(exported as GuestFunction);
}

/** A failed call result of the given kind. */
export function failure(
  kind: Extract<CallResult, { ok: false }>["failure"]["kind"],
  message: string = kind,
): CallResult {
  return { ok: false, failure: { kind, message }, guestMs: 1, logs: [] };
}

/** Reads a library program of the offline stand-in: `stand_in/programs/<path>`. */
export function readLibraryProgram(path: string): Promise<string> {
  return Deno.readTextFile(new URL(`../stand_in/programs/${path}`, import.meta.url));
}
