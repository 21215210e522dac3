/**
 * Adversarial sandbox suite, the audit itself (issue 12, item 3): no kind of event can crowd
 * out another, every event is counted, capability probes that never read a property (`in`,
 * `Reflect.has`, own-property reflection, key listings, `with`) are recorded, and so are the
 * constructors reached from async and generator functions. Innocent look-alikes record
 * nothing.
 */
import assert from "node:assert/strict";
import { AuditLog } from "../sandbox/audit_log.ts";
import { loadWatchedSolution } from "../utilities/watched_solution.ts";
import { signalOf } from "../utilities/audit_signals.ts";
import { classifyModuleSpecifier } from "../analysis/unsandboxing.ts";
import {
  assertAudited,
  assertValue,
  type HostileCase,
  LONG_TIMEOUT_MS,
  type Outcome,
  runCases,
} from "./sandbox_harness.ts";

const LIMITS = { limits: { timeoutMs: LONG_TIMEOUT_MS } };

/** No capability attempt at all, and the value is right. */
function innocent(expected: unknown): (o: Outcome) => void {
  return (o) => {
    assertValue(o.result, expected);
    const probes = o.audit.events.filter((e) => e.kind === "capability_attempt");
    assert.deepEqual(probes, [], "an innocent program records no capability attempt");
    assert.equal(o.result.ok && o.result.auditCounts, undefined);
  };
}

/** Module requests that run code, and look-alikes that only probe, mixed into a flood. */
const MODULE_REQUESTS = [
  "data:text/javascript,export default 1",
  "https://example.test/a.js",
  "./local.js",
  "/abs.js",
  "npm:left-pad",
  "JSR:@std/fs",
  "node:vm",
  "worker_threads/x",
  "inspector",
  "node:fs",
  "os",
  "vmx",
  "modules",
  "lodash",
  "nodevm",
];

const crowding: HostileCase[] = [
  {
    name: "64 harmless reads first, then import('node:child_process')",
    source: `export async function main(): Promise<string> {
      for (let i = 0; i < 64; i++) (globalThis as any).Deno;
      try { await import("node:child_process"); return "imported"; } catch { return "refused"; }
    }`,
    options: LIMITS,
    check(o) {
      assertValue(o.result, "refused");
      assertAudited(o.audit, "module_refused", "node:child_process");
      assert.ok(o.result.ok);
      assert.deepEqual(o.result.auditCounts, { capability_attempt: 64, module_refused: 1 });
    },
  },
  {
    name: "a thousand reads of every host global, then import('child_process')",
    source: `export async function main(): Promise<string> {
      const names = ["Deno", "process", "require", "fetch", "Bun", "std", "os", "Worker"];
      for (let i = 0; i < 1000; i++) (globalThis as any)[names[i % names.length]];
      try { await import("child_process"); return "imported"; } catch { return "refused"; }
    }`,
    options: LIMITS,
    check(o) {
      assertValue(o.result, "refused");
      assertAudited(o.audit, "module_refused", "child_process");
      assert.ok(o.result.ok);
      assert.equal(o.result.auditCounts?.capability_attempt, 1000);
      assert.equal(o.audit.count("capability_attempt") >= 1000, true);
    },
  },
  {
    name: "100 distinct refused module names, then import('node:child_process')",
    source: `export async function main(): Promise<string> {
      for (let i = 0; i < 100; i++) { try { await import("probe" + i); } catch { /* refused */ } }
      try { await import("node:child_process"); return "imported"; } catch { return "refused"; }
    }`,
    options: LIMITS,
    check(o) {
      assertValue(o.result, "refused");
      assertAudited(o.audit, "module_refused", "node:child_process");
      assert.ok(o.result.ok);
      assert.equal(o.result.auditCounts?.module_refused, 101);
    },
  },
  {
    name: "a flood of refused names around code-running requests: itemised as the host classifies",
    source: `export async function main(): Promise<number> {
      const requests = ${JSON.stringify(MODULE_REQUESTS)};
      const names = [...Array.from({ length: 80 }, (_, i) => "flood" + i), ...requests];
      names.push(...Array.from({ length: 80 }, (_, i) => "later" + i));
      let refused = 0;
      for (const name of names) {
        try { await import(name); } catch { refused++; }
      }
      return refused;
    }`,
    options: LIMITS,
    check(o) {
      assertValue(o.result, 175);
      const itemised = new Set(o.audit.events.map((e) => e.detail));
      for (const s of MODULE_REQUESTS) {
        // Past the flood, the guest itemises exactly the requests the host says run code.
        assert.equal(itemised.has(s), classifyModuleSpecifier(s) === "runs-code", s);
      }
      assert.ok(o.result.ok);
      assert.equal(o.result.auditCounts?.module_refused, 175);
    },
  },
  {
    name: "a flood of writes, then a probe with Reflect.has",
    source: `export function main(): boolean {
      for (let i = 0; i < 500; i++) (globalThis as any).fetch = i;
      return Reflect.has(globalThis, "process");
    }`,
    options: LIMITS,
    check(o) {
      assertValue(o.result, false);
      assertAudited(o.audit, "capability_attempt", "probe process with in, Reflect.has or with");
      assert.ok(o.result.ok);
      assert.equal(o.result.auditCounts?.capability_attempt, 501);
    },
  },
  {
    name: "a log flood, then a read of require",
    source: `export function main(): string {
      for (let i = 0; i < 5000; i++) console.log("x".repeat(100));
      return typeof (globalThis as any).require;
    }`,
    options: LIMITS,
    check(o) {
      assertValue(o.result, "undefined");
      assertAudited(o.audit, "log_overflow");
      assertAudited(o.audit, "capability_attempt", "read require");
    },
  },
];

