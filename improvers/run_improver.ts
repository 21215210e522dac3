/**
 * Running an improver program once: `improveAlgorithm(initialSolution, utility,
 * languageModel)` inside the sandbox, with the utility and model living in the host.
 *
 * @module
 */
import type { AuditSink } from "../sandbox/audit_log.ts";
import type { Failure } from "../sandbox/call_result.ts";
import type { InstancePool } from "../sandbox/instance_pool.ts";
import type { SandboxLimits } from "../sandbox/limits.ts";
import { loadProgram } from "../sandbox/program.ts";
import type { LanguageModel } from "../lm/language_model.ts";
import { type HostUtility, improverArgs, improverGuestApi } from "./guest_api.ts";
import { hostFailureOf } from "../utilities/host_failure.ts";

/**
 * The guest time limit of an improver's own run in a real self-improvement run, in virtual
 * milliseconds (host calls do not count). Checks that watch an improver must give it the same.
 */
export const IMPROVER_TIMEOUT_MS = 120_000;

/** Options of {@linkcode runImprover}. */
export interface RunImproverOptions {
  /** The utility the improver optimises (budget and counter in the host). */
  utility: HostUtility;
  /** The model it may call (budget and counter in the host). */
  model: LanguageModel;
  /** Where attempts and limit hits are recorded. */
  audit?: AuditSink;
  /** Limits of the improver's own run (host calls do not count against its time). @default {timeoutMs: 120000} */
  limits?: Partial<SandboxLimits>;
  /** Seed of the guest's `Math.random`. @default {0} */
  seed?: number;
  /** Where fresh sandbox instances come from. */
  pool?: InstancePool;
  /** Start scoring each model reply's code as it arrives (see `improverGuestApi`). @default {true} */
  prefetch?: boolean;
}

/** The outcome of one improver run. */
export type ImproverResult =
  | { ok: true; program: string; guestMs: number; logs: string[] }
  | { ok: false; failure: Failure; guestMs: number; logs: string[] };

let helpersSource: Promise<string> | undefined;

/** The source served to programs as `./helpers.ts`. */
export function guestHelpersSource(): Promise<string> {
  helpersSource ??= Deno.readTextFile(new URL("./programs/helpers.ts", import.meta.url));
  return helpersSource;
}

/**
 * Runs an improver program once on a solution. Never throws for anything the improver
 * does: failures come back as data. A failure of the host's (a fatal endpoint error met by
 * one of its model calls, or by a model call of an improver its utility ran; a sandbox that
 * could not start) is not the improver's: it is thrown, whatever the improver made of it.
 *
 * @param improverSource The improver's TypeScript source.
 * @param initialSolution The solution it should improve.
 * @param options The utility, the model, audit, limits.
 * @returns The improved program's source, or why there is none.
 * @throws {HostFailureError} When the host failed during the run (see `utilities/host_failure.ts`).
 */
export async function runImprover(
  improverSource: string,
  initialSolution: string,
  options: RunImproverOptions,
): Promise<ImproverResult> {
  try {
    return await runImproverOnce(improverSource, initialSolution, options);
  } catch (error) {
    throw hostFailureOf(error) ?? error;
  }
}

async function runImproverOnce(
  improverSource: string,
  initialSolution: string,
  options: RunImproverOptions,
): Promise<ImproverResult> {
  // Events the improver API records carry the program's hash, known once it is loaded.
  const loaded: { hash?: string } = {};
  const api = improverGuestApi(
    options.utility,
    options.model,
    {
      ...(options.audit ? { audit: options.audit } : {}),
      ...(options.prefetch === undefined ? {} : { prefetch: options.prefetch }),
      program: () => loaded.hash,
    },
  );
  await using program = await loadProgram(improverSource, {
    prelude: api.prelude,
    hostFunctions: api.hostFunctions,
    helpers: await guestHelpersSource(),
    limits: { timeoutMs: IMPROVER_TIMEOUT_MS, ...options.limits },
    seed: options.seed ?? 0,
    ...(options.audit ? { audit: options.audit } : {}),
    ...(options.pool ? { pool: options.pool } : {}),
  });
  loaded.hash = program.hash.slice(0, 16);
  const result = await program.call(
    "improveAlgorithm",
    improverArgs(initialSolution, options.utility, options.model),
    { adapter: "improver" },
  );
  const failure = api.hostFailure();
  if (failure !== undefined) throw failure;
  if (!result.ok) return result;
  if (typeof result.value !== "string" || result.value.trim() === "") {
    return {
      ok: false,
      failure: {
        kind: "bad_output",
        message: `improveAlgorithm returned ${
          typeof result.value === "string" ? "an empty string" : typeof result.value
        }, not a program`,
      },
      guestMs: result.guestMs,
      logs: result.logs,
    };
  }
  return { ok: true, program: result.value, guestMs: result.guestMs, logs: result.logs };
}
