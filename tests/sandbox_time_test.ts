/**
 * Adversarial sandbox suite, time class: every way of not returning ends in a typed
 * failure, the instance is replaced, the host stays responsive, and the audit log records it.
 * Work the virtual clock counts (bytecode, calls, promise jobs) ends in the deterministic
 * `timeout` at the same virtual time on every run, and so does work inside native built-ins,
 * which charge the meter for the work they do (a regex, a join, a BigInt power, a string
 * search, JSON, sorting); the wall-clock backstop's `wall_timeout` still fires when it comes
 * first.
 */
import assert from "node:assert/strict";
import { loadProgram } from "../sandbox/program.ts";
import { AuditLog } from "../sandbox/audit_log.ts";
import {
  assertAudited,
  assertFailure,
  assertResponsive,
  assertValue,
  FAST_TIMEOUT_MS,
  GENEROUS_BACKSTOP_FACTOR,
  type HostileCase,
  KILL_SLACK_MS,
  LONG_TIMEOUT_MS,
  type Outcome,
  runCases,
  TIGHT_BACKSTOP_FACTOR,
  timesOutAt,
} from "./sandbox_harness.ts";

const timesOut = timesOutAt(FAST_TIMEOUT_MS);

/** The wall-clock backstop: its own failure kind, recorded, and the instance replaced. */
function wallTimesOut(o: Outcome): void {
  assertFailure(o.result, "wall_timeout");
  assertFailure(o.again, "wall_timeout");
  assertAudited(o.audit, "wall_timeout", "wall-clock ms", 2);
  assert.equal(o.audit.events.filter((e) => e.kind === "timeout").length, 0);
  assert.equal(o.instancesStarted, 2, "a killed instance must be replaced");
}

/** Work the virtual clock counts: the deterministic timeout, long before the backstop. */
const counted: HostileCase[] = [
  {
    name: "an infinite loop",
    source: "export function main(): number { for (;;) {} }",
    check: timesOut,
  },
  {
    name: "a loop that swallows the interrupt with try/catch",
    source: `export function main(): number {
      for (;;) { try { for (;;) {} } catch (_e) { /* keep going */ } }
    }`,
    check: timesOut,
  },
  {
    name: "a loop that swallows the interrupt with finally/continue",
    source: `export function main(): number {
      for (;;) { try { for (;;) {} } finally { continue; } }
    }`,
    check: timesOut,
  },
  {
    name: "a catch handler that restarts the work",
    source: `export function main(): number {
      const spin = (): number => { try { for (;;) {} } catch (_e) { return spin(); } };
      return spin();
    }`,
    check: timesOut,
  },
  {
    name: "an async export that awaits forever",
    source: "export async function main(): Promise<number> { for (;;) await null; }",
    check: timesOut,
  },
  {
    name: "a microtask storm left behind by a synchronous export",
    source: `export function main(): number {
      const again = (): Promise<void> => Promise.resolve().then(again);
      again();
      return 1;
    }`,
    // Its jobs and objects are charged (tests/sandbox_charges_test.ts): uncharged, the heap ran
    // out at 70 virtual ms (the storm died, the call returned) after 30 to 140 wall ms per
    // virtual ms; charged, it reaches its limit long before either.
    options: { backstopFactor: TIGHT_BACKSTOP_FACTOR },
    check: timesOut,
  },
  {
    name: "a promise that never settles while jobs keep coming",
    source: `export function main(): Promise<number> {
      return new Promise(() => { const spin = (): unknown => Promise.resolve().then(spin); spin(); });
    }`,
    // Its jobs and objects are charged (tests/sandbox_charges_test.ts): uncharged, the heap ran
    // out at 70 virtual ms (the storm died, the call returned) after 30 to 140 wall ms per
    // virtual ms; charged, it reaches its limit long before either.
    options: { backstopFactor: TIGHT_BACKSTOP_FACTOR },
    check: timesOut,
  },
];

/**
 * Work inside native built-ins: each class charges the meter for the work it does and checks
 * the deadline, so a program that spends its time inside a built-in ends in the same
 * deterministic timeout (these all ended in the wall-clock backstop before the charges).
 */
