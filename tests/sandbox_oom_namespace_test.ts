/**
 * Adversarial sandbox suite, issue 12 item 7: an allocation that fails where QuickJS cannot
 * even build its "out of memory" error (it throws `null` then) is still reported as
 * `out_of_memory`, never as `runtime_error: uncaught: null`; a program that throws `null`
 * itself is a runtime error; and the program cannot stand in front of the namespace the
 * sandbox calls its exports through.
 */
import assert from "node:assert/strict";
import {
  assertAudited,
  assertFailure,
  assertValue,
  type HostileCase,
  LONG_TIMEOUT_MS,
  runCases,
} from "./sandbox_harness.ts";

const SMALL = {
  limits: { timeoutMs: LONG_TIMEOUT_MS, heapBytes: 16 << 20, memoryBytes: 32 << 20 },
};

function outOfMemory(o: Parameters<HostileCase["check"]>[0]): void {
  assertFailure(o.result, "out_of_memory");
  assert.ok(!o.result.ok && !o.result.failure.message.includes("uncaught: null"));
  assertAudited(o.audit, "out_of_memory");
}

/** Fills the heap with small objects, so that not even an error object fits any more. */
const FILL = `let head: any = null; try { for (;;) head = { n: head }; } catch { /* full */ }`;

const oom: HostileCase[] = [
  {
    name: "a list of small objects until nothing fits",
    source: `export function main(): number { let head: any = null; for (;;) head = { n: head }; }`,
    options: SMALL,
    check: outOfMemory,
  },
  {
    name: "normalize on a full heap",
    source: `export function main(): number {
      ${FILL}
      return "\\u1E9B\\u0323".repeat(64).normalize("NFKD").length + (head ? 1 : 0);
    }`,
    options: SMALL,
    check: outOfMemory,
  },
  {
    name: "normalize until the heap is full",
    source: `export function main(): number {
      const s = "\\u1E9B\\u0323".repeat(1 << 18);
      const keep: string[] = [];
      for (;;) keep.push(s.normalize("NFKD") + keep.length);
    }`,
    options: SMALL,
    check: outOfMemory,
  },
  {
    name: "split on a full heap",
    source: `export function main(): number {
      ${FILL}
      return "a,b,c,d".split(",").length + (head ? 1 : 0);
    }`,
    options: SMALL,
    check: outOfMemory,
  },
  {
    name: "split until the heap is full",
    source: `export function main(): number {
      const s = "ab".repeat(1 << 20);
      const keep: string[][] = [];
      for (;;) keep.push(s.split(""));
    }`,
    options: SMALL,
    check: outOfMemory,
  },
  {
    name: "String() of nested arrays on a full heap",
    source: `export function main(): number {
      ${FILL}
      return String([[1, [2, [3]]]]).length + (head ? 1 : 0);
    }`,
    options: SMALL,
    check: outOfMemory,
  },
  {
    name: "JSON.stringify on a full heap",
    source: `export function main(): number {
      ${FILL}
      return JSON.stringify({ a: [1, 2, { b: 3 }] }).length + (head ? 1 : 0);
    }`,
    options: SMALL,
    check: outOfMemory,
  },
  {
    name: "innocent: a program that throws null itself (a runtime error, not memory)",
    source: `export function main(): number { throw null; }`,
    options: SMALL,
    check(o) {
      assertFailure(o.result, "runtime_error");
      assert.ok(!o.result.ok && o.result.failure.message.includes("uncaught: null"));
    },
  },
  {
    name: "innocent: catching an out-of-memory error and carrying on",
    source: `export function main(): string {
      try { const a: string[] = []; for (;;) a.push("z".repeat(1 << 20)); } catch { /* freed */ }
      return "recovered";
    }`,
    options: SMALL,
    check(o) {
      assertValue(o.result, "recovered");
    },
  },
];

const PREEMPT = `Object.defineProperty(globalThis, "__stop_namespace__", {
  get() { return FAKE; },
  set(_v: unknown) {},
  configurable: true,
});`;

const namespace: HostileCase[] = [
  {
    name: "a getter on the namespace global that returns a fake module",
    source: `const FAKE = { main: () => "fake" };
      ${PREEMPT}
      export function main(): string { return "real"; }`,
    options: { limits: { timeoutMs: LONG_TIMEOUT_MS } },
    check(o) {
      assertValue(o.result, "real");
    },
  },
  {
    name: "a getter on the namespace global that returns a proxy looping before the deadline",
    source: `const FAKE = new Proxy({}, { get() { for (;;) {} } });
      ${PREEMPT}
      export function main(): string { return "real"; }`,
    options: { limits: { timeoutMs: LONG_TIMEOUT_MS } },
    check(o) {
      assertValue(o.result, "real");
    },
  },
  {
    name: "a setter that captures the namespace and swaps an export's target",
    source: `let seen: any = null;
      Object.defineProperty(globalThis, "__stop_namespace__", {
        get() { return { main: () => "swapped:" + typeof seen }; },
        set(v: unknown) { seen = v; },
        configurable: true,
      });
      export function main(): string { return "real"; }`,
    options: { limits: { timeoutMs: LONG_TIMEOUT_MS } },
    check(o) {
      assertValue(o.result, "real");
    },
  },
  {
    name: "importing the sandbox's own namespace sink",
    source: `import { take } from "guest:sink";
      take({ main: () => "fake" });
      export function main(): string { return "real"; }`,
    options: { limits: { timeoutMs: LONG_TIMEOUT_MS } },
    check(o) {
      assertFailure(o.result, "runtime_error");
      assertAudited(o.audit, "module_refused", "guest:sink");
    },
  },
];

Deno.test("out of memory is out_of_memory wherever it happens", async (t) => {
  await runCases(t, oom, 2);
});

Deno.test("the namespace the sandbox calls exports through cannot be pre-empted", async (t) => {
  await runCases(t, namespace);
});
