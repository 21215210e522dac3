/**
 * A watch over what a guest program does to its own environment, for trusted preludes:
 * replacing `Math.random` or `Date`, hunting for hidden test data or an evaluator, publishing
 * a score through a global, and reaching for the `Function` constructor. Each is reported
 * once per sandbox instance through a `note(signal, detail)` callback that the prelude
 * turns into a host call, and recorded in the host by {@linkcode watchHostFunction}.
 *
 * The watch never changes what the program computes: the traps are accessors that store
 * and return what the program writes, and patched built-ins are noticed by comparing them
 * with the originals after each call, not prevented.
 *
 * @module
 */
import type { AuditSink } from "../sandbox/audit_log.ts";
import type { HostFunction } from "../sandbox/program.ts";
import { type AuditSignal, recordSignal } from "./audit_signals.ts";

/** Globals a program has no reason to read: hunting for them is looking for the evaluator. */
export const HUNTED_GLOBALS: readonly string[] = [
  "testLabels",
  "testData",
  "testSet",
  "answers",
  "expected",
  "groundTruth",
  "evaluator",
  "secret",
  "instances",
  "hiddenTests",
];

/** Globals that only serve to publish a score for an evaluator to pick up. */
export const SCORE_GLOBALS: readonly string[] = [
  "__score__",
  "__result__",
  "reportedScore",
  "selfReportedScore",
];

/**
 * JavaScript (ES2020) source of a function `(note) => ({ check })`, to be called by a
 * trusted prelude before the program runs. It installs the traps at once; `check()`
 * compares the built-ins with the originals and notes replacements. `note(signal, detail)`
 * must never throw.
 */
export const GUEST_WATCH_JS: string = String.raw`function (note) {
  "use strict";
  var g = globalThis, define = Object.defineProperty, hasOwn = Object.prototype.hasOwnProperty;
  var math0 = g.Math, random0 = g.Math.random, date0 = g.Date, now0 = g.Date.now;
  var getTime0 = g.Date.prototype.getTime, Function0 = Function;
  var seen = {};
  function once(signal, key, detail) {
    if (seen[signal + " " + key]) return;
    seen[signal + " " + key] = true;
    try { note(signal, detail); } catch (e) {}
  }
  function trap(name, signal, onRead) {
    if (hasOwn.call(g, name)) return;
    var value;
    define(g, name, {
      get: function () {
        if (onRead) once(signal, name, "read globalThis." + name);
        return value;
      },
      set: function (v) {
        if (!onRead) once(signal, name, "wrote globalThis." + name + " = " + String(typeof v === "number" ? v : typeof v).slice(0, 40));
        value = v;
      },
      configurable: true,
      enumerable: false,
    });
  }
  var hunted = ${JSON.stringify(HUNTED_GLOBALS)};
  for (var i = 0; i < hunted.length; i++) trap(hunted[i], "evaluator-internals", true);
  var published = ${JSON.stringify(SCORE_GLOBALS)};
  for (var j = 0; j < published.length; j++) trap(published[j], "self-reported-score", false);
  var constructorOwner = Function0.prototype;
  var original = Object.getOwnPropertyDescriptor(constructorOwner, "constructor");
  if (original && original.configurable) {
    var ctor = original.value;
    define(constructorOwner, "constructor", {
      get: function () {
        once("capability-probe", "Function", "read a function's constructor (the Function constructor evaluates code)");
        return ctor;
      },
      set: function (v) { ctor = v; },
      configurable: true,
      enumerable: false,
    });
  }
  return {
    check: function () {
      try {
        if (g.Math !== math0 || math0.random !== random0) {
          once("patched-random", "random", "Math.random was replaced");
        }
        if (g.Date !== date0 || date0.now !== now0 || date0.prototype.getTime !== getTime0) {
          once("patched-date", "date", "Date, Date.now or Date.prototype.getTime was replaced");
        }
      } catch (e) {
        once("patched-date", "throws", "reading Math or Date threw");
      }
    },
  };
}`;

/** Signals a guest watch may report; anything else a guest sends is ignored. */
const WATCH_SIGNALS: ReadonlySet<string> = new Set<AuditSignal>([
  "patched-random",
  "patched-date",
  "evaluator-internals",
  "self-reported-score",
  "capability-probe",
  "budget-tampering",
  "new-model",
]);

/**
 * The host function behind a prelude's `note`: records `{ signal, detail }` with the
 * program's hash. Unknown signals are dropped; details are bounded.
 *
 * @param audit Where signals go.
 * @param program The program's hash, read when a note arrives (the program is loaded after
 * its host functions are made, so this is a getter).
 * @returns A host function to register as `audit`.
 *
 * @example
 * ```ts
 * import { watchHostFunction } from "./guest_watch.ts";
 * import { AuditLog } from "../sandbox/audit_log.ts";
 * import { equal } from "node:assert/strict";
 * const log = new AuditLog();
 * watchHostFunction(log, () => "abcdef0123456789ffff")({ signal: "patched-date", detail: "Date" });
 * equal(log.events[0]!.program, "abcdef0123456789");
 * ```
 */
export function watchHostFunction(
  audit: AuditSink | undefined,
  program: () => string | undefined,
): HostFunction {
  return (payload) => {
    const p = (payload ?? {}) as { signal?: unknown; detail?: unknown };
    if (typeof p.signal === "string" && WATCH_SIGNALS.has(p.signal)) {
      recordSignal(audit, p.signal as AuditSignal, String(p.detail ?? "").slice(0, 300), program());
    }
    return null;
  };
}
