/**
 * Adversarial sandbox suite, native charges: work that no bytecode instruction counts (small
 * allocations, objects, promise jobs, number-to-string conversions, the pieces of a split) is charged to the meter at about what it costs beside bytecode
 * (`tests/calibrate_native.ts`), so a program cannot make its time cheap by spending it there.
 * The charges are checked twice: as exact minimum units per round of each class (deterministic,
 * no wall clock), and as allocation storms that end in the deterministic `timeout` under a
 * backstop a tenth of the generous one (`TIGHT_BACKSTOP_FACTOR`; the promise storms are in
 * `sandbox_time_test.ts`, under the same backstop).
 */
import assert from "node:assert/strict";
import { loadProgram } from "../sandbox/program.ts";
import type { CallResult } from "../sandbox/call_result.ts";
import {
  assertValue,
  FAST_TIMEOUT_MS,
  type HostileCase,
  LONG_TIMEOUT_MS,
  runCases,
  TIGHT_BACKSTOP_FACTOR,
  timesOutAt,
} from "./sandbox_harness.ts";

/** One class of native work: `main(n)` does `n` rounds of it, each charged at least `floor`. */
interface ChargeCase {
  name: string;
  source: string;
  /** Least native units one round must be charged (a little under the calibrated charges). */
  floor: number;
}

/** A plain loop: its rounds charge no native units (the innocent look-alike). */
const LOOP = `export function main(n: number): number {
  let s = 0;
  for (let i = 0; i < n; i++) s = (s + i * 7) % 1000003;
  return s;
}`;

const CHARGED: ChargeCase[] = [
  {
    name: "a small object (an object and its property array, 3 allocations)",
    source: `export function main(n: number): number {
      let s = 0;
      for (let i = 0; i < n; i++) { const o = { a: i, b: 1 }; s = (s + o.b) | 0; }
      return s;
    }`,
    floor: 64 + 3 * 16,
  },
  {
    name: "a closure",
    source: `export function main(n: number): number {
      let s = 0;
      for (let i = 0; i < n; i++) { const f = () => i; s = (s + (f === null ? 1 : 0)) | 0; }
      return s;
    }`,
    floor: 64 + 3 * 16,
  },
  {
    name: "a short string from an integer",
    source: `export function main(n: number): number {
      let s = 0;
      for (let i = 0; i < n; i++) s = (s + ("k" + i).length) | 0;
      return s;
    }`,
    floor: 64 + 2 * 16,
  },
  {
    name: "a fraction converted to a string",
    source: `export function main(n: number): number {
      let s = 0;
      for (let i = 0; i < n; i++) s = (s + String(i + 0.5).length) | 0;
      return s;
    }`,
    floor: 1024,
  },
  {
    name: "an await",
    source: `export async function main(n: number): Promise<number> {
      let s = 0;
      for (let i = 0; i < n; i++) s += (await i) & 1;
      return s;
    }`,
    floor: 600 + 2 * 64,
  },
  {
    name: "a link of a promise chain",
    source: `export async function main(n: number): Promise<number> {
      let p = Promise.resolve(0);
      for (let i = 0; i < n; i++) p = p.then((x) => x + 1);
      return await p;
    }`,
    floor: 600 + 2 * 64,
  },
  {
    name: "an element copied by slice",
    source: `export function main(n: number): number {
      return Array.from({ length: 10 }, (_, i) => i).slice(0, 0).length +
        new Array(n).fill(1).slice(1).length;
    }`,
    floor: 16,
  },
  {
    name: "a piece of a split",
    source: `export function main(n: number): number {
      return "abcdefgh".repeat(n).split("e").length;
    }`,
    floor: 96 + 16 + 16,
  },
];

/** Native units of `main(n)` in a fresh sandbox, and the result. */
async function nativeUnits(source: string, n: number): Promise<{ native: number; r: CallResult }> {
  await using program = await loadProgram(source, { limits: { timeoutMs: LONG_TIMEOUT_MS } });
  const r = await program.call("main", [n]);
  assert.ok(r.ok, `expected a value, got ${JSON.stringify(r).slice(0, 300)}`);
  assert.ok(r.work !== undefined, "a sandboxed call reports its work");
  return { native: r.work.native, r };
}

Deno.test("loadProgram() charges each round of cheap native work at least its calibrated units", async (t) => {
  const rounds = 1000;
  for (const c of CHARGED) {
    await t.step(c.name, async () => {
      // Two sizes, so the call's fixed work (and any first-time shapes or atoms) cancels out.
      const small = await nativeUnits(c.source, rounds);
      const large = await nativeUnits(c.source, 2 * rounds);
      const perRound = (large.native - small.native) / rounds;
      assert.ok(
        perRound >= c.floor,
        `one round was charged ${perRound} native units, under ${c.floor}`,
      );
      const again = await nativeUnits(c.source, 2 * rounds);
      assert.deepEqual(again.r.work, large.r.work, "the same work is charged the same");
      assert.equal(again.r.guestMs, large.r.guestMs);
    });
  }
  await t.step("a plain loop's rounds charge no native units (innocent look-alike)", async () => {
    const small = await nativeUnits(LOOP, 1e4);
    const large = await nativeUnits(LOOP, 2e4);
    assert.equal(large.native, small.native);
  });
});

const timesOut = timesOutAt(FAST_TIMEOUT_MS);

const storms: HostileCase[] = [
  {
    name: "a storm of small objects",
    source: "export function main(): number { for (let i = 0; ; i++) { const o = { i }; } }",
    check: timesOut,
  },
  {
    name: "a storm of closures and short strings",
    source: `export function main(): number {
      let s = 0;
      for (let i = 0; ; i++) { const f = () => "k" + i; s = (s + f().length) | 0; }
    }`,
    check: timesOut,
  },
];

/** Innocent look-alikes: moderate allocation and a few promises return their value. */
const innocent: HostileCase[] = [
  {
    name: "ten thousand small objects",
    source: `export function main(): number {
      const a = Array.from({ length: 1e4 }, (_, i) => ({ i, s: "k" + i }));
      return a.reduce((s, o) => s + o.i, 0);
    }`,
    check(o) {
      assertValue(o.result, 49995000);
      assert.ok(o.result.guestMs < 20, `took ${o.result.guestMs} virtual ms`);
    },
  },
  {
    name: "a hundred promises",
    source: `export async function main(): Promise<number> {
      const xs = await Promise.all(Array.from({ length: 100 }, (_, i) => Promise.resolve(i)));
      let s = 0;
      for (const x of xs) s += await x;
      return s;
    }`,
    check(o) {
      assertValue(o.result, 4950);
      assert.ok(o.result.guestMs < 5, `took ${o.result.guestMs} virtual ms`);
    },
  },
];

Deno.test("loadProgram() ends allocation storms in the deterministic timeout, far before the backstop", async (t) => {
  await runCases(
    t,
    [...storms, ...innocent].map((c) => ({
      call: { timeoutMs: FAST_TIMEOUT_MS },
      ...c,
      options: { backstopFactor: TIGHT_BACKSTOP_FACTOR },
    })),
  );
});
