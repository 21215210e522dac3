/**
 * Adversarial sandbox suite, capabilities class: everything outside the language is absent
 * or refused, and every reach for it is in the audit log, which the program can neither
 * hide nor forge by patching prototypes or `toJSON`.
 */
import assert from "node:assert/strict";
import {
  assertAudited,
  assertFailure,
  assertValue,
  type HostileCase,
  LONG_TIMEOUT_MS,
  type Outcome,
  runCases,
} from "./sandbox_harness.ts";

const LIMITS = { limits: { timeoutMs: LONG_TIMEOUT_MS } };

const PROBED = [
  "Deno",
  "process",
  "require",
  "fetch",
  "WebAssembly",
  "SharedArrayBuffer",
  "Atomics",
  "std",
  "os",
  "scriptArgs",
  "Worker",
  "XMLHttpRequest",
  "WebSocket",
  "importScripts",
  "module",
  "exports",
  "__dirname",
  "navigator",
  "Bun",
];

/** The load failed because a module was refused, and the refusal was recorded. */
function moduleRefused(specifier: string): (o: Outcome) => void {
  return (o) => {
    assertFailure(o.result, "runtime_error");
    assert.ok(!o.result.ok && o.result.failure.message.includes("not available in the sandbox"));
    assertAudited(o.audit, "module_refused", specifier);
    assert.equal(o.instancesStarted, 1);
  };
}

