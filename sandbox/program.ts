/**
 * Loading a TypeScript program into a fresh WebAssembly sandbox and calling its exports.
 *
 * @module
 */
import { type AuditKind, type AuditSink, sanitizeDetail } from "./audit_log.ts";
import { type CallResult, type Failure, FAILURE_KINDS, type FailureKind } from "./call_result.ts";
import { resolveLimits, type SandboxLimits } from "./limits.ts";
import { ProgramClosedError } from "./errors.ts";
import { type PluginInstance, startPluginInstance } from "./plugin_instance.ts";
import type { InstancePool } from "./instance_pool.ts";
import { transpile } from "./transpile.ts";

/**
 * A host function the trusted prelude may call from inside the guest. It receives the
 * JSON payload the guest sent and returns a JSON-serialisable value (or a promise of
 * one). If it throws, the guest receives the error message as data; the plugin lives on.
 */
export type HostFunction = (payload: unknown) => unknown | Promise<unknown>;

/**
 * For benchmarks only: the {@linkcode LoadOptions} key that runs the program in the
 * unmetered plugin (the same sources with the meter compiled out; `deno task bench` builds
 * it), to measure what the meter costs. Such a program has **no deterministic time limit**:
 * its work reads as 0 and its clock stands still, so `timeoutMs` never fires, a program that
 * waits for its clock never stops, and only the wall-clock backstop ends a runaway call. A
 * symbol, so that no command-line flag, configuration file or JSON can select it; not
 * exported from `sandbox/mod.ts`.
 */
export const UNMETERED_FOR_BENCHMARKS: unique symbol = Symbol("stop.unmeteredForBenchmarks");

/** Options of {@linkcode loadProgram}. */
export interface LoadOptions {
  /** Limits of every call. @default {DEFAULT_LIMITS} */
  limits?: Partial<SandboxLimits>;
  /** Host functions reachable from the trusted prelude, by name. @default {{}} */
  hostFunctions?: Record<string, HostFunction>;
  /**
   * Trusted JavaScript (a script, not a module) evaluated before the program. Its
   * completion value must be a function `(host) => adapters`, where `host(name, payloadJson)`
   * calls a host function and returns the reply's JSON text (`{"ok":true,"value":...}` or
   * `{"ok":false,"error":"..."}`), and `adapters` maps adapter names to
   * `(exported, args) => result` wrappers usable with {@linkcode CallOptions.adapter}.
   * The program itself never sees `host`.
   */
  prelude?: string;
  /** TypeScript source served to the program as `./helpers.ts`. @default {none: the import fails} */
  helpers?: string;
  /** Where audit events go. @default {a sink that drops them} */
  audit?: AuditSink;
  /** Seed of the guest's `Math.random`. @default {0} */
  seed?: number;
  /** Cap on one host call's time; past it the guest gets an error and the late result is dropped. @default {600000} */
  hostCallTimeoutMs?: number;
  /**
   * The wall-clock backstop: a call still running (host calls excluded) after
   * `backstopFactor × timeoutMs + killSlackMs` wall milliseconds is killed and fails as
   * `wall_timeout`. It catches work the virtual clock does not count (native built-ins that
   * never poll, such as a catastrophic regex); generous, so that load on the machine never
   * fires it for programs that keep to their virtual limit. @default {DEFAULT_BACKSTOP_FACTOR}
   */
  backstopFactor?: number;
  /** Wall milliseconds added to the backstop. @default {1000} */
  killSlackMs?: number;
  /** Where fresh instances come from. @default {each instance is started on demand} */
  pool?: InstancePool;
  /** See {@linkcode UNMETERED_FOR_BENCHMARKS}: benchmarks only, never with a pool. */
  [UNMETERED_FOR_BENCHMARKS]?: true;
}

