/**
 * A watch over what a guest program does to its own environment, for trusted preludes:
 * replacing `Math.random` or `Date`, hunting for hidden test data or an evaluator, publishing
 * a score through a global, and reaching for the `Function` constructor. Each is reported
 * once per sandbox instance through a `note(signal, detail)` callback that the prelude
 * turns into a host call, and recorded in the host by {@linkcode watchHostFunction}.
 *
 * The watch never changes what the program computes: the traps are accessors that store
 * and return what the program writes, `Object.defineProperty` and its kin are wrapped to note
 * a redefinition of a watched built-in as it happens, and patched built-ins are also noticed
 * by comparing them with the originals at each host call and at return, never prevented.
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
 * JavaScript (ES2020) source of a function `(note) => ({ check, settle })`, to be called by
 * a trusted prelude before the program runs. It installs the traps at once; `check()`
 * compares the built-ins (`Math.random`, `Date`, `JSON`) with the originals and notes
 * replacements (call it at every host call and at return); `settle(result)` checks again
 * when a returned promise settles. `note(signal, detail)` must never throw.
 */
export const GUEST_WATCH_JS: string = String.raw`function (note) {
  "use strict";
  var g = globalThis, define = Object.defineProperty, hasOwn = Object.prototype.hasOwnProperty;
  var math0 = g.Math, random0 = g.Math.random, date0 = g.Date, now0 = g.Date.now;
  var getTime0 = g.Date.prototype.getTime, Function0 = Function;
  var json0 = g.JSON, stringify0 = g.JSON.stringify, parse0 = g.JSON.parse;
  var resolve0 = Promise.resolve, then0 = Promise.prototype.then, apply0 = Reflect.apply;
  var getProto = Object.getPrototypeOf;
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
  // The constructors that evaluate code: Function, and those reached from async and
  // generator functions (not globals, so only through a function's constructor).
  var evaluators = [
    ["Function", Function0.prototype],
    ["AsyncFunction", getProto(async function () {})],
    ["GeneratorFunction", getProto(function* () {})],
    ["AsyncGeneratorFunction", getProto(async function* () {})],
  ];
  evaluators.forEach(function (pair) {
    var label = pair[0], owner = pair[1];
    var original = Object.getOwnPropertyDescriptor(owner, "constructor");
    if (!original || !original.configurable) return;
    var ctor = original.value;
    define(owner, "constructor", {
      get: function () {
        once("capability-probe", label, "read a function's constructor (the " + label + " constructor evaluates code)");
        return ctor;
      },
      set: function (v) { ctor = v; },
      configurable: true,
      enumerable: false,
    });
  });
  // Writes to the watched built-ins are noted when they happen, so a patch undone before
  // the next check is still seen (redefinitions too: see the wrappers below).
  function watchSlot(owner, name, signal, label) {
    var d = Object.getOwnPropertyDescriptor(owner, name);
    if (!d || !d.configurable || !("value" in d)) return;
    var value = d.value;
    define(owner, name, {
      get: function () { return value; },
      set: function (v) {
        // Keyed like check()'s notes: one note per signal, whichever sees it first.
        if (v !== value) once(signal, signal === "patched-random" ? "random" : signal === "patched-date" ? "date" : "json", label + " was replaced");
        value = v;
      },
      configurable: true,
      enumerable: d.enumerable,
    });
  }
  watchSlot(g, "Math", "patched-random", "Math");
  watchSlot(math0, "random", "patched-random", "Math.random");
  watchSlot(g, "Date", "patched-date", "Date");
  watchSlot(date0, "now", "patched-date", "Date.now");
  watchSlot(date0.prototype, "getTime", "patched-date", "Date.prototype.getTime");
  watchSlot(g, "JSON", "patched-json", "JSON");
  watchSlot(json0, "stringify", "patched-json", "JSON.stringify");
  watchSlot(json0, "parse", "patched-json", "JSON.parse");
  // Redefinitions of the watched slots (Object.defineProperty, Reflect.defineProperty,
  // Object.defineProperties, __defineGetter__/__defineSetter__) are noted as they happen too:
  // a replacement defined and restored within one synchronous stretch never reaches check().
  // Other targets go straight to the originals; a watched target's descriptor is read once,
  // into a plain copy that is both checked and handed on, so it cannot answer twice.
  var slots = [
    [g, "Math", "patched-random", "random"], [math0, "random", "patched-random", "random"],
    [g, "Date", "patched-date", "date"], [date0, "now", "patched-date", "date"],
    [date0.prototype, "getTime", "patched-date", "date"],
    [g, "JSON", "patched-json", "json"], [json0, "stringify", "patched-json", "json"],
    [json0, "parse", "patched-json", "json"],
  ];
  var owners = [g, math0, date0, date0.prototype, json0];
  var ownKeys0 = Reflect.ownKeys;
  var descriptorOf0 = Object.getOwnPropertyDescriptor, create0 = Object.create, String0 = String;
  function watchedOwner(o) {
    for (var k = 0; k < owners.length; k++) if (owners[k] === o) return true;
    return false;
  }
  function keyOf(key) {
    return typeof key === "symbol" ? key : String0(key);
  }
  function copyDescriptor(d) {
    if (d === null || (typeof d !== "object" && typeof d !== "function")) return d;
    var c = create0(null), fields = ["enumerable", "configurable", "value", "writable", "get", "set"];
    for (var f = 0; f < fields.length; f++) if (fields[f] in d) c[fields[f]] = d[fields[f]];
    return c;
  }
  function noteRedefinition(o, key, d) {
    if (d === null || typeof d !== "object") return;
    for (var k = 0; k < slots.length; k++) {
      var s = slots[k];
      if (s[0] !== o || s[1] !== key) continue;
      var current;
      try { current = o[key]; } catch (e) {}
      if ("get" in d || "set" in d || ("value" in d && d.value !== current)) {
        once(s[2], s[3], (o === g ? "" : s[3] === "random" ? "Math." : s[3] === "json" ? "JSON." : "Date.") + key + " was redefined");
      }
    }
  }
  function wrap(owner, name, make) {
    var d = descriptorOf0(owner, name);
    if (!d || !d.configurable || typeof d.value !== "function") return;
    define(owner, name, { value: make(d.value), writable: true, configurable: true, enumerable: false });
  }
  function watchedDefine(real) {
    return function defineProperty(o, key, d) {
      if (!watchedOwner(o)) return apply0(real, this, arguments);
      var k = keyOf(key), c = copyDescriptor(d);
      noteRedefinition(o, k, c);
      return apply0(real, this, [o, k, c]);
    };
  }
  wrap(Object, "defineProperty", watchedDefine);
  wrap(Reflect, "defineProperty", watchedDefine);
  wrap(Object, "defineProperties", function (real) {
    return function defineProperties(o, props) {
      if (!watchedOwner(o) || props === null || props === undefined) return apply0(real, this, arguments);
      var map = create0(null), keys = ownKeys0(Object(props));
      for (var k = 0; k < keys.length; k++) {
        var own = descriptorOf0(props, keys[k]);
        if (!own || !own.enumerable) continue;
        map[keys[k]] = copyDescriptor(props[keys[k]]);
        noteRedefinition(o, keys[k], map[keys[k]]);
      }
      return apply0(real, this, [o, map]);
    };
  });
  ["__defineGetter__", "__defineSetter__"].forEach(function (name) {
    wrap(Object.prototype, name, function (real) {
      return function (key, fn) {
        if (watchedOwner(this)) {
          var k = keyOf(key);
          noteRedefinition(this, k, name === "__defineGetter__" ? { get: fn } : { set: fn });
          return apply0(real, this, [k, fn]);
        }
        return apply0(real, this, arguments);
      };
    });
  });
  function check() {
    try {
      if (g.Math !== math0 || math0.random !== random0) {
        once("patched-random", "random", "Math.random was replaced");
      }
      if (g.Date !== date0 || date0.now !== now0 || date0.prototype.getTime !== getTime0) {
        once("patched-date", "date", "Date, Date.now or Date.prototype.getTime was replaced");
      }
      if (g.JSON !== json0 || json0.stringify !== stringify0 || json0.parse !== parse0) {
        once("patched-json", "json", "JSON, JSON.stringify or JSON.parse was replaced");
      }
    } catch (e) {
      once("patched-date", "throws", "reading Math, Date or JSON threw");
    }
  }
  return {
    check: check,
    // For a result that may be a promise: check again when it settles (an async export can
    // patch and restore a built-in after it has returned its promise).
    settle: function (value) {
      if (value === null || (typeof value !== "object" && typeof value !== "function")) return;
      try {
        apply0(then0, apply0(resolve0, Promise, [value]), [check, check]);
      } catch (e) {}
    },
  };
}`;

/** Signals a guest watch may report; anything else a guest sends is ignored. */
const WATCH_SIGNALS: ReadonlySet<string> = new Set<AuditSignal>([
  "patched-random",
  "patched-date",
  "patched-json",
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