const builtIns: HostileCase[] = [
  {
    name: "a catastrophic regular expression (backtracking steps)",
    source: "export function main(): boolean { return /^(a+)+$/.test('a'.repeat(40) + 'b'); }",
    check: timesOut,
  },
  {
    name: "a catastrophic regular expression inside replace",
    source:
      "export function main(): string { return ('a'.repeat(40) + 'b').replace(/^(a|a)+$/, 'x'); }",
    check: timesOut,
  },
  {
    name: "a join over a huge array-like (elements read)",
    source: `export function main(): number {
      return Array.prototype.join.call({ length: 2 ** 32 - 1 }, "").length;
    }`,
    check: timesOut,
  },
  {
    name: "a lastIndexOf over a huge array-like (indices past 2^31)",
    source: `export function main(): number {
      return Array.prototype.lastIndexOf.call({ length: 2 ** 53 - 1 }, 1);
    }`,
    check: timesOut,
  },
  {
    name: "a copyWithin over a huge array-like (elements deleted)",
    source: `export function main(): number {
      return Array.prototype.copyWithin.call({ length: 2 ** 53 - 1 }, 1, 0).length;
    }`,
    check: timesOut,
  },
  {
    name: "includes on a big plain array, again and again (elements compared)",
    source: `export function main(): number {
      const a = new Array(1e6).fill(0);
      let n = 0;
      for (;;) if (a.includes(1)) n++;
    }`,
    check: timesOut,
  },
  {
    name: "a default sort of a big array, again and again (comparisons)",
    source: `export function main(): number {
      const a = Array.from({ length: 1e6 }, (_, i) => (i * 7919) % 1000003);
      for (;;) a.sort();
    }`,
    check: timesOut,
  },
  {
    name: "a typed array sorted and filled again and again",
    source: `export function main(): number {
      const a = new Float64Array(1e6);
      for (;;) { a.fill(1); a.sort(); a.copyWithin(1, 0); }
    }`,
    check: timesOut,
  },
  {
    name: "a huge BigInt power (limb products)",
    source: "export function main(): number { return String(7n ** 10000000n).length; }",
    check: timesOut,
  },
  {
    name: "a search in a giant string (characters compared)",
    source: `export function main(): number {
      // Each of 2e7 positions matches 1e4 characters before the "b" fails: 2e11 comparisons.
      return "a".repeat(2e7).indexOf("a".repeat(1e4) + "b");
    }`,
    check: timesOut,
  },
  {
    name: "a split of a giant string on a pattern that fails at its end",
    source: `export function main(): number {
      return "a".repeat(2e7).split("a".repeat(1e4) + "b").length;
    }`,
    check: timesOut,
  },
  {
    name: "repeat, again and again (characters written)",
    source: `export function main(): number {
      let n = 0;
      for (;;) n += "ab".repeat(1e6).length + "c".padEnd(1e6).length;
    }`,
    check: timesOut,
  },
  {
    name: "JSON.stringify of a big value, again and again (values visited)",
    source: `export function main(): number {
      const a = Array.from({ length: 1e5 }, (_, i) => ({ i }));
      let n = 0;
      for (;;) n += JSON.stringify(a).length;
    }`,
    check: timesOut,
  },
  {
    name: "JSON.parse of a big text, again and again (values built)",
    source: `export function main(): number {
      const s = JSON.stringify(Array.from({ length: 1e5 }, (_, i) => i));
      let n = 0;
      for (;;) n += JSON.parse(s).length;
    }`,
    check: timesOut,
  },
];

/** Innocent look-alikes: the same built-ins on small inputs return their value. */
const innocent: HostileCase[] = [
  {
    name: "a regular expression that matches quickly",
    source: "export function main(): boolean { return /^(a+)+$/.test('a'.repeat(40)); }",
    check: (o) => assertValue(o.result, true),
  },
  {
    name: "a join, a search, a split and a sort of small inputs",
    source: `export function main(): string {
      const a = [3, 1, 2].sort().join("-");
      const s = "a".repeat(1e4) + "b";
      return a + s.indexOf("ab") + s.split("ab").length + String(7n ** 100n).length;
    }`,
    check: (o) => assertValue(o.result, "1-2-39999285"),
  },
];

