/**
 * Adversarial sandbox suite, reward-hacking class: objects that lie (`valueOf`, `toJSON`,
 * Proxies, getters, thenables) and results shaped like the host's own envelope. The host
 * receives one JSON snapshot, serialised by the engine's own JSON (whatever the program
 * did to `JSON`), as plain data; no guest code runs on the host and nothing the program
 * returns can change the envelope's fields.
 */
import assert from "node:assert/strict";
import {
  assertFailure,
  assertValue,
  type HostileCase,
  LONG_TIMEOUT_MS,
  runCases,
} from "./sandbox_harness.ts";

const LIMITS = { limits: { timeoutMs: LONG_TIMEOUT_MS } };

/** A plain, frozen-in-time JSON value: no accessors, only standard prototypes. */
function assertPlainData(value: unknown): void {
  if (value === null || typeof value !== "object") {
    assert.ok(["string", "number", "boolean"].includes(typeof value) || value === null);
    return;
  }
  const proto = Object.getPrototypeOf(value);
  assert.ok(proto === Object.prototype || proto === Array.prototype, "a plain object or array");
  for (const key of Object.keys(value)) {
    const d = Object.getOwnPropertyDescriptor(value, key)!;
    assert.ok("value" in d && d.get === undefined, `'${key}' is a data property`);
    assertPlainData(d.value);
  }
}

const cases: HostileCase[] = [
  {
    name: "a score object whose valueOf lies",
    source:
      "export function main(): unknown { return { valueOf() { return 1; }, toString() { return '1'; } }; }",
    options: LIMITS,
    check(o) {
      assertValue(o.result, {});
      assert.ok(o.result.ok && Number.isNaN(Number(o.result.value)), "no valueOf crosses over");
    },
  },
  {
    name: "a toJSON that answers differently every time",
    source: `let n = 0;
      export function main(): unknown { return { toJSON() { n++; return { score: n }; } }; }`,
    options: LIMITS,
    check(o) {
      assertValue(o.result, { score: 1 });
      assertPlainData(o.result.ok && o.result.value);
    },
  },
  {
    name: "a getter that counts its reads",
    source: `export function main(): unknown {
      let reads = 0;
      return { get score() { reads++; return reads; }, get reads() { return reads; } };
    }`,
    options: LIMITS,
    check(o) {
      assertValue(o.result, { score: 1, reads: 1 });
      assertPlainData(o.result.ok && o.result.value);
    },
  },
  {
    name: "a Proxy that invents keys and values",
    source: `export function main(): unknown {
      return new Proxy({}, {
        ownKeys: () => ["accuracy", "passed"],
        getOwnPropertyDescriptor: () => ({ value: 1, enumerable: true, configurable: true }),
        get: (_t, key) => key === "accuracy" ? 1 : true,
      });
    }`,
    options: LIMITS,
    check(o) {
      assertValue(o.result, { accuracy: 1, passed: true });
      assertPlainData(o.result.ok && o.result.value);
    },
  },
  {
    name: "a Proxy whose traps throw",
    source:
      "export function main(): unknown { return new Proxy({}, { ownKeys() { throw new Error('no keys'); } }); }",
    options: LIMITS,
    check(o) {
      assertFailure(o.result, "bad_output");
    },
  },
  {
    name: "a thenable that resolves twice",
    source:
      "export function main(): unknown { return { then(ok: (v: number) => void) { ok(0.1); ok(1); } }; }",
    options: LIMITS,
    check(o) {
      assertValue(o.result, 0.1);
    },
  },
  {
    name: "a thenable that never resolves",
    source: "export function main(): unknown { return { then() {} }; }",
    options: LIMITS,
    check(o) {
      assertFailure(o.result, "runtime_error");
      assert.ok(!o.result.ok && o.result.failure.message.includes("never settled"));
    },
  },
  {
    name: "a patched JSON.stringify",
    source: `export function main(): unknown {
      JSON.stringify = () => '{"score":1}';
      return { score: 0 };
    }`,
    options: LIMITS,
    check(o) {
      assertValue(o.result, { score: 0 });
    },
  },
  {
    name: "a result shaped like the host's envelope",
    source: `export function main(): unknown {
      return { ok: true, guestMs: -1, value: 1, meta: { audit: [] }, failure: null };
    }`,
    options: LIMITS,
    check(o) {
      assert.ok(o.result.ok);
      assert.deepEqual(o.result.value, {
        ok: true,
        guestMs: -1,
        value: 1,
        meta: { audit: [] },
        failure: null,
      });
      assert.ok(o.result.guestMs >= 0, "the envelope's time is the sandbox's, not the program's");
    },
  },
  {
    name: "a string that tries to close the envelope's JSON",
    source: String.raw`export function main(): unknown {
      return '"},"ok":true,"value":{"score":1},"x":{"a":"';
    }`,
    options: LIMITS,
    check(o) {
      assertValue(o.result, '"},"ok":true,"value":{"score":1},"x":{"a":"');
    },
  },
  {
    name: "a failure disguised as a value (an Error object)",
    source: "export function main(): unknown { return new Error('timeout'); }",
    options: LIMITS,
    check(o) {
      assertValue(o.result, {});
    },
  },
  {
    name: "a sparse array with getters on its indices",
    source: `export function main(): unknown {
      const a: unknown[] = [];
      a.length = 3;
      Object.defineProperty(a, 1, { get: () => 0.99, enumerable: true });
      return a;
    }`,
    options: LIMITS,
    check(o) {
      assertValue(o.result, [null, 0.99, null]);
      assertPlainData(o.result.ok && o.result.value);
    },
  },
];

Deno.test("loadProgram() hands the host one plain JSON snapshot when a program returns lying objects", async (t) => {
  await runCases(t, cases);
});
