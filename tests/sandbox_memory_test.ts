/**
 * Adversarial sandbox suite, memory and stack class: allocation bombs end in a typed
 * out-of-memory, runaway recursion and deeply nested input in a typed stack overflow (or a
 * compile error when the host's transpiler already refuses the source), never in a wrong or
 * silent result; the module's declared maximum memory refuses `memory.grow` past the cap; the
 * heap limit counts requested bytes, so where memory runs out does not depend on the allocator.
 */
import assert from "node:assert/strict";
import { loadProgram } from "../sandbox/program.ts";
import { withMemoryMaximum } from "../sandbox/wasm_memory.ts";
import { compiledPlugin } from "../sandbox/plugin_instance.ts";
import {
  assertAudited,
  assertFailure,
  FAST_TIMEOUT_MS,
  GENEROUS_BACKSTOP_FACTOR,
  type HostileCase,
  LONG_TIMEOUT_MS,
  type Outcome,
  runCases,
} from "./sandbox_harness.ts";

const SMALL_MEMORY = { memoryBytes: 32 << 20, heapBytes: 16 << 20, timeoutMs: LONG_TIMEOUT_MS };

function outOfMemory(o: Outcome): void {
  assertFailure(o.result, "out_of_memory");
  assertFailure(o.again, "out_of_memory");
  assertAudited(o.audit, "out_of_memory", undefined, 2);
  assert.equal(o.instancesStarted, 2, "an instance that ran out of memory must be replaced");
}

function stackOverflow(o: Outcome): void {
  assertFailure(o.result, "stack_overflow");
  assertFailure(o.again, "stack_overflow");
  assertAudited(o.audit, "stack_overflow", undefined, 2);
}

function stackOverflowAtLoad(o: Outcome): void {
  assertFailure(o.result, "stack_overflow");
  assertFailure(o.again, "stack_overflow");
  assertAudited(o.audit, "stack_overflow");
  assert.equal(o.instancesStarted, 1, "a load failure is kept, not retried");
}

function refusedByTranspiler(o: Outcome): void {
  assertFailure(o.result, "compile_error");
  assertFailure(o.again, "compile_error");
  assert.equal(o.instancesStarted, 0, "source the host cannot parse never reaches a sandbox");
}

const DEPTH = 100_000;

