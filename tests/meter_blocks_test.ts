/**
 * The meter counts bytecode instructions a basic block at a time (when a block ends: a taken
 * jump, a call, an exception, a yield, an await, the frame's exit). No way of leaving a block
 * may lose its instructions: for every such way, a straight-line body run inside it must
 * count exactly as many instructions as the same body run in a plain loop, and the clock a
 * program reads must already include the block it is in when it calls the clock.
 */
import assert from "node:assert/strict";
import { loadProgram } from "../sandbox/program.ts";
import { VIRTUAL_PS_PER_UNIT } from "../sandbox/plugin/build_config.ts";

/** Straight-line work on the local `x`: no jump, no call. */
const BODY = Array.from({ length: 200 }, (_, i) => `x = (x * 31 + ${i}) | 0;`).join(" ");

/** How many times each shape runs its body. */
const ROUNDS = 40;

/**
 * Each way a block can end, as a program whose `main(n)` runs `BODY` (where the template has
 * `BODY`) `n` times inside that shape, each time on a local `x`.
 */
const SHAPES: Record<string, string> = {
  "a loop's back edge (the baseline)": `export function main(n: number): number {
      let s = 0; for (let i = 0; i < n; i++) { let x = i; BODY s ^= x; } return s; }`,
  "a throw caught in the same frame": `export function main(n: number): number {
      let s = 0;
      for (let i = 0; i < n; i++) { try { let x = i; BODY throw x; } catch (e) { s ^= e as number; } }
      return s; }`,
  "a throw that leaves the callee's frame": `function f(x: number): never { BODY throw x; }
    export function main(n: number): number {
      let s = 0; for (let i = 0; i < n; i++) { try { f(i); } catch (e) { s ^= e as number; } }
      return s; }`,
  "a finally block (gosub and ret)": `export function main(n: number): number {
      let s = 0;
      for (let i = 0; i < n; i++) { try { s++; } finally { let x = i; BODY s ^= x; } }
      return s; }`,
  "a return from a callee": `function f(x: number): number { BODY return x; }
    export function main(n: number): number {
      let s = 0; for (let i = 0; i < n; i++) s ^= f(i); return s; }`,
  "a spread call": `function g(...a: number[]): number { return a[0]!; }
    export function main(n: number): number {
      let s = 0; for (let i = 0; i < n; i++) { let x = i; BODY s ^= g(...[x]); } return s; }`,
  "a generator's yield": `function* g(n: number): Generator<number> {
      for (let i = 0; i < n; i++) { let x = i; BODY yield x; } }
    export function main(n: number): number { let s = 0; for (const v of g(n)) s ^= v; return s; }`,
  "an await": `export async function main(n: number): Promise<number> {
      let s = 0; for (let i = 0; i < n; i++) { let x = i; BODY s ^= await x; } return s; }`,
  "an async generator's yield": `async function* g(n: number): AsyncGenerator<number> {
      for (let i = 0; i < n; i++) { let x = i; BODY yield x; } }
    export async function main(n: number): Promise<number> {
      let s = 0; for await (const v of g(n)) s ^= v; return s; }`,
  "promise jobs": `export async function main(n: number): Promise<number> {
      const all = Array.from({ length: n }, (_, i) => Promise.resolve(i).then((x) => { BODY return x; }));
      return (await Promise.all(all)).reduce((a, b) => a ^ b, 0); }`,
};

async function instructions(source: string): Promise<number> {
  await using program = await loadProgram(source, { limits: { timeoutMs: 10_000 } });
  const result = await program.call("main", [ROUNDS]);
  assert.ok(result.ok, result.ok ? "" : result.failure.message);
  assert.ok(result.work, "the call reports its work");
  return result.work.instructions;
}

/** Instructions the body adds in a shape: with the body minus without it. */
async function bodyInstructions(shape: string): Promise<number> {
  return await instructions(shape.replaceAll("BODY", BODY)) -
    await instructions(shape.replaceAll("BODY", ""));
}

Deno.test("the meter counts a block's instructions however the block ends", async (t) => {
  const [baselineName, baselineShape] = Object.entries(SHAPES)[0]!;
  const expected = await bodyInstructions(baselineShape);
  // The body is straight-line code of 200 statements of several instructions each.
  assert.ok(expected >= ROUNDS * 200 * 5, `${baselineName}: ${expected} instructions`);
  for (const [name, shape] of Object.entries(SHAPES).slice(1)) {
    await t.step(name, async () => {
      assert.equal(await bodyInstructions(shape), expected);
    });
  }
});

Deno.test("the meter counts the block before a tail call as it does before a plain call", async () => {
  // The body's count next to a tail call differs from the loop's by a compiled instruction
  // per round (in the dispatch-counting build too), so the reference is the same recursion
  // with the call out of tail position.
  const recursion = (ret: string) =>
    `function f(k: number, x: number): number { BODY if (k === 1) return x; ${ret} }
    export function main(n: number): number { return f(n, 1); }`;
  assert.equal(
    await bodyInstructions(recursion("return f(k - 1, x);")),
    await bodyInstructions(recursion("const r = f(k - 1, x); return r;")),
  );
});

Deno.test("the clock a program reads already includes the block it is in", async () => {
  // performance.now() around straight-line work: no jump between the two reads, so only the
  // flush before each call brings the body's instructions into the clock.
  const elapsed = async (body: string) => {
    const source = `export function main(): number[] {
      let x = 1; const t0 = performance.now(); ${body} const t1 = performance.now();
      return [t1 - t0, x]; }`;
    await using program = await loadProgram(source, { limits: { timeoutMs: 10_000 } });
    const result = await program.call("main", []);
    assert.ok(result.ok && result.work, result.ok ? "no work reported" : result.failure.message);
    return { ms: (result.value as number[])[0]!, instructions: result.work.instructions };
  };
  const withBody = await elapsed(BODY);
  const without = await elapsed("");
  const bodyUnits = withBody.instructions - without.instructions;
  assert.ok(bodyUnits >= 200 * 5, `the body ran ${bodyUnits} instructions`);
  const seen = (withBody.ms - without.ms) * 1e9 / VIRTUAL_PS_PER_UNIT;
  // performance.now() reads whole virtual nanoseconds (a unit is 1.3 of them): each of the
  // four readings is up to one unit low.
  assert.ok(Math.abs(seen - bodyUnits) <= 2, `the clock saw ${seen} of ${bodyUnits} units`);
});
