/**
 * Adversarial sandbox suite, state class: whatever one program leaves behind (globals,
 * patched built-ins, polluted prototypes, scheduled callbacks) is never seen by the next
 * program, with or without a pool of warm instances, and an instance is never reused after
 * a failure.
 */
import assert from "node:assert/strict";
import { InstancePool } from "../sandbox/instance_pool.ts";
import { type LoadOptions, loadProgram } from "../sandbox/program.ts";
import type { CallResult } from "../sandbox/call_result.ts";
import {
  assertFailure,
  assertResponsive,
  assertValue,
  LONG_TIMEOUT_MS,
} from "./sandbox_harness.ts";

/** Leaves as much behind as a program can, then reports success. */
const POLLUTER = `
  const g = globalThis as any;
  g.leaked = "from the polluter";
  Array.prototype.map = function () { return ["patched"]; } as any;
  Math.random = () => 0.5;
  JSON.stringify = () => '"patched"';
  JSON.parse = () => "patched";
  (Object.prototype as any).polluted = "yes";
  (Object.prototype as any).toJSON = function () { return "patched"; };
  Date.now = () => 0;
  String.prototype.toUpperCase = () => "patched";
  Object.defineProperty(Array.prototype, "0", { get() { return "patched"; }, configurable: true });
  export function main(): number {
    // Jobs still queued when the call returns (drained or cut off by the deadline, never carried over).
    const again = (n: number): unknown => n > 0 ? Promise.resolve().then(() => { g.late = n; return again(n - 1); }) : 0;
    again(1000);
    return 1;
  }
  export function spin(): number {
    // Endless work queued as jobs, in constant memory (a chain that nests its promises would
    // run out of heap before the deadline: it is the timeout that this case is about).
    (async () => { for (;;) { g.late = "spun"; await null; } })();
    return 1;
  }
`;

/** Reports what it can see of the polluter's leftovers. */
const OBSERVER = `export function main(): unknown {
  const g = globalThis as any;
  const r = Math.random();
  return {
    leaked: typeof g.leaked,
    late: typeof g.late,
    map: [1, 2].map((x) => x * 2).join(","),
    random: r >= 0 && r < 1 && r !== 0.5,
    stringify: JSON.stringify({ a: [1] }),
    parse: JSON.parse('{"b":2}').b,
    polluted: typeof ({} as any).polluted,
    now: Date.now() > 0,
    upper: "abc".toUpperCase(),
    index: ([] as unknown[])[0] === undefined,
  };
}`;

const PRISTINE = {
  leaked: "undefined",
  late: "undefined",
  map: "2,4",
  random: true,
  stringify: '{"a":[1]}',
  parse: 2,
  polluted: "undefined",
  now: true,
  upper: "ABC",
  index: true,
};

async function run(
  source: string,
  exportName: string,
  options: LoadOptions,
  timeoutMs?: number,
): Promise<CallResult> {
  await using program = await loadProgram(source, options);
  return await program.call(exportName, [], timeoutMs === undefined ? {} : { timeoutMs });
}

Deno.test("loadProgram() never shows one program's leftovers to the next when both run in turn", async (t) => {
  for (const pooled of [false, true]) {
    await t.step(pooled ? "with a pool of warm instances" : "with fresh instances", async () => {
      await using pool = new InstancePool({ size: pooled ? 1 : 0 });
      const options: LoadOptions = {
        limits: { timeoutMs: LONG_TIMEOUT_MS },
        ...(pooled ? { pool } : {}),
      };
      const polluted = await run(POLLUTER, "main", options);
      assert.ok(polluted.ok, JSON.stringify(polluted));
      const spun = await run(POLLUTER, "spin", options, 200);
      assertFailure(spun, "timeout");
      assertValue(await run(OBSERVER, "main", options), PRISTINE);
    });
  }
});

Deno.test("loadProgram() keeps programs apart when a polluter and an observer run concurrently", async () => {
  const options: LoadOptions = { limits: { timeoutMs: LONG_TIMEOUT_MS } };
  const results = await Promise.all([
    run(POLLUTER, "main", options),
    run(OBSERVER, "main", options),
    run(POLLUTER, "main", options),
    run(OBSERVER, "main", options),
  ]);
  assert.ok(results[0]!.ok && results[2]!.ok);
  assertValue(results[1]!, PRISTINE);
  assertValue(results[3]!, PRISTINE);
});

Deno.test("Program.call() runs the next call in a fresh instance when a call fails", async () => {
  await using program = await loadProgram(
    `let calls = 0;
     export function count(fail: boolean): number {
       calls++;
       (globalThis as any).marker = calls;
       if (fail) throw new Error("fail after leaving state");
       return calls;
     }`,
    { limits: { timeoutMs: LONG_TIMEOUT_MS } },
  );
  assertValue(await program.call("count", [false]), 1);
  assertValue(await program.call("count", [false]), 2); // the same program keeps its own state
  assertFailure(await program.call("count", [true]), "runtime_error");
  assertValue(await program.call("count", [false]), 1);
  assert.equal(program.instancesStarted, 2);
});

Deno.test("loadProgram() seeds Math.random per program when a previous program patched it", async () => {
  const source = "export function main(): number[] { return [Math.random(), Math.random()]; }";
  const options = (seed: number): LoadOptions => ({ seed, limits: { timeoutMs: LONG_TIMEOUT_MS } });
  const a = await run(source, "main", options(7));
  await run(POLLUTER, "main", options(7));
  const b = await run(source, "main", options(7));
  const c = await run(source, "main", options(8));
  assert.ok(a.ok && b.ok && c.ok);
  assert.deepEqual(a.value, b.value, "same seed, same sequence");
  assert.notDeepEqual(a.value, c.value, "another seed, another sequence");
  await assertResponsive();
});