const cases: HostileCase[] = [
  {
    name: "unbounded allocation of arrays",
    source:
      "export function main(): number { const a = []; for (;;) a.push(new Array(1e5).fill(1)); }",
    options: { limits: SMALL_MEMORY },
    check: outOfMemory,
  },
  {
    name: "a giant ArrayBuffer",
    source: "export function main(): number { return new ArrayBuffer(2 ** 30).byteLength; }",
    options: { limits: { timeoutMs: LONG_TIMEOUT_MS } },
    check: outOfMemory,
  },
  {
    name: "ArrayBuffers allocated until the memory cap",
    source: `export function main(): number {
      const kept = []; for (;;) kept.push(new ArrayBuffer(1 << 20));
    }`,
    options: { limits: SMALL_MEMORY },
    check: outOfMemory,
  },
  {
    name: "a giant String.repeat",
    source: "export function main(): number { return 'x'.repeat(2 ** 29).length; }",
    options: { limits: SMALL_MEMORY },
    check: outOfMemory,
  },
  {
    name: "a string doubled until memory runs out",
    source: "export function main(): number { let s = 'ab'; for (;;) s = s + s; }",
    options: { limits: SMALL_MEMORY },
    check: outOfMemory,
  },
  {
    name: "a result that needs more memory to serialise than is left",
    source: "export function main(): string { return 'x'.repeat(6e6); }",
    options: { limits: SMALL_MEMORY },
    check: outOfMemory,
  },
  {
    name: "unbounded recursion",
    source:
      "export function main(): number { const f = (n: number): number => f(n + 1) + 1; return f(0); }",
    options: { limits: { timeoutMs: LONG_TIMEOUT_MS } },
    check: stackOverflow,
  },
  {
    name: "recursion under a tiny stack limit",
    source: `export function main(): number {
      const f = (n: number): number => n === 0 ? 0 : 1 + f(n - 1);
      return f(2000);
    }`,
    options: { limits: { timeoutMs: LONG_TIMEOUT_MS, stackBytes: 32 << 10 } },
    check: stackOverflow,
  },
  {
    name: "recursion that catches its stack overflow and recurses again",
    source: `export function main(): number {
      const f = (): number => { try { return f(); } catch (_e) { return f(); } };
      return f();
    }`,
    // Each overflow's backtrace walks thousands of frames, charged to the virtual clock: the
    // deterministic deadline comes first, well before the wall-clock backstop, even under load.
    call: { timeoutMs: FAST_TIMEOUT_MS },
    options: { backstopFactor: GENEROUS_BACKSTOP_FACTOR },
    check(o) {
      // Whichever the engine meets first: both are typed, both replace the instance.
      assertFailure(o.result, "timeout", "stack_overflow");
      assertFailure(o.again, "timeout", "stack_overflow");
      assert.equal(o.again.guestMs, o.result.guestMs, "the same work every time");
      assert.equal(o.instancesStarted, 2);
    },
  },
  {
    name: `${DEPTH} nested parentheses in the source`,
    source: `export function main(): number { return 1; }\nconst x = ${"(".repeat(DEPTH)}1${
      ")".repeat(DEPTH)
    };`,
    check: refusedByTranspiler,
  },
  {
    name: `${DEPTH} nested array literals in the source`,
    source: `export function main(): number { return 1; }\nconst x = ${"[".repeat(DEPTH)}${
      "]".repeat(DEPTH)
    };`,
    check: refusedByTranspiler,
  },
  {
    name: "3000 nested unary operators under a small stack limit (the guest parser's own check)",
    source: `export function main(): number { return 1; }\nconst x = ${"!".repeat(3000)}1;`,
    options: { limits: { timeoutMs: LONG_TIMEOUT_MS, stackBytes: 16 << 10 } },
    check(o) {
      stackOverflowAtLoad(o);
      assert.ok(!o.result.ok && o.result.failure.message.includes("stack overflow"));
    },
  },
  {
    name: `eval of ${DEPTH} nested parentheses`,
    source: `export function main(): number {
      return eval("(".repeat(${DEPTH}) + "1" + ")".repeat(${DEPTH}));
    }`,
    options: { limits: { timeoutMs: LONG_TIMEOUT_MS } },
    check: stackOverflow,
  },
  {
    name: `JSON.parse of ${DEPTH} nested arrays`,
    source: `export function main(): number {
      return JSON.parse("[".repeat(${DEPTH}) + "]".repeat(${DEPTH})).length;
    }`,
    options: { limits: { timeoutMs: LONG_TIMEOUT_MS } },
    check: stackOverflow,
  },
  {
    name: `a result nested ${DEPTH} arrays deep`,
    source: `export function main(): unknown {
      let a: unknown[] = []; for (let i = 0; i < ${DEPTH}; i++) a = [a]; return a;
    }`,
    options: { limits: { timeoutMs: LONG_TIMEOUT_MS } },
    check: stackOverflow,
  },
];

Deno.test("loadProgram() turns memory and stack exhaustion into typed failures when a program overreaches", async (t) => {
  await runCases(t, cases);
});