/**
 * Default {@linkcode LoadOptions.backstopFactor}: wall milliseconds allowed per virtual
 * millisecond of a call's limit. Idle, the development machine (2 cores) runs 1.6 to 6.1 wall
 * ms per virtual ms (the calibration programs; the max-cut seed 6.3 on its slowest call); a
 * load average of 12 ran guest code 8 to 13 times slower than idle, and a load average of 15
 * to 20 took the max-cut seed to 76 (4.8 wall s for 62.8 virtual ms). 125 is the 50 that held
 * before the clock was calibrated to CPython, scaled by the work a virtual ms now stands for
 * (3300 / 1305 virtual ps per unit), so a call gets the same wall time per unit of work. Since
 * the clock was refitted to 1134 ps per unit (the native charges raised), a virtual ms is 15 %
 * more work and an idle virtual ms 1.9 to 2.5 wall ms on the calibration programs (15 for the
 * shortest calls): 125 still leaves a margin of 50 over the common case.
 */
export const DEFAULT_BACKSTOP_FACTOR = 125;

/** Options of {@linkcode Program.call}. */
export interface CallOptions {
  /** Deadline of this call in virtual milliseconds, overriding the load-time limit. */
  timeoutMs?: number;
  /** Name of a prelude adapter that wraps the export before it is called. */
  adapter?: string;
}

const FAILURE_AUDIT: Partial<Record<FailureKind, AuditKind>> = {
  timeout: "timeout",
  wall_timeout: "wall_timeout",
  out_of_memory: "out_of_memory",
  stack_overflow: "stack_overflow",
  output_too_large: "output_too_large",
  bad_output: "bad_output",
  crashed: "crash",
};

const ENVELOPE_SLACK = 256 * 1024;
/**
 * Distinct details itemised per audit kind and call: the guest's 64, and 16 more it reserves
 * for module requests that would run code (`sandbox/plugin/stop_sandbox.c`, `MAX_RESERVED`).
 */
const MAX_ITEMS_PER_KIND = 64 + 16;

/** A guest-reported event count: a positive integer (1 when missing or malformed). */
function eventCount(n: unknown): number {
  return typeof n === "number" && Number.isSafeInteger(n) && n >= 1 ? n : 1;
}
const MAX_HOST_PAYLOAD = 4 * 1024 * 1024;

async function sha256Hex(text: string): Promise<string> {
  const digest = await crypto.subtle.digest("SHA-256", new TextEncoder().encode(text));
  return Array.from(new Uint8Array(digest), (b) => b.toString(16).padStart(2, "0")).join("");
}

function failure(
  kind: FailureKind,
  message: string,
  times: Pick<CallResult, "guestMs" | "wallMs" | "work"> = { guestMs: 0 },
  logs: string[] = [],
): CallResult {
  return { ok: false, failure: { kind, message: sanitizeDetail(message) }, ...times, logs };
}

interface Envelope {
  ok: boolean;
  guestMs: number;
  work?: unknown;
  meta: {
    logs: string[];
    /** Itemised events: kind, detail, how many times that detail occurred. */
    audit: [string, string, number][];
    /** Every event of the call, by kind (never capped). */
    auditCounts: Record<string, number>;
    logOverflow: boolean;
  };
  value?: unknown;
  kind?: string;
  message?: string;
}

/** What one export call sent to the plugin came back as, with its wall time. */
type Sent = (Envelope | Failure) & { wallMs: number };

/** The failures a guest envelope may report: not "wall_timeout", only the host's backstop reports that. */
const GUEST_FAILURE_KINDS: ReadonlySet<string> = new Set<FailureKind>(
  FAILURE_KINDS.filter((kind) => kind !== "wall_timeout"),
);

const GUEST_AUDIT_KINDS: ReadonlySet<string> = new Set<AuditKind>([
  "capability_attempt",
  "module_refused",
  "log_overflow",
  "host_call_misuse",
  "sandbox_disable_attempt",
  "budget_tampering",
  "reward_hack_signal",
]);

