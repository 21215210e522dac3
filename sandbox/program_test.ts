import { deepEqual, equal, ok } from "node:assert/strict";
import { AuditLog } from "./audit_log.ts";
import { InstancePool } from "./instance_pool.ts";
import { loadProgram, runProgram } from "./program.ts";
import { resolveLimits } from "./limits.ts";
import { transpile } from "./transpile.ts";
import { withMemoryMaximum } from "./wasm_memory.ts";

Deno.test("loadProgram() returns JSON values of every shape an export can return", async () => {
  await using program = await loadProgram(`
    export const num = (x: number) => x * 2;
    export const str = () => "héllo ✓";
    export const nested = () => ({ a: [1, [2, { b: null }]], c: true });
    export const nan = () => [NaN, Infinity, -0];
    export async function later(x: number) { await null; return x + 1; }
  `);
  const num = await program.call("num", [21]);
  ok(num.ok && num.value === 42 && num.guestMs >= 0);
  const str = await program.call("str", []);
  ok(str.ok && str.value === "héllo ✓");
  const nested = await program.call("nested", []);
  ok(nested.ok);
  deepEqual(nested.value, { a: [1, [2, { b: null }]], c: true });
  const nan = await program.call("nan", []);
  ok(nan.ok);
  deepEqual(nan.value, [null, null, 0]);
  const later = await program.call("later", [41]);
  ok(later.ok && later.value === 42);
  equal(program.instancesStarted, 1);
});

Deno.test("loadProgram() reports a syntax error as compile_error from every call", async () => {
  await using program = await loadProgram("export function f( {");
  const first = await program.call("f", []);
  const second = await program.call("f", []);
  ok(!first.ok && first.failure.kind === "compile_error");
  ok(!second.ok && second.failure.kind === "compile_error");
  equal(program.instancesStarted, 0);
});

Deno.test("loadProgram() seeds Math.random so a program's randomness is reproducible", async () => {
  const source = "export const r = () => [Math.random(), Math.random()];";
  const a = await runProgram(source, "r", [], { seed: 7 });
  const b = await runProgram(source, "r", [], { seed: 7 });
  const c = await runProgram(source, "r", [], { seed: 8 });
  ok(a.ok && b.ok && c.ok);
  deepEqual(a.value, b.value);
  ok(JSON.stringify(a.value) !== JSON.stringify(c.value));
});

Deno.test("loadProgram() starts a fresh instance after a failure, with none of the old state", async () => {
  const audit = new AuditLog();
  await using program = await loadProgram(
    `
    let calls = 0;
    export function count() { return ++calls; }
    export function boom() { throw new RangeError("no"); }
  `,
    { audit },
  );
  ok((await program.call("count", [])).ok);
  const second = await program.call("count", []);
  ok(second.ok && second.value === 2);
  const boom = await program.call("boom", []);
  ok(
    !boom.ok && boom.failure.kind === "runtime_error" &&
      boom.failure.message.includes("RangeError: no"),
  );
  const after = await program.call("count", []);
  ok(after.ok && after.value === 1, "module state starts over in the new instance");
  equal(program.instancesStarted, 2);
});

Deno.test("loadProgram() lets a trusted prelude, not the program, reach host functions", async () => {
  const seen: unknown[] = [];
  await using program = await loadProgram(
    `export function main(add: (a: number, b: number) => number) {
       return [add(2, 3), typeof (globalThis as any).host];
     }`,
    {
      hostFunctions: {
        add: (payload) => {
          seen.push(payload);
          const [a, b] = payload as [number, number];
          return a + b;
        },
      },
      prelude: `(host) => ({
        withAdd: (fn, args) => fn((a, b) => JSON.parse(host("add", JSON.stringify([a, b]))).value),
      })`,
    },
  );
  const result = await program.call("main", [], { adapter: "withAdd" });
  ok(result.ok);
  deepEqual(result.value, [5, "undefined"]);
  deepEqual(seen, [[2, 3]]);
});

Deno.test("loadProgram() takes never-used instances from a pool", async () => {
  await using pool = new InstancePool({ size: 1 });
  const source = "let n = 0; export const next = () => ++n;";
  for (let i = 0; i < 3; i++) {
    await using program = await loadProgram(source, { pool });
    const r = await program.call("next", []);
    ok(r.ok && r.value === 1);
  }
});

Deno.test("loadProgram() records refused modules and capability probes in the audit log", async () => {
  const audit = new AuditLog();
  const result = await runProgram(
    `import { readFileSync } from "node:fs";
     export const main = () => 1;`,
    "main",
    [],
    { audit },
  );
  ok(!result.ok && result.failure.message.includes("node:fs"));
  equal(audit.count("module_refused"), 1);
  const probe = await runProgram(
    "export const main = () => typeof (globalThis as any).Deno;",
    "main",
    [],
    { audit },
  );
  ok(probe.ok && probe.value === "undefined");
  equal(audit.count("capability_attempt"), 1);
});

Deno.test("resolveLimits() rejects unusable limits with the value in the message", () => {
  let message = "";
  try {
    resolveLimits({ timeoutMs: 0 });
  } catch (error) {
    message = (error as Error).message;
  }
  ok(message.includes("'timeoutMs'") && message.includes("0"));
  equal(resolveLimits({ memoryBytes: 64 << 20 }).heapBytes, 48 << 20);
});

Deno.test("transpile() strips types and keeps unused imports", () => {
  const out = transpile(
    'import { x } from "./helpers.ts";\nexport const f = (a: number): number => a;',
  );
  ok(out.ok && out.code.includes('from "./helpers.ts"') && !out.code.includes(": number"));
  const bad = transpile("export const = 1;");
  ok(!bad.ok && bad.message.length > 0);
});

Deno.test("withMemoryMaximum() makes the engine refuse growth past the cap", async () => {
  // (module (memory (export "memory") 1 100))
  const wasm = new Uint8Array([
    0,
    97,
    115,
    109,
    1,
    0,
    0,
    0,
    5,
    4,
    1,
    1,
    1,
    100,
    7,
    10,
    1,
    6,
    109,
    101,
    109,
    111,
    114,
    121,
    2,
    0,
  ]);
  const capped = withMemoryMaximum(wasm, 3);
  const { instance } = await WebAssembly.instantiate(capped as BufferSource);
  const memory = instance.exports.memory as WebAssembly.Memory;
  equal(memory.grow(2), 1);
  let refused = false;
  try {
    memory.grow(1);
  } catch {
    refused = true;
  }
  ok(refused, "growth past 3 pages is refused");
});
