/**
 * Adversarial sandbox suite, host boundary class. The test prelude hands the raw
 * `host(name, payloadJson)` function to the program (the real preludes never do), so the
 * program can misuse it directly: unknown names, malformed, huge or prototype-polluting
 * payloads, names that smuggle a payload, host functions that throw or stall, re-entrant
 * and concurrent calls. Every misuse comes back to the guest as data, the plugin lives on
 * (or is cleanly replaced), and no stale result reaches a later call.
 */
import assert from "node:assert/strict";
import { AuditLog } from "../sandbox/audit_log.ts";
import { type HostFunction, loadProgram, type Program } from "../sandbox/program.ts";
import {
  assertAudited,
  assertFailure,
  assertResponsive,
  assertValue,
  FAST_TIMEOUT_MS,
  type HostileCase,
  KILL_SLACK_MS,
  LONG_TIMEOUT_MS,
  RAW_PRELUDE,
  runCases,
} from "./sandbox_harness.ts";

/** What the guest's `host()` returns, parsed on the host side of the test. */
function reply(value: unknown): { ok: boolean; value?: unknown; error?: string } {
  assert.equal(typeof value, "string", `host() should return JSON text, got ${typeof value}`);
  return JSON.parse(value as string);
}

const received: unknown[] = [];

const HOST_FUNCTIONS: Record<string, HostFunction> = {
  echo: (payload) => payload,
  record: (payload) => {
    received.push(payload);
    const p = payload as Record<string, unknown>;
    return {
      ownProto: Object.hasOwn(p, "__proto__"),
      plainPrototype: Object.getPrototypeOf(p) === Object.prototype,
      hostPolluted: ({} as Record<string, unknown>).polluted ?? null,
    };
  },
  explode: () => {
    throw new Error("host function failed \u001b[31m");
  },
  nothing: () => undefined,
  bigint: () => 1n,
};

function raw(name: string, source: string, check: HostileCase["check"]): HostileCase {
  return {
    name,
    source,
    options: {
      prelude: RAW_PRELUDE,
      hostFunctions: HOST_FUNCTIONS,
      limits: { timeoutMs: LONG_TIMEOUT_MS },
    },
    call: { adapter: "raw" },
    check,
  };
}

type HostArg = (name: unknown, payload?: unknown) => string;

