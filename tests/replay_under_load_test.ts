/**
 * Replay is exact on a loaded machine: a small self-improvement run finished idle, then
 * `stop replay` of it from the cache alone while busy processes load the CPU, gives the same
 * numbers and the same audit events, because every time limit the run's programs meet is
 * virtual.
 */
import { deepEqual, equal } from "node:assert/strict";
import { executeSelfImprove } from "../cli/_execute_self_improve.ts";
import type { SelfImproveSummary } from "../experiments/self_improve_run.ts";
import { compareSummaries } from "../experiments/compare_summaries.ts";
import { replayCommand } from "../cli/replay_command.ts";
import { underLoad } from "./cpu_load.ts";
import { defaultModelFlags, newRunDir, SMALL } from "./small_self_improve_run.ts";

/** A run's audit events without their time and run id, sorted. */
async function auditEvents(runDir: string): Promise<string[]> {
  const text = await Deno.readTextFile(`${runDir}/audit.jsonl`);
  return text.split("\n").filter((line) => line !== "").map((line) => {
    const { time: _time, run: _run, ...event } = JSON.parse(line);
    return JSON.stringify(event);
  }).sort();
}

Deno.test("stop replay of a finished small run is exact while the CPU is loaded", async () => {
  const root = await Deno.makeTempDir({ prefix: "stop-replay-load-" });
  const env = Deno.env.get("STOP_RUNS_DIR");
  try {
    const dir = await newRunDir(root, "idle", SMALL);
    const original: SelfImproveSummary = await executeSelfImprove({
      dir,
      config: SMALL,
      flags: defaultModelFlags(SMALL.seed),
      log: () => {},
      resuming: false,
    });
    const before = new Set(await Array.fromAsync(Deno.readDir(root), (e) => e.name));
    Deno.env.set("STOP_RUNS_DIR", root);
    const code = await underLoad(() => replayCommand([dir.path]));
    equal(code, 0, "the replay reports a match");
    const created = (await Array.fromAsync(Deno.readDir(root), (e) => e.name)).filter((n) =>
      !before.has(n)
    );
    equal(created.length, 1);
    const replayed: SelfImproveSummary = JSON.parse(
      await Deno.readTextFile(`${root}/${created[0]}/summary.json`),
    );
    deepEqual(compareSummaries(original, replayed), []);
    deepEqual(
      replayed.iterations.map((r) => r.metaUtility),
      original.iterations.map((r) => r.metaUtility),
    );
    // The whole run, not only its summary: every audit event (timeouts, reward-hack signals,
    // tampering) again, in any order (concurrent evaluations finish in any order).
    const events = await auditEvents(dir.path);
    deepEqual(await auditEvents(`${root}/${created[0]}`), events);
    equal(events.length > 0, true, "the run recorded audit events to compare");
  } finally {
    if (env === undefined) Deno.env.delete("STOP_RUNS_DIR");
    else Deno.env.set("STOP_RUNS_DIR", env);
    await Deno.remove(root, { recursive: true });
  }
});
