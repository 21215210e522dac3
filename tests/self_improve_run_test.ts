/**
 * A small self-improvement run end to end with the offline stand-in (a test harness, not a
 * language model): every file is written, the summary agrees with the event log and the
 * ledger, prefetching does not change any number, and a replay from the cache alone, with
 * the network refused, reproduces the run exactly.
 */
import { deepEqual, equal, ok } from "node:assert/strict";
import { readLedger } from "../lm/mod.ts";
import { executeSelfImprove } from "../cli/_execute_self_improve.ts";
import type { SelfImproveConfig, SelfImproveSummary } from "../experiments/self_improve_run.ts";
import { compareSummaries } from "../experiments/compare_summaries.ts";
import { replayCommand } from "../cli/replay_command.ts";
import { defaultModelFlags, newRunDir, SMALL } from "./small_self_improve_run.ts";

export { SMALL } from "./small_self_improve_run.ts";

async function run(root: string, name: string, config: SelfImproveConfig) {
  const dir = await newRunDir(root, name, config);
  const lines: string[] = [];
  const summary = await executeSelfImprove({
    dir,
    config,
    flags: defaultModelFlags(config.seed),
    log: (line) => lines.push(line),
    resuming: false,
  });
  return { dir, summary, output: lines.join("\n") };
}

async function jsonLines(path: string): Promise<Record<string, unknown>[]> {
  return (await Deno.readTextFile(path)).split("\n").filter((l) => l !== "").map((l) =>
    JSON.parse(l)
  );
}

Deno.test("a small self-improvement run writes every file, and its summary matches its event log and ledger", async (t) => {
  const root = await Deno.makeTempDir({ prefix: "stop-self-improve-" });
  try {
    const { dir, summary, output } = await run(root, "prefetch", SMALL);
    await t.step("files", async () => {
      for (
        const file of [
          "config.json",
          "events.jsonl",
          "ledger.jsonl",
          "cache.jsonl",
          "summary.json",
          "improvers/run0-t0.ts",
          "improvers/run0-t1.ts",
        ]
      ) {
        ok((await Deno.stat(`${dir.path}/${file}`)).isFile, file);
      }
      deepEqual(JSON.parse(await Deno.readTextFile(`${dir.path}/summary.json`)), summary);
    });
    await t.step("summary agrees with the event log", async () => {
      const events = await jsonLines(`${dir.path}/events.jsonl`);
      deepEqual(events.map((e) => `${e.type}/${e.t ?? ""}`), [
        "started/",
        "baseline/0",
        "iteration-start/1",
        "iteration-end/1",
        "run-end/1",
        "finished/",
      ]);
      const baseline = events.find((e) => e.type === "baseline")!;
      const end = events.find((e) => e.type === "iteration-end")!;
      deepEqual(summary.iterations[0]!.metaUtility, baseline.metaUtility);
      deepEqual(summary.iterations[1]!.metaUtility, end.metaUtility);
      equal(summary.iterations[1]!.accepted, end.accepted ? 1 : 0);
      equal(summary.lineage[1]!.reason, end.reason);
      const kept = await Deno.readTextFile(`${dir.path}/${summary.lineage[1]!.improver}`);
      ok(kept.includes("improveAlgorithm"), "the kept improver is a program");
      for (const row of summary.iterations) {
        ok(row.metaUtility.val >= 0 && row.metaUtility.val <= 1);
        ok(row.metaUtility.test >= 0 && row.metaUtility.test <= 1);
      }
    });
    await t.step("model requests agree with the ledger", async () => {
      const ledger = await readLedger(`${dir.path}/ledger.jsonl`);
      const completions = ledger.filter((r) => r.kind === "completion" && r.error === null);
      equal(summary.chatRequests, completions.length);
      equal(
        summary.iterations.reduce((n, row) => n + row.chatRequests, 0),
        completions.length,
      );
      ok(ledger.every((r) => r.standIn), "every record is marked as the stand-in");
      ok(summary.standIn);
    });
    await t.step("the output says the numbers come from the stand-in", () => {
      ok(output.includes("not a language model"));
      ok(/^T \| accepted \| meta-utility val \| meta-utility test/m.test(output));
    });

    await t.step("scoring candidates one at a time gives the same numbers", async () => {
      const sequential = await run(root, "sequential", { ...SMALL, prefetch: false });
      deepEqual(compareSummaries(summary, sequential.summary), []);
    });

    await t.step("a replay from the cache alone reproduces the run exactly", async () => {
      const original: SelfImproveSummary = summary;
      const before = new Set(await Array.fromAsync(Deno.readDir(root), (e) => e.name));
      const env = Deno.env.get("STOP_RUNS_DIR");
      Deno.env.set("STOP_RUNS_DIR", root);
      let code: number;
      try {
        code = await replayCommand([dir.path]);
      } finally {
        if (env === undefined) Deno.env.delete("STOP_RUNS_DIR");
        else Deno.env.set("STOP_RUNS_DIR", env);
      }
      equal(code, 0);
      const created = (await Array.fromAsync(Deno.readDir(root), (e) => e.name)).filter((n) =>
        !before.has(n)
      );
      equal(created.length, 1);
      const replayDir = `${root}/${created[0]}`;
      const replayed = JSON.parse(await Deno.readTextFile(`${replayDir}/summary.json`));
      deepEqual(compareSummaries(original, replayed), []);
      const ledger = await readLedger(`${replayDir}/ledger.jsonl`);
      ok(ledger.length > 0);
      ok(ledger.some((r) => r.kind === "cache_hit"));
      ok(
        ledger.every((r) => r.kind === "cache_hit" || r.kind === "refused"),
        "a replay sends no request",
      );
    });
  } finally {
    await Deno.remove(root, { recursive: true });
  }
});

Deno.test("a replay of a run whose cache lost an answer fails instead of calling a model", async () => {
  const root = await Deno.makeTempDir({ prefix: "stop-replay-miss-" });
  try {
    const { dir } = await run(root, "original", { ...SMALL, iterations: 0 });
    const cache = (await Deno.readTextFile(`${dir.path}/cache.jsonl`)).split("\n").filter((l) =>
      l !== ""
    );
    ok(cache.length > 1);
    await Deno.writeTextFile(`${dir.path}/cache.jsonl`, cache.slice(1).join("\n") + "\n");
    const env = Deno.env.get("STOP_RUNS_DIR");
    Deno.env.set("STOP_RUNS_DIR", root);
    try {
      const code = await replayCommand([dir.path]);
      // The lost answer makes an improver run fail (a replay miss is not a network call), so
      // the numbers differ and the replay says so.
      equal(code, 1);
    } finally {
      if (env === undefined) Deno.env.delete("STOP_RUNS_DIR");
      else Deno.env.set("STOP_RUNS_DIR", env);
    }
  } finally {
    await Deno.remove(root, { recursive: true });
  }
});