const cases: HostileCase[] = [
  {
    name: "reading every host global (all undefined, each recorded)",
    source: `export function main(): string[] {
      const g = globalThis as Record<string, unknown>;
      return ${JSON.stringify(PROBED)}.map((name) => typeof g[name]);
    }`,
    options: LIMITS,
    check(o) {
      assertValue(o.result, PROBED.map(() => "undefined"));
      for (const name of PROBED) assertAudited(o.audit, "capability_attempt", `read ${name}`);
    },
  },
  {
    name: "planting a fake Deno global (ignored, refused, recorded)",
    source: `export function main(): unknown {
      const g = globalThis as Record<string, unknown>;
      g.Deno = { readTextFileSync: () => "secret" };
      let redefined = "no";
      try { Object.defineProperty(g, "process", { value: 1 }); redefined = "yes"; } catch { /* refused */ }
      const d = Object.getOwnPropertyDescriptor(g, "Deno");
      return [typeof g.Deno, redefined, d?.configurable ?? null];
    }`,
    options: LIMITS,
    check(o) {
      // The probed names are not properties of the global at all (a trap behind it records
      // every probe), so there is no descriptor; defining one is refused.
      assertValue(o.result, ["undefined", "no", null]);
      assertAudited(o.audit, "capability_attempt", "write Deno");
      assertAudited(o.audit, "capability_attempt", "probe process with Object.defineProperty");
      assertAudited(
        o.audit,
        "capability_attempt",
        "probe Deno with Object.getOwnPropertyDescriptor",
      );
    },
  },
  {
    name: "globalThis.constructor.constructor('return this')()",
    source: `export function main(): unknown {
      const g = (globalThis as any).constructor.constructor("return this")();
      return [g === globalThis, typeof g.Deno, typeof g.process];
    }`,
    options: LIMITS,
    check(o) {
      assertValue(o.result, [true, "undefined", "undefined"]);
      assertAudited(o.audit, "capability_attempt", "read Deno");
      assertAudited(o.audit, "capability_attempt", "read process");
    },
  },
  {
    name: "eval, Function and the async and generator constructors (allowed, contained)",
    source: `export async function main(): Promise<unknown> {
      const AsyncFunction = (async () => {}).constructor as FunctionConstructor;
      const GeneratorFunction = (function* () {}).constructor as FunctionConstructor;
      return [
        eval("1 + 1"),
        (0, eval)("typeof Deno"),
        new Function("return typeof require")(),
        await AsyncFunction("return typeof fetch")(),
        (GeneratorFunction("yield typeof process")() as Generator).next().value,
      ];
    }`,
    options: LIMITS,
    check(o) {
      assertValue(o.result, [2, "undefined", "undefined", "undefined", "undefined"]);
      assertAudited(o.audit, "capability_attempt", "read require");
      assertAudited(o.audit, "capability_attempt", "read fetch");
    },
  },
  {
    name: "dynamic import of fs, std, os, node:, npm:, https: and data: specifiers",
    source: `export async function main(): Promise<string[]> {
      const out: string[] = [];
      for (const s of ["fs", "std", "os", "node:fs", "npm:left-pad", "https://example.com/x.js",
        "data:text/javascript,export default 1", "../../deno.json", "/etc/passwd"]) {
        try { await import(s); out.push("imported " + s); } catch (e) { out.push((e as Error).name); }
      }
      return out;
    }`,
    options: LIMITS,
    check(o) {
      assertValue(o.result, new Array(9).fill("ReferenceError"));
      for (const s of ["fs", "std", "os", "node:fs", "npm:left-pad", "https://example.com/x.js"]) {
        assertAudited(o.audit, "module_refused", s);
      }
    },
  },
  {
    name: "a static import of the QuickJS 'os' module",
    source: "import * as os from 'os';\nexport function main(): string { return typeof os; }",
    options: LIMITS,
    check: moduleRefused("os"),
  },
  {
    name: "a static import of 'std'",
    source: "import * as std from 'std';\nexport function main(): string { return typeof std; }",
    options: LIMITS,
    check: moduleRefused("std"),
  },
  {
    name: "a static import of a relative file other than helpers",
    source: "import { x } from '../deno.json';\nexport function main(): unknown { return x; }",
    options: LIMITS,
    check: moduleRefused("../deno.json"),
  },
  {
    name: "the one allowed import, ./helpers.ts",
    source: `import { extractCode } from "./helpers.ts";
      export function main(): unknown { return extractCode("x"); }`,
    options: {
      ...LIMITS,
      helpers: "export function extractCode(s: string): string { return 'code:' + s; }",
    },
    check(o) {
      assertValue(o.result, "code:x");
      assert.equal(o.audit.count(), 0);
    },
  },
  {
    name: "import.meta and the global scope expose nothing of the host",
    source: `export function main(): unknown {
      const names = Object.getOwnPropertyNames(globalThis);
      return [JSON.stringify(import.meta), names.filter((n) => /^(print|__loadScript|setTimeout|setInterval|queueMicrotask|host|__stop_namespace__)$/.test(n))];
    }`,
    options: LIMITS,
    check(o) {
      assertValue(o.result, ["{}", []]);
    },
  },
  {
    name: "calling an export that does not exist or is inherited",
    source: "export function main(): number { return 1; }",
    exportName: "toString",
    options: LIMITS,
    check(o) {
      assertFailure(o.result, "missing_export");
      assert.equal(o.instancesStarted, 1, "a missing export does not cost the instance");
    },
  },
  {
    name: "a flood of capability probes (each distinct one itemised once, all counted)",
    source: `export function main(): number {
      let n = 0;
      for (let i = 0; i < 1000; i++) if ((globalThis as any).Deno === undefined) n++;
      return n;
    }`,
    options: LIMITS,
    check(o) {
      assertValue(o.result, 1000);
      assert.ok(o.result.ok);
      assert.deepEqual(o.result.auditCounts, { capability_attempt: 1000 });
      const reads = o.audit.events.filter((e) => e.detail === "read Deno");
      assert.equal(reads[0]?.count, 1000, "one record that counts all 1000 reads");
    },
  },
  {
    name: "hiding the audit trail with Array.prototype.toJSON",
    source: `export function main(): number {
      (globalThis as any).fetch;
      console.log("still logged");
      (Array.prototype as any).toJSON = () => [];
      (Object.prototype as any).toJSON = function () { return this; };
      return 1;
    }`,
    options: LIMITS,
    check(o) {
      assertValue(o.result, 1);
      assert.deepEqual(o.result.logs, ["still logged"]);
      assertAudited(o.audit, "capability_attempt", "read fetch");
    },
  },
  {
    name: "hiding the audit trail with setters on Array.prototype indices and Object.prototype",
    source: `export function main(): number {
      for (let i = 0; i < 64; i++) {
        Object.defineProperty(Array.prototype, i, { set() {}, get() { return undefined; }, configurable: true });
      }
      for (const key of ["audit", "logs", "meta"]) {
        Object.defineProperty(Object.prototype, key, { set() {}, get() { return []; }, configurable: true });
      }
      (globalThis as any).Deno;
      (globalThis as any).process;
      console.log("seen");
      return 1;
    }`,
    options: LIMITS,
    check(o) {
      assertValue(o.result, 1);
      assert.deepEqual(o.result.logs, ["seen"]);
      assertAudited(o.audit, "capability_attempt", "read Deno");
      assertAudited(o.audit, "capability_attempt", "read process");
    },
  },
  {
    name: "forging audit entries and logs with Object.prototype.toJSON",
    source: `export function main(): number {
      (Object.prototype as any).toJSON = function () {
        return Array.isArray(this.audit)
          ? { logs: ["forged"], audit: [["budget_tampering", "forged"]], auditDropped: 0 }
          : this;
      };
      (globalThis as any).require;
      return 1;
    }`,
    options: LIMITS,
    check(o) {
      assertValue(o.result, 1);
      assert.deepEqual(o.result.logs, []);
      assert.equal(o.audit.count("budget_tampering"), 0);
      assertAudited(o.audit, "capability_attempt", "read require");
    },
  },
];

Deno.test("loadProgram() refuses and records every capability a program reaches for", async (t) => {
  await runCases(t, cases);
});
