/**
 * Shared helpers of the adversarial sandbox suite (`tests/sandbox_*_test.ts`): run hostile
 * programs on the real plugin, a few at a time, and check the safe outcome, the audit and that
 * the host still runs a trivial program afterwards. Nothing here reads the wall clock: a case's
 * verdict depends only on its program (see `tests/WALL_CLOCK.md`).
 *
 * @module
 */
import assert from "node:assert/strict";
import { type AuditKind, AuditLog } from "../sandbox/audit_log.ts";
import type { CallResult, FailureKind } from "../sandbox/call_result.ts";
import {
  type CallOptions,
  DEFAULT_BACKSTOP_FACTOR,
  type LoadOptions,
  loadProgram,
} from "../sandbox/program.ts";

/** A prelude that hands the raw host call to the program (only for host-boundary tests). */
export const RAW_PRELUDE = "(host) => ({ raw: (fn, args) => fn(host, ...args) })";

/** Short limits that keep the suite fast (virtual milliseconds). */
export const FAST_TIMEOUT_MS = 200;
/** Kill slack of the wall-clock backstop used with {@linkcode FAST_TIMEOUT_MS}. */
export const KILL_SLACK_MS = 300;
/**
 * Backstop factor of the cases (`LoadOptions.backstopFactor`): the product's own default, so
 * that no case's verdict depends on how fast or busy the machine is. (It was 1, a wall-clock
 * kill at the virtual limit's value in wall ms, to find hangs quickly: idle, the sandbox runs
 * 1.6 to 6 wall ms per virtual ms, so any case doing real work could end in `wall_timeout`
 * instead of its own verdict on a loaded machine.) A program the meter misses still ends, at
 * the backstop, in a `wall_timeout` that the case's check rejects; only the backstop's own
 * tests (`sandbox_time_test.ts`) set a factor that makes it fire first.
 */
export const CASE_BACKSTOP_FACTOR = DEFAULT_BACKSTOP_FACTOR;
/**
 * A backstop factor no metered program reaches before its virtual deadline, even on a
 * heavily loaded machine running several sandboxes of the suite at once: the 100 that held
 * before the clock was calibrated to CPython, scaled by the work a virtual ms now stands for
 * (3300 / 1305 virtual ps per unit; 1134 now, 15 % more work per virtual ms). The promise
 * storms of `sandbox_time_test.ts` took 30 to 140 wall ms per virtual ms while the meter
 * undercharged their bookkeeping; charged now, about 1.4.
 */
export const GENEROUS_BACKSTOP_FACTOR = 250;
/**
 * A tenth of {@linkcode GENEROUS_BACKSTOP_FACTOR}: for storms of work the meter charges at about
 * its cost (allocations, promise jobs), which run 1 to 2 wall ms per virtual ms on an idle
 * machine, so they reach their deterministic timeout long before it; uncharged, a promise storm
 * ran 30 to 140.
 */
export const TIGHT_BACKSTOP_FACTOR = GENEROUS_BACKSTOP_FACTOR / 10;
/** A deadline long enough that only a real hang reaches it (for memory, output, state cases). */
export const LONG_TIMEOUT_MS = 10_000;

/** One hostile program and what the suite expects of it. */
export interface HostileCase {
  /** Step name. */
  name: string;
  /** The program's TypeScript source. */
  source: string;
  /** Export to call. @default {"main"} */
  exportName?: string;
  /** Arguments of the call. @default {[]} */
  args?: unknown[];
  /**
   * Load options; `audit` is always the outcome's own log. @default {a long load deadline,
   * so that a busy machine never times out a load: short deadlines go in `call`}
   */
  options?: Omit<LoadOptions, "audit">;
  /** Call options (a short `timeoutMs` for the time class). */
  call?: CallOptions;
  /** Assertions on the outcome. */
  check(outcome: Outcome): void | Promise<void>;
}

/** What running a {@linkcode HostileCase} produced. */
export interface Outcome {
  result: CallResult;
  /** A second call of the same export on the same program. */
  again: CallResult;
  /** A trivial program run in a fresh sandbox right after the first call. */
  probe: CallResult;
  audit: AuditLog;
  /** Instances the program had used after both calls. */
  instancesStarted: number;
}

/**
 * Loads the program, calls it twice (and a trivial program once) and closes it.
 *
 * @param c The case.
 * @returns The outcome.
 */
export async function runCase(c: Omit<HostileCase, "name" | "check">): Promise<Outcome> {
  const audit = new AuditLog();
  const options: LoadOptions = {
    killSlackMs: KILL_SLACK_MS,
    backstopFactor: CASE_BACKSTOP_FACTOR,
    ...c.options,
    limits: { timeoutMs: LONG_TIMEOUT_MS, ...c.options?.limits },
    audit,
  };
  await using program = await loadProgram(c.source, options);
  const result = await program.call(c.exportName ?? "main", c.args ?? [], c.call);
  const [again, probe] = await Promise.all([
    program.call(c.exportName ?? "main", c.args ?? [], c.call),
    trivialCall(),
  ]);
  return {
    result,
    again,
    probe,
    audit,
    instancesStarted: program.instancesStarted,
  };
}

