/**
 * Adversarial sandbox suite, output and logs class: oversized results and log floods are
 * capped, terminal escape sequences and invalid text come back escaped or replaced,
 * non-JSON values come back as typed failures, and nothing the guest returns reaches the
 * host as anything but plain JSON data.
 */
import assert from "node:assert/strict";
import type { Outcome } from "./sandbox_harness.ts";
import {
  assertAudited,
  assertFailure,
  assertValue,
  type HostileCase,
  isPrintable,
  LONG_TIMEOUT_MS,
  runCases,
} from "./sandbox_harness.ts";

const LIMITS = { timeoutMs: LONG_TIMEOUT_MS, outputBytes: 1 << 20, logBytes: 4096 };

function badOutput(o: Outcome): void {
  assertFailure(o.result, "bad_output");
  assertAudited(o.audit, "bad_output");
  assert.equal(o.instancesStarted, 2, "an instance that failed must be replaced");
}

function logText(o: Outcome): string {
  return o.result.logs.join("\n");
}

const cases: HostileCase[] = [
  {
    name: "a result over outputBytes",
    source: "export function main(): string { return 'x'.repeat(2 << 20); }",
    options: { limits: LIMITS },
    check(o) {
      assertFailure(o.result, "output_too_large");
      assertAudited(o.audit, "output_too_large", "over the limit of 1048576");
    },
  },
  {
    name: "a result just under outputBytes (control)",
    source: "export function main(): string { return 'x'.repeat((1 << 20) - 2); }",
    options: { limits: LIMITS },
    check(o) {
      assert.ok(o.result.ok && typeof o.result.value === "string");
      assert.equal((o.result.value as string).length, (1 << 20) - 2);
    },
  },
  {
    name: "a flood of log lines over logBytes",
    source:
      "export function main(): number { for (let i = 0; i < 1e5; i++) console.log('line ' + i); return 7; }",
    options: { limits: LIMITS },
    check(o) {
      assertValue(o.result, 7);
      const kept = o.result.logs.reduce((n, line) => n + line.length + 1, 0);
      assert.ok(kept <= LIMITS.logBytes, `kept ${kept} bytes of logs`);
      assert.equal(o.result.logs[0], "line 0");
      assertAudited(o.audit, "log_overflow");
    },
  },
  {
    name: "one log line larger than logBytes",
    source:
      "export function main(): number { console.log('y'.repeat(1 << 20)); console.log('after'); return 1; }",
    options: { limits: LIMITS },
    check(o) {
      assertValue(o.result, 1);
      assert.deepEqual(o.result.logs, ["after"]);
      assertAudited(o.audit, "log_overflow");
    },
  },
  {
    name: "terminal escape sequences in logs",
    source: String.raw`export function main(): number {
      console.log("\u001b[2J\u001b]0;pwned\u0007\u009b31m\r\nfake: ok\u2028");
      return 1;
    }`,
    options: { limits: LIMITS },
    check(o) {
      assertValue(o.result, 1);
      assert.ok(o.result.logs.every(isPrintable), JSON.stringify(o.result.logs));
      assert.ok(logText(o).includes("\\u001b[2J"));
      assert.ok(logText(o).includes("\\u000d\\u000afake: ok"));
    },
  },
  {
    name: "terminal escape sequences in an error",
    source: String
      .raw`export function main(): number { throw new Error("\u001b[31mred\u0007\u009b"); }`,
    options: { limits: LIMITS },
    check(o) {
      assertFailure(o.result, "runtime_error");
      assert.ok(!o.result.ok && isPrintable(o.result.failure.message), JSON.stringify(o.result));
      assert.ok(!o.result.ok && o.result.failure.message.includes("\\u001b[31mred"));
    },
  },
  {
    name: "terminal escape sequences in an audited module name",
    source: String.raw`export async function main(): Promise<string> {
      try { await import("\u001b]0;pwned\u0007"); return "imported"; } catch { return "refused"; }
    }`,
    options: { limits: LIMITS },
    check(o) {
      assertValue(o.result, "refused");
      assertAudited(o.audit, "module_refused", "\\u001b]0;pwned\\u0007");
      assert.ok(o.audit.events.every((e) => isPrintable(e.detail)));
    },
  },
  {
    name: "lone surrogates in the result (kept exactly, as JSON allows)",
    source: String
      .raw`export function main(): string[] { return ["\ud800", "a\udfffb", "\ud83d\ude00"]; }`,
    options: { limits: LIMITS },
    check(o) {
      assertValue(o.result, ["\ud800", "a\udfffb", "\ud83d\ude00"]);
    },
  },
  {
    name: "lone surrogates in logs and errors (replaced, never ill-formed)",
    source: String.raw`export function main(): number {
      console.log("x\ud800y");
      throw new Error("bad \udc00 text");
    }`,
    options: { limits: LIMITS },
    check(o) {
      assertFailure(o.result, "runtime_error");
      assert.ok(o.result.logs.length === 1 && isPrintable(o.result.logs[0]!));
      assert.ok(o.result.logs[0]!.startsWith("x") && o.result.logs[0]!.endsWith("y"));
      assert.ok(!o.result.ok && isPrintable(o.result.failure.message));
    },
  },
  {
    name: "NaN, Infinity and -0",
    source:
      "export function main(): unknown { return [NaN, Infinity, -Infinity, -0, { a: NaN }]; }",
    options: { limits: LIMITS },
    check(o) {
      assertValue(o.result, [null, null, null, 0, { a: null }]);
      assert.ok(o.result.ok && Object.is((o.result.value as number[])[3], 0));
    },
  },
  {
    name: "a function",
    source: "export function main(): unknown { return () => 1; }",
    options: { limits: LIMITS },
    check: badOutput,
  },
  {
    name: "undefined",
    source: "export function main(): unknown { return undefined; }",
    options: { limits: LIMITS },
    check: badOutput,
  },
  {
    name: "a symbol",
    source: "export function main(): unknown { return Symbol('s'); }",
    options: { limits: LIMITS },
    check: badOutput,
  },
  {
    name: "a BigInt",
    source: "export function main(): unknown { return { n: 1n }; }",
    options: { limits: LIMITS },
    check: badOutput,
  },
  {
    name: "a cyclic object",
    source:
      "export function main(): unknown { const a: Record<string, unknown> = {}; a.self = a; return a; }",
    options: { limits: LIMITS },
    check: badOutput,
  },
  {
    name: "a 5 MB error message",
    source: "export function main(): number { throw new Error('e'.repeat(5e6)); }",
    options: { limits: LIMITS },
    check(o) {
      assertFailure(o.result, "runtime_error");
      assert.ok(!o.result.ok && o.result.failure.message.length <= 2001);
    },
  },
  {
    name: "a thrown value whose toString throws",
    source: `export function main(): number {
      throw { toString() { throw new Error("no"); }, get message() { throw new Error("no"); } };
    }`,
    options: { limits: LIMITS },
    check(o) {
      assertFailure(o.result, "runtime_error");
      assert.equal(o.instancesStarted, 2);
    },
  },
  {
    name: "a __proto__ key in the result",
    source:
      `export function main(): unknown { return JSON.parse('{"__proto__":{"polluted":true},"a":1}'); }`,
    options: { limits: LIMITS },
    check(o) {
      assert.ok(o.result.ok);
      const value = o.result.value as Record<string, unknown>;
      assert.ok(Object.hasOwn(value, "__proto__"), "kept as data");
      assert.equal(Object.getPrototypeOf(value), Object.prototype);
      assert.equal(({} as Record<string, unknown>).polluted, undefined);
      assert.equal(value.a, 1);
    },
  },
];

Deno.test("loadProgram() caps, escapes and types the output when a program returns or prints hostile data", async (t) => {
  await runCases(t, cases);
});