function parseEnvelope(bytes: Uint8Array, limit: number): Envelope | Failure {
  if (bytes.byteLength > limit + ENVELOPE_SLACK) {
    return {
      kind: "output_too_large",
      message: `the plugin returned ${bytes.byteLength} bytes, over the limit of ${limit}`,
    };
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(new TextDecoder().decode(bytes));
  } catch {
    return { kind: "bad_output", message: "the plugin returned bytes that are not JSON" };
  }
  if (
    typeof parsed !== "object" || parsed === null || typeof (parsed as Envelope).ok !== "boolean" ||
    typeof (parsed as Envelope).guestMs !== "number" ||
    typeof (parsed as Envelope).meta !== "object"
  ) {
    return { kind: "bad_output", message: "the plugin returned a malformed envelope" };
  }
  const env = parsed as Envelope;
  if (!Array.isArray(env.meta.logs)) env.meta.logs = [];
  if (!Array.isArray(env.meta.audit)) env.meta.audit = [];
  if (typeof env.meta.auditCounts !== "object" || env.meta.auditCounts === null) {
    env.meta.auditCounts = {};
  }
  return env;
}

/**
 * A program loaded for evaluation. Each call runs in a sandbox instance that has seen
 * only this program; after any failure the instance is discarded and the next call gets a
 * fresh one. Close it (or use `await using`) to release its worker.
 */
export class Program implements AsyncDisposable {
  /** SHA-256 of the program's source. */
  readonly hash: string;
  #source: string;
  #code: string | undefined;
  #compileError: string | undefined;
  #helpers: string | undefined;
  #limits: SandboxLimits;
  #options: LoadOptions;
  #instance: PluginInstance | undefined;
  #loadFailure: CallResult | undefined;
  #queue: Promise<unknown> = Promise.resolve();
  #closed = false;
  #hostMs = 0;
  #inHostCall = 0;
  #instancesStarted = 0;

  /** Use {@linkcode loadProgram}. */
  constructor(source: string, hash: string, options: LoadOptions) {
    this.#source = source;
    this.hash = hash;
    this.#options = options;
    this.#limits = resolveLimits(options.limits);
    if (options[UNMETERED_FOR_BENCHMARKS] === true && options.pool !== undefined) {
      throw new RangeError(
        "Cannot load an unmetered program from a pool: pooled instances are metered; drop 'pool'",
      );
    }
    const js = transpile(source);
    if (js.ok) this.#code = js.code;
    else this.#compileError = js.message;
    if (options.helpers !== undefined) {
      const helpers = transpile(options.helpers);
      this.#helpers = helpers.ok ? helpers.code : `throw new Error("helpers do not compile");`;
    }
  }

  /** The TypeScript source this program was loaded from. */
  get source(): string {
    return this.#source;
  }

  /** The limits in force. */
  get limits(): Readonly<SandboxLimits> {
    return this.#limits;
  }

  /** How many sandbox instances this program has used so far. */
  get instancesStarted(): number {
    return this.#instancesStarted;
  }