async function trivialCall(options: LoadOptions = {}): Promise<CallResult> {
  await using program = await loadProgram(
    "export function main(a: number, b: number): number { return a + b; }",
    { ...options, limits: { timeoutMs: LONG_TIMEOUT_MS } },
  );
  return await program.call("main", [2, 40]);
}

/**
 * Runs a trivial program in a fresh sandbox and checks its exact answer.
 *
 * @param options Extra load options (for example a pool).
 */
export async function assertResponsive(options: LoadOptions = {}): Promise<void> {
  assertValue(await trivialCall(options), 42);
}

async function mapLimit<T, R>(items: T[], limit: number, fn: (x: T) => Promise<R>): Promise<R[]> {
  const out: R[] = new Array(items.length);
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const i = next++;
      out[i] = await fn(items[i]!);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  return out;
}

/**
 * Runs cases a few at a time, then checks each in its own step: its own assertions, and that
 * the same program's next call is also typed (never a hang).
 * A last step checks that the host still runs a trivial program.
 *
 * @param t The test context.
 * @param cases The cases.
 * @param concurrency How many sandboxes run at once. @default {3}
 */
export async function runCases(
  t: Deno.TestContext,
  cases: HostileCase[],
  concurrency = 3,
): Promise<void> {
  const outcomes = await mapLimit(
    cases,
    concurrency,
    (c) => runCase(c).then((o) => ({ o }), (error: unknown) => ({ error })),
  );
  for (const [i, c] of cases.entries()) {
    const outcome = outcomes[i]!;
    await t.step(c.name, async () => {
      if ("error" in outcome) throw outcome.error;
      const o = outcome.o;
      assert.equal(typeof o.again.ok, "boolean");
      assertValue(o.probe, 42);
      await c.check(o);
    });
  }
  await t.step("the host still runs a trivial program", () => assertResponsive());
}

/** Compact text of a result for assertion messages. */
export function show(result: CallResult): string {
  return JSON.stringify(result).slice(0, 400);
}

/**
 * Asserts a typed failure of one of the given kinds.
 *
 * @param result The call result.
 * @param kinds Accepted kinds (one, unless the engine may legitimately reach either first).
 */
export function assertFailure(result: CallResult, ...kinds: FailureKind[]): void {
  assert.equal(result.ok, false, `expected ${kinds.join(" or ")}, got ${show(result)}`);
  if (!result.ok) {
    assert.ok(
      kinds.includes(result.failure.kind),
      `expected ${kinds.join(" or ")}: ${show(result)}`,
    );
  }
}

/**
 * Asserts a successful call with exactly this JSON value.
 *
 * @param result The call result.
 * @param expected The expected value.
 */
export function assertValue(result: CallResult, expected: unknown): void {
  assert.ok(result.ok, `expected a value, got ${show(result)}`);
  assert.deepEqual(result.value, expected);
}

/**
 * Asserts that the audit log holds at least `min` events of a kind, one of them matching.
 *
 * @param audit The log.
 * @param kind The event kind.
 * @param detail Text or pattern one event's detail must contain.
 * @param min Minimum count. @default {1}
 */
export function assertAudited(
  audit: AuditLog,
  kind: AuditKind,
  detail?: string | RegExp,
  min = 1,
): void {
  const events = audit.events.filter((e) => e.kind === kind);
  assert.ok(
    events.length >= min,
    `expected ${min}+ '${kind}' audit events, got ${JSON.stringify(audit.summary())}`,
  );
  if (detail !== undefined) {
    const hit = events.some((e) =>
      typeof detail === "string" ? e.detail.includes(detail) : detail.test(e.detail)
    );
    assert.ok(hit, `no '${kind}' event matches ${detail}: ${JSON.stringify(events)}`);
  }
}

/**
 * The virtual timeout, recorded, at the same virtual time as the next call on the same
 * program (a fresh instance), just past the deadline.
 *
 * @param limitMs The call's virtual limit.
 * @returns The check of a case's outcome.
 */
export function timesOutAt(limitMs: number): (o: Outcome) => void {
  return (o) => {
    assertFailure(o.result, "timeout");
    assertFailure(o.again, "timeout");
    assertAudited(o.audit, "timeout", undefined, 2);
    assert.equal(o.instancesStarted, 2, "a timed-out instance must be replaced");
    assert.equal(o.again.guestMs, o.result.guestMs, "the timeout comes at the same virtual time");
    assert.ok(
      o.result.guestMs >= limitMs && o.result.guestMs < limitMs + 50,
      `the timeout came at ${o.result.guestMs} virtual ms`,
    );
  };
}
/** True when a string has no C0/C1 control character and no lone surrogate. */
export function isPrintable(text: string): boolean {
  // deno-lint-ignore no-control-regex
  return !/[\u0000-\u001f\u007f-\u009f]/.test(text) && text.isWellFormed();
}