/** `(module (memory (export "memory") 1 100) (func (export "grow") (param i32) (result i32) local.get 0 memory.grow))` */
const GROW_MODULE = new Uint8Array([
  0x00,
  0x61,
  0x73,
  0x6d,
  0x01,
  0x00,
  0x00,
  0x00, // header
  0x01,
  0x06,
  0x01,
  0x60,
  0x01,
  0x7f,
  0x01,
  0x7f, // type: (i32) -> i32
  0x03,
  0x02,
  0x01,
  0x00, // function 0 has type 0
  0x05,
  0x04,
  0x01,
  0x01,
  0x01,
  0x64, // memory: min 1, max 100
  0x07,
  0x11,
  0x02, // exports
  0x06,
  0x6d,
  0x65,
  0x6d,
  0x6f,
  0x72,
  0x79,
  0x02,
  0x00, // "memory"
  0x04,
  0x67,
  0x72,
  0x6f,
  0x77,
  0x00,
  0x00, // "grow"
  0x0a,
  0x08,
  0x01,
  0x06,
  0x00,
  0x20,
  0x00,
  0x40,
  0x00,
  0x0b, // code: local.get 0; memory.grow 0
]);

Deno.test("withMemoryMaximum() makes memory.grow past the cap fail when a module tries to grow", async (t) => {
  await t.step("inside WebAssembly, memory.grow returns -1 past the cap", () => {
    const uncapped = new WebAssembly.Instance(new WebAssembly.Module(GROW_MODULE));
    const growUncapped = uncapped.exports.grow as (pages: number) => number;
    assert.equal(growUncapped(10), 1, "the uncapped module grows");

    const bytes = withMemoryMaximum(GROW_MODULE, 4) as BufferSource;
    const capped = new WebAssembly.Instance(new WebAssembly.Module(bytes));
    const grow = capped.exports.grow as (pages: number) => number;
    const memory = capped.exports.memory as WebAssembly.Memory;
    assert.equal(grow(3), 1, "growing up to the cap works");
    assert.equal(grow(1), -1, "growing past the cap fails");
    assert.equal(grow(1000), -1);
    assert.equal(memory.buffer.byteLength, 4 * 65536);
  });

  await t.step("the real plugin compiled with a cap refuses to grow past it", async () => {
    const capBytes = 32 << 20;
    const module = await compiledPlugin(capBytes);
    // Instantiate without running anything: every import is a stub that must not be called.
    const imports: Record<string, Record<string, () => never>> = {};
    for (const entry of WebAssembly.Module.imports(module)) {
      (imports[entry.module] ??= {})[entry.name] = () => {
        throw new Error(`unexpected call of ${entry.module}.${entry.name}`);
      };
    }
    const instance = await WebAssembly.instantiate(module, imports);
    const memory = instance.exports.memory as WebAssembly.Memory;
    const capPages = capBytes / 65536;
    const pages = memory.buffer.byteLength / 65536;
    assert.ok(pages <= capPages, `initial memory ${pages} pages is over the cap`);
    memory.grow(capPages - pages);
    assert.equal(memory.buffer.byteLength, capBytes);
    assert.throws(() => memory.grow(1), RangeError);
    assert.throws(() => memory.grow(16384), RangeError);
    assert.equal(memory.buffer.byteLength, capBytes);
  });
});

Deno.test("the heap limit counts the bytes a program asks for, not the allocator's rounding", async () => {
  // How many ArrayBuffers of n bytes fit before the heap is full, for n one byte apart. With
  // the accounting on what malloc_usable_size says, sizes that the allocator rounds alike
  // gave the same count (1000 to 1004 all 14385), so where a program runs out of memory, and
  // when QuickJS collects garbage, depended on the allocator's build.
  const source = `export function main(n: number): number {
    const keep: ArrayBuffer[] = [];
    try { for (;;) keep.push(new ArrayBuffer(n)); } catch (_e) { /* the heap is full */ }
    const k = keep.length;
    keep.length = 0;
    return k;
  }`;
  const counts: number[] = [];
  for (let n = 1000; n <= 1008; n++) {
    await using program = await loadProgram(source, { limits: SMALL_MEMORY });
    const result = await program.call("main", [n]);
    assert.ok(result.ok, result.ok ? "" : result.failure.message);
    counts.push(result.value as number);
  }
  for (let i = 1; i < counts.length; i++) {
    assert.ok(counts[i]! < counts[i - 1]!, `one more byte each, yet counts ${counts.join(", ")}`);
  }
});