const cases: HostileCase[] = [
  raw(
    "an unknown host function",
    "export function main(host: (n: string, p: string) => string) { return host('readFile', '\"/etc/passwd\"'); }",
    (o) => {
      const r = reply(o.result.ok && o.result.value);
      assert.equal(r.ok, false);
      assert.match(r.error!, /no host function named 'readFile'/);
      assertAudited(o.audit, "host_call_misuse", "unknown host function 'readFile'");
    },
  ),
  raw(
    "a host function name inherited from Object.prototype",
    "export function main(host: (n: string, p: string) => string) { return [host('constructor', '1'), host('__proto__', '1'), host('toString', '1')]; }",
    (o) => {
      assert.ok(o.result.ok);
      for (const text of o.result.value as string[]) assert.equal(reply(text).ok, false);
      assertAudited(o.audit, "host_call_misuse", undefined, 3);
    },
  ),
  raw(
    "a payload that is not JSON",
    "export function main(host: (n: string, p: string) => string) { return host('echo', '{\"a\": 1,, '); }",
    (o) => {
      assert.deepEqual(reply(o.result.ok && o.result.value), {
        ok: false,
        error: "the payload is not JSON",
      });
      assertAudited(o.audit, "host_call_misuse", "not JSON");
    },
  ),
  raw(
    "a payload over 4 MiB",
    "export function main(host: (n: string, p: string) => string) { return host('echo', JSON.stringify('x'.repeat(5 << 20))); }",
    (o) => {
      const r = reply(o.result.ok && o.result.value);
      assert.equal(r.ok, false);
      assert.match(r.error!, /payload is over/);
      assertAudited(o.audit, "host_call_misuse", "payload of");
    },
  ),
  raw(
    "a name that smuggles a payload after a newline",
    `export function main(host: (n: string, p: string) => string) {
      return host('echo\\n{"smuggled":true}', '');
    }`,
    (o) => {
      const r = reply(o.result.ok && o.result.value);
      assert.equal(r.ok, false);
      assert.match(r.error!, /newline/);
      assertAudited(o.audit, "host_call_misuse", "newline");
    },
  ),
  raw(
    "__proto__ keys in a payload",
    `export function main(host: (n: string, p: string) => string) {
      return host('record', '{"__proto__":{"polluted":true},"constructor":{"prototype":{"polluted":true}}}');
    }`,
    (o) => {
      const r = reply(o.result.ok && o.result.value);
      assert.deepEqual(r, {
        ok: true,
        value: { ownProto: true, plainPrototype: true, hostPolluted: null },
      });
      assert.equal(({} as Record<string, unknown>).polluted, undefined);
      assert.equal(Object.prototype.hasOwnProperty.call(Object.prototype, "polluted"), false);
    },
  ),
  raw(
    "wrong argument types (no name, objects, numbers)",
    `export function main(host: (...a: unknown[]) => string) {
      const out: unknown[] = [];
      try { host(); out.push("no error"); } catch (e) { out.push(String(e)); }
      out.push(host({ toString() { return "echo"; } }, { toString() { return "[1]"; } }));
      out.push(host(42, 43));
      out.push(host("echo"));
      return out;
    }`,
    (o) => {
      assert.ok(o.result.ok, JSON.stringify(o.result));
      const [missing, coerced, numeric, noPayload] = o.result.value as string[];
      assert.match(missing!, /TypeError/);
      assert.deepEqual(reply(coerced), { ok: true, value: [1] });
      assert.equal(reply(numeric).ok, false);
      assert.deepEqual(reply(noPayload), { ok: true, value: null });
    },
  ),
  raw(
    "a host function that throws (the error comes back as data, the plugin lives on)",
    `export function main(host: (n: string, p: string) => string) {
      return [host('explode', '1'), host('echo', '2')];
    }`,
    (o) => {
      assert.ok(o.result.ok);
      const [thrown, after] = o.result.value as string[];
      assert.deepEqual(reply(thrown), { ok: false, error: "host function failed \u001b[31m" });
      assert.deepEqual(reply(after), { ok: true, value: 2 });
      assertValue(o.again, o.result.value);
      assert.equal(o.instancesStarted, 1, "the same instance served both calls");
    },
  ),
  raw(
    "host functions returning undefined or unserialisable values",
    `export function main(host: (n: string, p: string) => string) {
      return [host('nothing', ''), host('bigint', '')];
    }`,
    (o) => {
      assert.ok(o.result.ok);
      const [nothing, bigint] = o.result.value as string[];
      assert.deepEqual(reply(nothing), { ok: true, value: null });
      assert.equal(reply(bigint).ok, false);
    },
  ),
  {
    name: "a program without an adapter never sees host()",
    source: `export function main(...args: unknown[]): unknown {
      const g = globalThis as Record<string, unknown>;
      return [args.length, typeof g.host, Object.getOwnPropertyNames(globalThis).includes("host")];
    }`,
    options: { prelude: RAW_PRELUDE, hostFunctions: HOST_FUNCTIONS },
    check(o) {
      assertValue(o.result, [0, "undefined", false]);
    },
  },
  {
    name: "an adapter name the prelude does not define (inherited names included)",
    source: "export function main(): number { return 1; }",
    options: { prelude: RAW_PRELUDE, hostFunctions: HOST_FUNCTIONS },
    call: { adapter: "toString" },
    check(o) {
      assertFailure(o.result, "runtime_error");
      assert.ok(!o.result.ok && o.result.failure.message.includes("unknown adapter 'toString'"));
    },
  },
];

Deno.test("loadProgram() answers host-call misuse with errors as data when the guest abuses host()", async (t) => {
  received.length = 0;
  await runCases(t, cases);
});

Deno.test("Program.call() never delivers a stale host result when a host call stalls past hostCallTimeoutMs", async () => {
  const audit = new AuditLog();
  // The stalled host call answers only when the test says so, after the guest has given up on
  // it (no timer racing the host-call timeout).
  const stale = Promise.withResolvers<string>();
  let calls = 0;
  const slow: HostFunction = (payload) => {
    calls++;
    return payload === "stall" ? stale.promise : `fresh ${calls}`;
  };
  try {
    await using program = await loadProgram(
      `export function main(host: (n: string, p: string) => string, mode: string): unknown {
        return [host('slow', JSON.stringify(mode)), host('slow', '"quick"')];
      }`,
      {
        audit,
        prelude: RAW_PRELUDE,
        hostFunctions: { slow },
        hostCallTimeoutMs: 150,
        limits: { timeoutMs: LONG_TIMEOUT_MS },
        killSlackMs: KILL_SLACK_MS,
      },
    );
    const first = await program.call("main", ["stall"], {
      adapter: "raw",
      timeoutMs: FAST_TIMEOUT_MS,
    });
    assert.ok(first.ok, JSON.stringify(first));
    const [stalled, quick] = first.value as string[];
    assert.deepEqual(reply(stalled), { ok: false, error: "host call 'slow' timed out" });
    assert.deepEqual(reply(quick), { ok: true, value: "fresh 2" });
    assertAudited(audit, "host_call_misuse", "took longer than 150 ms");

    // Let the stale result arrive, then check that no later call ever sees it.
    stale.resolve("STALE");
    await stale.promise;
    const second = await program.call("main", ["quick"], {
      adapter: "raw",
      timeoutMs: FAST_TIMEOUT_MS,
    });
    assertValue(second, [
      JSON.stringify({ ok: true, value: "fresh 3" }),
      JSON.stringify({ ok: true, value: "fresh 4" }),
    ]);
    assert.equal(program.instancesStarted, 1, "a host-call timeout is not a guest failure");
  } finally {
    stale.resolve("STALE");
  }
  await assertResponsive();
});