const probes: HostileCase[] = [
  {
    name: "'Deno' in globalThis",
    source: `export function main(): boolean { return "Deno" in globalThis; }`,
    options: LIMITS,
    check(o) {
      assertValue(o.result, false);
      assertAudited(o.audit, "capability_attempt", "probe Deno with in");
    },
  },
  {
    name: "Reflect.has(globalThis, 'fetch')",
    source: `export function main(): boolean { return Reflect.has(globalThis, "fetch"); }`,
    options: LIMITS,
    check(o) {
      assertValue(o.result, false);
      assertAudited(o.audit, "capability_attempt", "probe fetch with in, Reflect.has");
    },
  },
  {
    name: "hasOwnProperty, called and borrowed",
    source: `export function main(): boolean[] {
      const g = globalThis as any;
      return [g.hasOwnProperty("require"), Object.prototype.hasOwnProperty.call(g, "process")];
    }`,
    options: LIMITS,
    check(o) {
      assertValue(o.result, [false, false]);
      assertAudited(
        o.audit,
        "capability_attempt",
        "probe require with Object.prototype.hasOwnProperty",
      );
      assertAudited(
        o.audit,
        "capability_attempt",
        "probe process with Object.prototype.hasOwnProperty",
      );
    },
  },
  {
    name: "own-property descriptors, one name and all of them",
    source: `export function main(): unknown[] {
      const g = globalThis;
      return [
        Object.getOwnPropertyDescriptor(g, "Deno") ?? null,
        Reflect.getOwnPropertyDescriptor(g, "Bun") ?? null,
        "WebAssembly" in Object.getOwnPropertyDescriptors(g),
        g.propertyIsEnumerable("os"),
      ];
    }`,
    options: LIMITS,
    check(o) {
      assertValue(o.result, [null, null, false, false]);
      assertAudited(
        o.audit,
        "capability_attempt",
        "probe Deno with Object.getOwnPropertyDescriptor",
      );
      assertAudited(
        o.audit,
        "capability_attempt",
        "probe Bun with Reflect.getOwnPropertyDescriptor",
      );
      assertAudited(
        o.audit,
        "capability_attempt",
        "listed the global object's properties with Object.getOwnPropertyDescriptors",
      );
      assertAudited(
        o.audit,
        "capability_attempt",
        "probe os with Object.prototype.propertyIsEnumerable",
      );
    },
  },
  {
    name: "listing the global's keys four ways",
    source: `export function main(): boolean {
      const g = globalThis;
      const all = [Object.keys(g), Object.getOwnPropertyNames(g), Reflect.ownKeys(g), Object.entries(g).map((e) => e[0])];
      return all.some((keys) => keys.includes("Deno" as never));
    }`,
    options: LIMITS,
    check(o) {
      assertValue(o.result, false);
      for (
        const via of [
          "Object.keys",
          "Object.getOwnPropertyNames",
          "Reflect.ownKeys",
          "Object.entries",
        ]
      ) {
        assertAudited(
          o.audit,
          "capability_attempt",
          `listed the global object's properties with ${via}`,
        );
      }
    },
  },
  {
    name: "a with statement in code built by Function",
    source: `export function main(): string {
      return new Function("with (globalThis) { return typeof process; }")();
    }`,
    options: LIMITS,
    check(o) {
      assertValue(o.result, "undefined");
      assertAudited(o.audit, "capability_attempt", /process/);
    },
  },
  {
    name: "swapping the global's prototype before probing",
    source: `export function main(): boolean {
      Object.setPrototypeOf(globalThis, Object.prototype);
      return "Deno" in globalThis;
    }`,
    options: LIMITS,
    check(o) {
      assertValue(o.result, false);
      assertAudited(o.audit, "capability_attempt", "replaced the global object's prototype");
    },
  },
  {
    name: "planting a probed name with Reflect.defineProperty (refused)",
    source: `export function main(): unknown {
      return [Reflect.defineProperty(globalThis, "require", { value: () => 1 }), typeof (globalThis as any).require];
    }`,
    options: LIMITS,
    check(o) {
      assertValue(o.result, [false, "undefined"]);
      assertAudited(o.audit, "capability_attempt", "probe require with Reflect.defineProperty");
    },
  },
];

