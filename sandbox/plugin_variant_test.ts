import { equal, notEqual, ok, rejects } from "node:assert/strict";
import {
  CFLAGS,
  pluginCflags,
  pluginKey,
  pluginPatches,
  pluginPath,
  QUICKJS_PATCHES,
} from "./plugin/build_config.ts";
import { InstancePool } from "./instance_pool.ts";
import { type LoadOptions, loadProgram, UNMETERED_FOR_BENCHMARKS } from "./program.ts";

/** Names of the meter's state in the patched sources: none may survive in the unmetered build. */
const METER_STATE = /\b(js_stop_\w+|lre_stop_\w+|bf_stop_units)\b/;

Deno.test("the metered build's patches, flags and cache key do not depend on the unmetered variant", async () => {
  equal(pluginPatches("metered"), QUICKJS_PATCHES);
  equal(pluginCflags("metered"), CFLAGS);
  ok(!CFLAGS.includes("-DSTOP_NO_METER"));
  const glue = "int x;";
  equal(await pluginKey(glue), await pluginKey(glue, "metered"));
  notEqual(await pluginKey(glue, "unmetered"), await pluginKey(glue));
  notEqual(await pluginKey(glue + " ", "unmetered"), await pluginKey(glue, "unmetered"));
  const metered = await pluginPath();
  const unmetered = await pluginPath("unmetered");
  equal(metered, await pluginPath("metered"));
  ok(/\/stop-sandbox-[0-9a-f]{20}\.wasm$/.test(metered), metered);
  ok(/\/stop-sandbox-unmetered-[0-9a-f]{20}\.wasm$/.test(unmetered), unmetered);
});

Deno.test("the unmetered build keeps every patch but the meter's, and no counting or charging", () => {
  const unmetered = pluginPatches("unmetered");
  ok(pluginCflags("unmetered").includes("-DSTOP_NO_METER"));
  // Every non-meter patch (wasi port, speed) is kept, in order: the comparison is fair.
  const kept = QUICKJS_PATCHES.filter((p) => !p.why.startsWith("meter:"));
  ok(kept.length >= 8);
  for (const p of kept) ok(unmetered.includes(p), p.why);
  // The meter's entry points stay declared (the glue calls them) and are defined as stubs.
  ok(unmetered.some((p) => p.file === "quickjs.h" && p.replace.includes("JS_GetInstructionCount")));
  const stubs = unmetered.filter((p) => p.why.startsWith("unmetered:"));
  equal(stubs.length, 1);
  ok(stubs[0]!.replace.includes("#ifndef STOP_NO_METER\n#error"));
  for (
    const name of [
      "JS_GetInstructionCount",
      "JS_GetCallCount",
      "JS_GetNativeCount",
      "JS_ChargeNativeWork",
      "JS_SetMeterDeadline",
      "JS_MeterPastDeadline",
    ]
  ) {
    ok(stubs[0]!.replace.includes(`${name}(`), name);
  }
  // No patch of the unmetered build touches the meter's state; a meter patch whose `why` lost
  // its "meter:" prefix would leave part of the meter in (or fail to compile) and fails here.
  for (const p of unmetered) {
    if (p.file === "quickjs.h") continue;
    ok(!METER_STATE.test(p.replace), `${p.why}: ${p.replace.match(METER_STATE)?.[0]}`);
  }
  // ...and every metered patch that does is dropped.
  for (const p of QUICKJS_PATCHES) {
    if (METER_STATE.test(p.replace)) ok(!unmetered.includes(p), p.why);
  }
});

Deno.test("loadProgram() refuses the unmetered option with a pool", async () => {
  await using pool = new InstancePool({ size: 0 });
  await rejects(
    loadProgram("export const f = () => 1;", { pool, [UNMETERED_FOR_BENCHMARKS]: true }),
    (error: Error) => error instanceof RangeError && /unmetered.*pool/.test(error.message),
  );
});

Deno.test("no string-keyed or JSON option selects the unmetered plugin", async () => {
  const lookAlikes = JSON.parse(
    '{"unmetered": true, "UNMETERED_FOR_BENCHMARKS": true, "stop.unmeteredForBenchmarks": true, "variant": "unmetered"}',
  ) as LoadOptions;
  equal(Object.getOwnPropertySymbols(lookAlikes).length, 0);
  await using program = await loadProgram(
    "export function f() { let s = 0; for (let i = 0; i < 10000; i++) s += i; return s; }",
    lookAlikes,
  );
  const result = await program.call("f", []);
  ok(result.ok && result.value === 49995000);
  // Metered: the work was counted and the virtual clock moved.
  ok(result.guestMs > 0, `guestMs ${result.guestMs}`);
  ok((result.work?.instructions ?? 0) > 10000, JSON.stringify(result.work));
});