  #audit(kind: AuditKind, detail: string, count = 1): void {
    try {
      this.#options.audit?.record({
        kind,
        detail,
        program: this.hash.slice(0, 16),
        ...(count > 1 ? { count } : {}),
      });
    } catch {
      // an audit sink must not break evaluation
    }
  }

  async #onHostCall(request: string): Promise<string> {
    const newline = request.indexOf("\n");
    const name = newline < 0 ? request : request.slice(0, newline);
    const payloadText = newline < 0 ? "" : request.slice(newline + 1);
    const fn = Object.hasOwn(this.#options.hostFunctions ?? {}, name)
      ? this.#options.hostFunctions![name]
      : undefined;
    if (fn === undefined) {
      this.#audit("host_call_misuse", `unknown host function '${name.slice(0, 100)}'`);
      return JSON.stringify({ ok: false, error: `no host function named '${name.slice(0, 100)}'` });
    }
    if (payloadText.length > MAX_HOST_PAYLOAD) {
      this.#audit("host_call_misuse", `'${name}' payload of ${payloadText.length} characters`);
      return JSON.stringify({
        ok: false,
        error: `the payload is over ${MAX_HOST_PAYLOAD} characters`,
      });
    }
    let payload: unknown = undefined;
    if (payloadText !== "" && payloadText !== "undefined") {
      try {
        payload = JSON.parse(payloadText);
      } catch {
        this.#audit("host_call_misuse", `'${name}' payload is not JSON`);
        return JSON.stringify({ ok: false, error: "the payload is not JSON" });
      }
    }
    const started = performance.now();
    this.#inHostCall++;
    let timer: ReturnType<typeof setTimeout> | undefined;
    try {
      const timeoutMs = this.#options.hostCallTimeoutMs ?? 600_000;
      const timedOut = Symbol("timeout");
      const value = await Promise.race([
        Promise.resolve().then(() => fn(payload)),
        new Promise<typeof timedOut>((resolve) =>
          timer = setTimeout(() => resolve(timedOut), timeoutMs)
        ),
      ]);
      if (value === timedOut) {
        this.#audit("host_call_misuse", `'${name}' took longer than ${timeoutMs} ms`);
        return JSON.stringify({ ok: false, error: `host call '${name}' timed out` });
      }
      const text = JSON.stringify({ ok: true, value: value === undefined ? null : value });
      return text;
    } catch (error) {
      return JSON.stringify({ ok: false, error: String((error as Error)?.message ?? error) });
    } finally {
      clearTimeout(timer);
      this.#inHostCall--;
      this.#hostMs += performance.now() - started;
    }
  }

  async #discard(): Promise<void> {
    const instance = this.#instance;
    this.#instance = undefined;
    await instance?.close();
  }

  /** Sends one export call with the host's outer deadline; kills the worker past it. */
  async #send(
    instance: PluginInstance,
    name: "load" | "call",
    input: unknown,
    timeoutMs: number,
  ): Promise<Sent> {
    const bytes = new TextEncoder().encode(JSON.stringify(input));
    const backstopMs = timeoutMs * (this.#options.backstopFactor ?? DEFAULT_BACKSTOP_FACTOR) +
      (this.#options.killSlackMs ?? 1000);
    const startHostMs = this.#hostMs;
    const started = performance.now();
    const wallMs = () => performance.now() - started - (this.#hostMs - startHostMs);
    let timer: ReturnType<typeof setTimeout> | undefined;
    const killed = Symbol("killed");
    const deadline = new Promise<typeof killed>((resolve) => {
      const check = () => {
        const remaining = backstopMs - wallMs();
        if (remaining <= 0 && this.#inHostCall === 0) resolve(killed);
        else timer = setTimeout(check, Math.max(10, Math.min(remaining, 250)));
      };
      timer = setTimeout(check, backstopMs);
    });
    const outcome = instance.call(name, bytes).then(
      (out) => ({ out }),
      (error: unknown) => ({ error }),
    );
    try {
      const result = await Promise.race([outcome, deadline]);
      if (result === killed) {
        const spent = wallMs();
        await this.#discard();
        return {
          kind: "wall_timeout",
          message: `the program ran ${
            Math.round(spent)
          } wall-clock ms without reaching its virtual limit of ${timeoutMs} ms and was killed`,
          wallMs: spent,
        };
      }
      if ("error" in result) {
        await this.#discard();
        const message = String((result.error as Error)?.message ?? result.error);
        const kind: FailureKind = /call stack|stack overflow/i.test(message)
          ? "stack_overflow"
          : /out of memory|memory access out of bounds|could not allocate|grow/i.test(message)
          ? "out_of_memory"
          : "crashed";
        return { kind, message: `the sandbox stopped: ${message}`, wallMs: wallMs() };
      }
      return { ...parseEnvelope(result.out, this.#limits.outputBytes), wallMs: wallMs() };
    } finally {
      clearTimeout(timer);
    }
  }

  /**
   * Records what the guest counted: each itemised detail with its count, and per kind the
   * events beyond the itemised ones as one counted event, so every event is counted.
   */
  #recordEnvelopeAudit(env: Envelope): void {
    const itemised = new Map<string, number>(); // events itemised, by kind
    const items = new Map<string, number>(); // distinct details itemised, by kind
    for (const entry of env.meta.audit) {
      if (!Array.isArray(entry)) continue;
      const [kind, detail, n] = entry;
      if (typeof kind !== "string" || !GUEST_AUDIT_KINDS.has(kind)) continue;
      const count = eventCount(n);
      if ((items.get(kind) ?? 0) >= MAX_ITEMS_PER_KIND) continue;
      items.set(kind, (items.get(kind) ?? 0) + 1);
      itemised.set(kind, (itemised.get(kind) ?? 0) + count);
      this.#audit(kind as AuditKind, String(detail ?? ""), count);
    }
    for (const [kind, n] of Object.entries(env.meta.auditCounts)) {
      if (!GUEST_AUDIT_KINDS.has(kind)) continue;
      const rest = eventCount(n) - (itemised.get(kind) ?? 0);
      if (rest > 0) {
        this.#audit(kind as AuditKind, `${rest} further events of this kind, not itemised`, rest);
      }
    }
  }

  #toResult(env: Sent): CallResult {
    const wallMs = env.wallMs;
    if (!("meta" in env)) {
      const audit = FAILURE_AUDIT[env.kind];
      if (audit) this.#audit(audit, env.message);
      return failure(env.kind, env.message, { guestMs: 0, wallMs });
    }
    this.#recordEnvelopeAudit(env);
    const logs = env.meta.logs.filter((l): l is string => typeof l === "string").map(
      sanitizeDetail,
    );
    const guestMs = Math.max(0, env.guestMs);
    const counts: Record<string, number> = {};
    for (const [kind, n] of Object.entries(env.meta.auditCounts)) {
      if (GUEST_AUDIT_KINDS.has(kind)) counts[kind] = eventCount(n);
    }
    const stats = Object.keys(counts).length > 0 ? { auditCounts: counts } : {};
    const [instructions, calls, native] = Array.isArray(env.work) ? env.work : [];
    const times =
      typeof instructions === "number" && typeof calls === "number" && typeof native === "number"
        ? { guestMs, wallMs, work: { instructions, calls, native } }
        : { guestMs, wallMs };
    if (env.ok) return { ok: true, value: env.value ?? null, ...times, logs, ...stats };
    const kind: FailureKind = typeof env.kind === "string" && GUEST_FAILURE_KINDS.has(env.kind)
      ? env.kind as FailureKind
      : "crashed";
    const message = typeof env.message === "string" ? env.message : "unknown failure";
    const audit = FAILURE_AUDIT[kind];
    if (audit) this.#audit(audit, message.split("\n")[0] ?? "");
    return { ...failure(kind, message, times, logs), ...stats };
  }

  async #ensureInstance(): Promise<PluginInstance | CallResult> {
    if (this.#loadFailure) return this.#loadFailure;
    if (this.#instance) return this.#instance;
    const handler = (request: string) => this.#onHostCall(request);
    const instance = this.#options.pool
      ? await this.#options.pool.acquire(this.#limits.memoryBytes, handler)
      : await startPluginInstance(
        this.#limits.memoryBytes,
        handler,
        this.#options[UNMETERED_FOR_BENCHMARKS] === true ? "unmetered" : "metered",
      );
    this.#instancesStarted++;
    this.#instance = instance;
    const env = await this.#send(instance, "load", {
      source: this.#code,
      helpers: this.#helpers ?? "",
      prelude: this.#options.prelude ?? "",
      seed: this.#options.seed ?? 0,
      heapBytes: this.#limits.heapBytes,
      stackBytes: this.#limits.stackBytes,
      timeoutMs: this.#limits.timeoutMs,
      logBytes: this.#limits.logBytes,
      outputBytes: this.#limits.outputBytes,
    }, this.#limits.timeoutMs);
    const result = this.#toResult(env);
    if (!result.ok) {
      // A program's top level is deterministic, so a compile or runtime error or a (virtual)
      // timeout there is its answer to every call. The wall-clock backstop or a crash may
      // come from the host: those are retried with a fresh instance on the next call.
      if (result.failure.kind !== "wall_timeout" && result.failure.kind !== "crashed") {
        this.#loadFailure = result;
      }
      await this.#discard();
      return result;
    }
    return instance;
  }

  /**
   * Calls one export with JSON arguments. Never throws for anything the program does:
   * compile errors, exceptions, timeouts, memory and stack exhaustion, oversized or
   * unserialisable output all come back as a typed failure.
   *
   * @param exportName The export to call.
   * @param args JSON-serialisable arguments.
   * @param options Per-call deadline and adapter.
   * @returns The value, or a typed failure, with the guest's run time and logs.
   * @throws {ProgramClosedError} When called after `close()`.
   */
  call(exportName: string, args: unknown[], options: CallOptions = {}): Promise<CallResult> {
    if (this.#closed) {
      return Promise.reject(
        new ProgramClosedError(`Cannot call '${exportName}' on a closed program`),
      );
    }
    const run = async (): Promise<CallResult> => {
      if (this.#compileError !== undefined) {
        return failure("compile_error", this.#compileError);
      }
      const ready = await this.#ensureInstance();
      if (!("call" in ready)) return ready;
      const timeoutMs = options.timeoutMs ?? this.#limits.timeoutMs;
      const env = await this.#send(ready, "call", {
        export: exportName,
        args,
        timeoutMs,
        ...(options.adapter === undefined ? {} : { adapter: options.adapter }),
      }, timeoutMs);
      const result = this.#toResult(env);
      if (!result.ok && result.failure.kind !== "missing_export") await this.#discard();
      return result;
    };
    const next = this.#queue.then(run, run);
    this.#queue = next.catch(() => {});
    return next;
  }

  /** Releases the sandbox instance. Safe to call more than once. */
  async close(): Promise<void> {
    this.#closed = true;
    await this.#queue.catch(() => {});
    await this.#discard();
  }

  /** Same as {@linkcode Program.close}. */
  [Symbol.asyncDispose](): Promise<void> {
    return this.close();
  }
}

/**
 * Loads a TypeScript program for sandboxed evaluation. Never throws for a bad program:
 * a syntax error comes back from every call as a `compile_error` failure.
 *
 * @example
 * ```ts ignore
 * import { loadProgram } from "./program.ts";
 * await using program = await loadProgram("export function add(a: number, b: number) { return a + b; }");
 * const result = await program.call("add", [1, 2]);
 * console.log(result.ok && result.value); // 3
 * ```
 *
 * @param source The program's TypeScript source.
 * @param options Limits, host functions, prelude, audit sink, seed.
 * @returns The loaded program; close it when done.
 * @throws {RangeError} When a limit is invalid, or a pool is given with the unmetered option.
 */
export async function loadProgram(source: string, options: LoadOptions = {}): Promise<Program> {
  const hash = await sha256Hex(String(source));
  return new Program(String(source), hash, options);
}

/**
 * Loads a program, calls one export once, and closes it.
 *
 * @param source The program's TypeScript source.
 * @param exportName The export to call.
 * @param args JSON-serialisable arguments.
 * @param options Load options.
 * @returns The outcome of the call.
 */
export async function runProgram(
  source: string,
  exportName: string,
  args: unknown[],
  options: LoadOptions = {},
): Promise<CallResult> {
  await using program = await loadProgram(source, options);
  return await program.call(exportName, args);
}