Deno.test("Program.call() excludes host time from the guest deadline when a host call is slow", async () => {
  // The host call's wall time is the stimulus, not a race: whatever it is on this machine,
  // the guest's virtual time must not include it.
  const timers: Promise<void>[] = [];
  const wait: HostFunction = () => {
    const done = new Promise<void>((resolve) => setTimeout(resolve, FAST_TIMEOUT_MS + 150));
    timers.push(done);
    return done.then(() => "waited");
  };
  await using program = await loadProgram(
    "export function main(host: (n: string, p: string) => string): string { return host('wait', ''); }",
    {
      prelude: RAW_PRELUDE,
      hostFunctions: { wait },
      limits: { timeoutMs: LONG_TIMEOUT_MS },
      killSlackMs: KILL_SLACK_MS,
      hostCallTimeoutMs: 5000,
    },
  );
  const result = await program.call("main", [], { adapter: "raw", timeoutMs: FAST_TIMEOUT_MS });
  await Promise.all(timers);
  assertValue(result, JSON.stringify({ ok: true, value: "waited" }));
  assert.ok(result.guestMs < FAST_TIMEOUT_MS, `guest time ${result.guestMs} counts host time`);
});

Deno.test("Program.call() breaks a re-entrant host call into the same program with the host-call timeout", async () => {
  const audit = new AuditLog();
  let reentered: Promise<unknown> | undefined;
  const holder: { program?: Program } = {};
  const hostFunctions: Record<string, HostFunction> = {
    // A careless host function that calls back into the program it serves: the call is
    // queued behind the one waiting on it, so only the host-call timeout can break the knot.
    reenter: () => (reentered = holder.program!.call("inner", [])),
  };
  await using program = await loadProgram(
    `export function main(host: (n: string, p: string) => string): string { return host('reenter', ''); }
     export function inner(): string { return "inner ran"; }`,
    {
      audit,
      prelude: RAW_PRELUDE,
      hostFunctions,
      hostCallTimeoutMs: 300,
      limits: { timeoutMs: LONG_TIMEOUT_MS },
    },
  );
  holder.program = program;
  // No deadlock: the call returns at all (a deadlock never would), with the host-call timeout.
  const result = await program.call("main", [], { adapter: "raw" });
  assertValue(result, JSON.stringify({ ok: false, error: "host call 'reenter' timed out" }));
  assertAudited(audit, "host_call_misuse", "took longer than 300 ms");
  // The queued re-entrant call runs afterwards, on its own, with its own answer.
  assertValue((await reentered) as never, "inner ran");
});

Deno.test("Program.call() keeps concurrent calls and nested sandboxes apart when host functions run programs", async () => {
  await using inner = await loadProgram(
    "export function square(x: number): number { return x * x; }",
    { limits: { timeoutMs: LONG_TIMEOUT_MS } },
  );
  const hostFunctions: Record<string, HostFunction> = {
    square: async (payload) => {
      const r = await inner.call("square", [payload]);
      return r.ok ? r.value : r.failure.kind;
    },
  };
  await using outer = await loadProgram(
    `export function main(host: (n: string, p: string) => string, x: number): number {
      return JSON.parse(host('square', JSON.stringify(x))).value + x;
    }`,
    { prelude: RAW_PRELUDE, hostFunctions, limits: { timeoutMs: LONG_TIMEOUT_MS } },
  );
  const results = await Promise.all(
    [1, 2, 3, 4, 5].map((x) => outer.call("main", [x], { adapter: "raw" })),
  );
  assert.deepEqual(results.map((r) => r.ok && r.value), [2, 6, 12, 20, 30]);
  assert.equal(outer.instancesStarted, 1);
});
