/**
 * Adversarial sandbox suite, time class: every way of not returning ends in a typed
 * timeout within the deadline plus the kill slack, the instance is replaced, the host
 * stays responsive, and the audit log records the timeout.
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
  type HostileCase,
  KILL_SLACK_MS,
  LONG_TIMEOUT_MS,
  type Outcome,
  runCases,
} from "./sandbox_harness.ts";

/** A timeout, recorded, and the next call on the same program is a timeout again. */
function timesOut(o: Outcome): void {
  assertFailure(o.result, "timeout");
  assertFailure(o.again, "timeout");
  assertAudited(o.audit, "timeout", undefined, 2);
  assert.equal(o.instancesStarted, 2, "a timed-out instance must be replaced");
}

const cases: HostileCase[] = [
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
    check: timesOut,
  },
  {
    name: "a promise that never settles while jobs keep coming",
    source: `export function main(): Promise<number> {
      return new Promise(() => { const spin = (): unknown => Promise.resolve().then(spin); spin(); });
    }`,
    check: timesOut,
  },
  {
    name: "a catastrophic regular expression",
    source: "export function main(): boolean { return /^(a+)+$/.test('a'.repeat(40) + 'b'); }",
    check: timesOut,
  },
  {
    name: "a join over a huge array-like (no interrupt polling)",
    source: `export function main(): number {
      return Array.prototype.join.call({ length: 2 ** 32 - 1 }, "").length;
    }`,
    check: timesOut,
  },
  {
    name: "a huge BigInt power",
    source: "export function main(): number { return String(7n ** 10000000n).length; }",
    check: timesOut,
  },
  {
    name: "a search in a giant string",
    source: `export function main(): number {
      return "a".repeat(2e7).lastIndexOf("b" + "a".repeat(1e4));
    }`,
    check: timesOut,
  },
  {
    name: "a sort of a huge array",
    source: `export function main(): number {
      const a = Array.from({ length: 3e6 }, (_, i) => (i * 7919) % 1000003);
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
      assertFailure(o.again, "timeout");
      // A load timeout may come from a busy host, so each call retries in a fresh instance
      // (and times out again): never a stale or shared instance.
      assert.equal(o.instancesStarted, 2);
      assertAudited(o.audit, "timeout");
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
];

Deno.test("loadProgram() ends every endless program in a typed timeout when it runs past its deadline", async (t) => {
  // Short deadlines on the calls only: a busy machine must not time out the loads.
  await runCases(t, cases.map((c) => ({ call: { timeoutMs: FAST_TIMEOUT_MS }, ...c })));
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