const innocents: HostileCase[] = [
  {
    name: "innocent: the same forms on ordinary objects with host-like keys",
    source: `export function main(): unknown[] {
      const o: Record<string, number> = { Deno: 1, process: 2, fetch: 3 };
      return [
        "Deno" in o, Reflect.has(o, "process"), o.hasOwnProperty("fetch"),
        Object.prototype.hasOwnProperty.call(o, "require"), Object.keys(o),
        Object.getOwnPropertyNames(o).length, Reflect.ownKeys(o).length,
        Object.getOwnPropertyDescriptor(o, "Deno")?.value ?? null,
        Object.entries(o).length, Object.values(o), o.propertyIsEnumerable("Deno"),
      ];
    }`,
    options: LIMITS,
    check: innocent([
      true,
      true,
      true,
      false,
      ["Deno", "process", "fetch"],
      3,
      3,
      1,
      3,
      [1, 2, 3],
      true,
    ]),
  },
  {
    name: "innocent: built-in globals probed by name",
    source: `export function main(): unknown[] {
      const g = globalThis as any;
      return ["Math" in g, Reflect.has(g, "JSON"), g.hasOwnProperty("Array"),
        typeof Object.getOwnPropertyDescriptor(g, "Map")?.value, typeof g.Symbol, typeof g.undefinedThing];
    }`,
    options: LIMITS,
    check: innocent([true, true, true, "function", "function", "undefined"]),
  },
  {
    name: "innocent: a program that defines and reads its own globals",
    source: `export function main(): number {
      const g = globalThis as any;
      g.memo = 1;
      Object.defineProperty(g, "cache", { value: 2, configurable: true });
      return g.memo + g.cache + ("memo" in g ? 1 : 0);
    }`,
    options: LIMITS,
    check: innocent(4),
  },
  {
    name: "innocent: async functions and generators used, not their constructors",
    source: `export async function main(): Promise<number> {
      function* gen() { yield 1; yield 2; }
      async function* agen() { yield 3; }
      let s = 0;
      for (const v of gen()) s += v;
      for await (const v of agen()) s += v;
      return s + await (async () => 4)();
    }`,
    options: LIMITS,
    check: innocent(10),
  },
];

Deno.test("the audit: no kind crowds out another, every event is counted", async (t) => {
  await runCases(t, crowding);
});