counted.push(
  {
    name: "a sort of a huge array (its comparator is counted)",
    source: `export function main(): number {
      const a = Array.from({ length: 1e6 }, (_, i) => (i * 7919) % 1000003);
      a.sort((x, y) => x - y);
      return a[0]!;
    }`,
    check: timesOut,
  },
  {
    name: "a toJSON that never returns",
    source: "export function main(): unknown { return { toJSON() { for (;;) {} } }; }",
    check: timesOut,
  },
  {
    name: "a 'then' getter that never returns",
    source: "export function main(): unknown { return { get then() { for (;;) {} } }; }",
    check: timesOut,
  },
  {
    name: "a top-level infinite loop (the load itself times out)",
    source: "for (;;) {}\nexport function main(): number { return 1; }",
    options: { limits: { timeoutMs: FAST_TIMEOUT_MS } },
    check(o) {
      assertFailure(o.result, "timeout");
      // A virtual load timeout is the program's own answer, like a top-level error: every
      // later call gets it without running the program again.
      assert.deepEqual(o.again, o.result);
      assert.equal(o.instancesStarted, 1);
      assertAudited(o.audit, "timeout");
      assert.ok(o.result.guestMs >= FAST_TIMEOUT_MS && o.result.guestMs < FAST_TIMEOUT_MS + 50);
    },
  },
  {
    name: "a busy loop in a logged value's toString",
    source: `export function main(): number {
      console.log({ toString() { for (;;) {} } });
      return 1;
    }`,
    check: timesOut,
  },
);

Deno.test("loadProgram() ends every endless program it can meter in the deterministic virtual timeout", async (t) => {
  await runCases(
    t,
    counted.map((c) => ({
      call: { timeoutMs: FAST_TIMEOUT_MS },
      ...c,
      options: { backstopFactor: GENEROUS_BACKSTOP_FACTOR, ...c.options },
    })),
  );
});

Deno.test("loadProgram() charges native built-ins: time spent inside one ends in the deterministic timeout", async (t) => {
  await runCases(
    t,
    [...builtIns, ...innocent].map((c) => ({
      call: { timeoutMs: FAST_TIMEOUT_MS },
      ...c,
      options: { backstopFactor: GENEROUS_BACKSTOP_FACTOR, ...c.options },
    })),
  );
});

Deno.test("loadProgram() still kills with the wall-clock backstop when it comes before the virtual deadline", async (t) => {
  // The meter sees every built-in above; the backstop stays for what it might miss. A
  // backstop far shorter than the virtual limit (10 virtual s against 0.3 wall s) fires first.
  await runCases(t, [{
    name: "an infinite loop under a backstop shorter than its limit",
    source: "export function main(): number { for (;;) {} }",
    options: { backstopFactor: 1e-6 },
    call: { timeoutMs: LONG_TIMEOUT_MS },
    check: wallTimesOut,
  }]);
});

Deno.test("Program.call() serves queued calls from a fresh instance when an earlier call times out", async () => {
  const audit = new AuditLog();
  await using program = await loadProgram(
    `export function spin(): number { for (;;) {} }
     export function add(a: number, b: number): number { return a + b; }`,
    { audit, limits: { timeoutMs: LONG_TIMEOUT_MS }, killSlackMs: KILL_SLACK_MS },
  );
  const fast = { timeoutMs: FAST_TIMEOUT_MS };
  const [spun, added, spunAgain, addedAgain] = await Promise.all([
    program.call("spin", [], fast),
    program.call("add", [1, 2]),
    program.call("spin", [], fast),
    program.call("add", [3, 4]),
  ]);
  assertFailure(spun, "timeout");
  assertValue(added, 3);
  assertFailure(spunAgain, "timeout");
  assertValue(addedAgain, 7);
  assert.equal(program.instancesStarted, 3);
  assertAudited(audit, "timeout", undefined, 2);
  await assertResponsive();
});