Deno.test("the audit: probes by in, Reflect.has, own-property reflection, listings and with are recorded", async (t) => {
  await runCases(t, [...probes, ...innocents]);
});

/** Loads a solution with the guest watch, calls `algorithm`, returns the signals it noted. */
async function watchedSignals(source: string): Promise<string[]> {
  const log = new AuditLog();
  const solution = await loadWatchedSolution(source, { audit: log, limits: { timeoutMs: 5000 } });
  try {
    const result = await solution.call("algorithm", [[1, 2]], { timeoutMs: 5000 });
    assert.ok(result.ok, JSON.stringify(result));
  } finally {
    await solution.close();
  }
  return log.events.map((e) => signalOf(e) ?? `(${e.kind})`);
}

Deno.test("the guest watch: evaluating constructors and built-ins patched only while a promise runs", async (t) => {
  const hostile: [signal: string, source: string][] = [
    [
      "capability-probe",
      "export async function algorithm() { return await (async () => {}).constructor('return 1')(); }",
    ],
    [
      "capability-probe",
      "export function algorithm() { return (function* () {}).constructor('yield 2')().next().value; }",
    ],
    [
      "capability-probe",
      "export function algorithm() { return typeof (async function* () {}).constructor; }",
    ],
    [
      "capability-probe",
      "export function algorithm() { return typeof Object.getPrototypeOf(async function () {}).constructor; }",
    ],
    [
      "patched-random",
      `export async function algorithm(xs: number[]) {
        await 0;
        const r = Math.random;
        Math.random = () => 0;
        await 0;
        const out = xs.length + Math.random();
        Math.random = r;
        return out;
      }`,
    ],
    [
      "patched-json",
      "JSON.stringify = () => '1';\nexport function algorithm(xs: number[]) { return xs.length; }",
    ],
    [
      "patched-json",
      `export async function algorithm(xs: number[]) {
        const p = JSON.parse;
        await null;
        (JSON as any).parse = () => 1;
        await null;
        JSON.parse = p;
        return xs.length;
      }`,
    ],
  ];
  for (const [signal, source] of hostile) {
    await t.step(`${signal}: ${source.replace(/\s+/g, " ").slice(0, 70)}`, async () => {
      const found = await watchedSignals(source);
      assert.ok(found.includes(signal), `expected ${signal}, got ${found.join(", ") || "nothing"}`);
    });
  }
  const honest = [
    "export async function algorithm(xs: number[]) { await 0; return xs.map(() => Math.random() < 2 ? 1 : 0); }",
    "export function algorithm(xs: number[]) { function* g() { yield* xs; } return [...g()]; }",
    "export async function algorithm(xs: number[]) { return JSON.parse(JSON.stringify(xs)); }",
    "export function algorithm(xs: number[]) { const f = async () => xs.length; return typeof f; }",
  ];
  for (const source of honest) {
    await t.step(`honest: ${source.slice(0, 70)}`, async () => {
      assert.deepEqual(await watchedSignals(source), []);
    });
  }
});

Deno.test("the guest watch: a built-in redefined and restored within one synchronous call", async (t) => {
  // Each replaces a watched built-in by redefining it (not assigning it) and puts it back
  // before the call returns, with no host call in between: only a watch on the redefinition
  // itself can see it.
  const hostile: [signal: string, source: string][] = [
    [
      "patched-random",
      `export function algorithm(xs: number[]) {
        const r = Math.random;
        Object.defineProperty(Math, "random", { value: () => 0, writable: true, configurable: true });
        const out = xs.length + Math.random();
        Object.defineProperty(Math, "random", { value: r, writable: true, configurable: true });
        return out;
      }`,
    ],
    [
      "patched-random",
      `export function algorithm(xs: number[]) {
        const saved = Object.getOwnPropertyDescriptor(Math, "random")!;
        Object.defineProperty(Math, "random", { get: () => () => 0, configurable: true });
        const out = xs.length + Math.random();
        Object.defineProperty(Math, "random", saved);
        return out;
      }`,
    ],
    [
      "patched-random",
      `export function algorithm(xs: number[]) {
        const key = { toString: () => "random" } as any;
        const r = Math.random;
        (Math as any).__defineGetter__(key, () => () => 0);
        const out = xs.length + Math.random();
        Object.defineProperty(Math, "random", { value: r, writable: true, configurable: true });
        return out;
      }`,
    ],
    [
      "patched-date",
      `export function algorithm(xs: number[]) {
        const now = Date.now;
        Reflect.defineProperty(Date, "now", { value: () => 0, writable: true, configurable: true });
        const out = xs.length + Date.now();
        Reflect.defineProperty(Date, "now", { value: now, writable: true, configurable: true });
        return out;
      }`,
    ],
    [
      "patched-date",
      `export function algorithm(xs: number[]) {
        const D = Date;
        const Fake = function () { return new D(0); } as any;
        Object.defineProperty(globalThis, "Date", { value: Fake, writable: true, configurable: true });
        const out = xs.length + new (globalThis as any).Date().getTime();
        Object.defineProperty(globalThis, "Date", { value: D, writable: true, configurable: true });
        return out;
      }`,
    ],
    [
      "patched-date",
      `export function algorithm(xs: number[]) {
        const saved = Object.getOwnPropertyDescriptor(Date.prototype, "getTime")!;
        Object.defineProperty(Date.prototype, "getTime", { get: () => () => 0, configurable: true });
        const out = xs.length + new Date().getTime();
        Object.defineProperty(Date.prototype, "getTime", saved);
        return out;
      }`,
    ],
    [
      "patched-json",
      `export function algorithm(xs: number[]) {
        const s = JSON.stringify;
        Object.defineProperties(JSON, { stringify: { value: () => "[]", writable: true, configurable: true } });
        const out = JSON.stringify(xs).length;
        Object.defineProperties(JSON, { stringify: { value: s, writable: true, configurable: true } });
        return out;
      }`,
    ],
    [
      "patched-json",
      `export function algorithm(xs: number[]) {
        const p = JSON.parse;
        Object.assign(JSON, { parse: () => 1 });
        const out = JSON.parse("[]") + xs.length;
        Object.assign(JSON, { parse: p });
        return out;
      }`,
    ],
  ];
  for (const [signal, source] of hostile) {
    await t.step(`${signal}: ${source.replace(/\s+/g, " ").slice(30, 130)}`, async () => {
      const found = await watchedSignals(source);
      assert.ok(found.includes(signal), `expected ${signal}, got ${found.join(", ") || "nothing"}`);
    });
  }
  // Innocent look-alikes: properties defined on the program's own objects, new properties on
  // the built-ins, and a watched built-in redefined as itself.
  const honest = [
    `export function algorithm(xs: number[]) {
      const o: any = {};
      Object.defineProperty(o, "random", { value: () => 0, enumerable: true });
      Reflect.defineProperty(o, "now", { get: () => 1 });
      Object.defineProperties(o, { stringify: { value: 2 }, parse: { value: 3 } });
      return xs.length + o.random() + o.now + o.stringify + o.parse;
    }`,
    `export function algorithm(xs: number[]) {
      class Point { constructor(public x: number) {} }
      Object.defineProperty(Point.prototype, "double", { get() { return (this as any).x * 2; } });
      return xs.map((x) => (new Point(x) as any).double);
    }`,
    `export function algorithm(xs: number[]) {
      Object.defineProperty(Math, "tau", { value: 2 * Math.PI, configurable: true });
      Object.defineProperty(globalThis, "cache", { value: new Map(), configurable: true });
      return Math.round((Math as any).tau) + xs.length;
    }`,
    `export function algorithm(xs: number[]) {
      Object.defineProperty(Math, "random", { value: Math.random, writable: true, configurable: true });
      const copy = Object.assign({}, JSON, { extra: 1 });
      return xs.length + copy.extra + (Math.random() < 2 ? 1 : 0);
    }`,
  ];
  for (const source of honest) {
    await t.step(`honest: ${source.replace(/\s+/g, " ").slice(30, 130)}`, async () => {
      assert.deepEqual(await watchedSignals(source), []);
    });
  }
});
