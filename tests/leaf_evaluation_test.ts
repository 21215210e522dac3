/**
 * Leaf evaluations through the seam a job queue uses: a job that crosses as JSON, is checked,
 * run by `runLeafJob` and answered as JSON gives exactly the local result and the same audit
 * events; a whole small self-improvement run through it gives exactly the local run's numbers
 * and audit log; a worker with another plugin refuses; the queue's failures are the host's.
 */
import { deepEqual, equal, match, notEqual, ok, rejects } from "node:assert/strict";
import { pluginBuildHash } from "../sandbox/plugin_build_hash.ts";
import { evaluatorBuildHash } from "../utilities/evaluator_build_hash.ts";
import { CACHE_DIR, pluginPath, PROJECT_ROOT } from "../sandbox/plugin/build_config.ts";
import { AuditLog } from "../sandbox/audit_log.ts";
import {
  localEvaluationService,
  queuedEvaluationService,
} from "../utilities/evaluation_service.ts";
import { HostFailureError } from "../utilities/host_failure.ts";
import { LeafJobRefusedError, runLeafJob } from "../utilities/leaf_evaluation.ts";
import { type LeafJob, leafJobKey } from "../utilities/leaf_job.ts";
import { getTask } from "../utilities/tasks.ts";
import { Utility } from "../utilities/utility.ts";
import { executeSelfImprove } from "../cli/_execute_self_improve.ts";
import type { SelfImproveConfig } from "../experiments/self_improve_run.ts";
import { compareSummaries } from "../experiments/compare_summaries.ts";
import { runTransfer } from "../experiments/transfer.ts";
import type { EvaluationService } from "../utilities/evaluation_service.ts";
import { roundTripEvaluations } from "./fakes/round_trip_evaluations.ts";
import { defaultModelFlags, newRunDir, SMALL } from "./small_self_improve_run.ts";

const PROGRAMS: Record<string, string> = {
  seed: await getTask("lpn").seedSolution(),
  "patches Math.random and Date":
    `export function algorithm(a: number[][], b: number[], c: number[][]) {
  Math.random = () => 0.5;
  (Date as any).now = () => 0;
  return c.map(() => 0);
}`,
  "spins past its deadline": `export function algorithm() { for (;;) {} }`,
  "does not compile": `export function algorithm( {`,
  "reaches for Deno": `export function algorithm(a: number[][], b: number[], c: number[][]) {
  try { (globalThis as any).Deno.readTextFileSync("/etc/passwd"); } catch {}
  return c.map(() => Math.random() < 0.5 ? 0 : 1);
}`,
};

async function job(source: string, change: Partial<LeafJob> = {}): Promise<LeafJob> {
  return {
    version: 1,
    task: "lpn",
    split: "val",
    timeScale: 1,
    instances: 3,
    source,
    guestSeed: 0,
    watch: true,
    pluginHash: await pluginBuildHash(),
    hostHash: await evaluatorBuildHash(),
    ...change,
  };
}

Deno.test("a leaf job that crosses as JSON gives exactly the local result and audit events", async () => {
  const trip = roundTripEvaluations();
  let events = 0;
  for (const [name, source] of Object.entries(PROGRAMS)) {
    for (const change of [{}, { watch: false, guestSeed: 7, split: "test" as const }]) {
      const j = await job(source, change);
      const local = await localEvaluationService().run(j);
      const remote = await trip.service.run(JSON.parse(JSON.stringify(j)));
      deepEqual(remote, local, `${name} ${JSON.stringify(change)}`);
      events += local.audit.length;
      if (name === "patches Math.random and Date" && j.watch) {
        ok(
          local.audit.some((e) => e.signal === "patched-random"),
          `the watch's signal is captured: ${JSON.stringify(local.audit)}`,
        );
      }
      if (name === "spins past its deadline") {
        ok(local.audit.some((e) => e.kind === "timeout"), "the timeout is captured");
        match(local.evaluation?.instances[0]?.error ?? "", /timeout/);
      }
    }
  }
  ok(events > 0, "some programs caused audit events");
  equal(trip.ran, 2 * Object.keys(PROGRAMS).length, "every job ran once on the worker side");
});

Deno.test("replayed audit events reach the sink in the order they were recorded", async () => {
  const source = PROGRAMS["patches Math.random and Date"]!;
  const direct = await runLeafJob(await job(source));
  ok(direct.audit.length >= 2, `several events: ${JSON.stringify(direct.audit)}`);
  const sink = new AuditLog({ run: "r" });
  const utility = new Utility(getTask("lpn"), {
    budget: 1,
    audit: sink,
    evaluations: roundTripEvaluations().service,
  });
  await utility.score(source);
  // The utility scores all of the split; compare the prefix the 3-instance job has in common.
  const recorded = sink.events.map(({ kind, detail, program, signal }) => ({
    kind,
    detail,
    ...(program === undefined ? {} : { program }),
    ...(signal === undefined ? {} : { signal }),
  }));
  deepEqual(recorded.slice(0, direct.audit.length), direct.audit);
});

Deno.test("the plugin build hash is the key of the plugin file this process loads", async () => {
  const hash = await pluginBuildHash();
  match(hash, /^[0-9a-f]{20}$/);
  equal(
    await pluginPath(),
    new URL(`${CACHE_DIR}/stop-sandbox-${hash}.wasm`, PROJECT_ROOT).pathname,
  );
});

Deno.test("a worker refuses a job built for another version of the host code, naming both", async () => {
  const own = await evaluatorBuildHash();
  for (const foreign of ["e".repeat(24), own.slice(0, 23) + (own.endsWith("0") ? "1" : "0")]) {
    const j = await job(PROGRAMS.seed!, { hostHash: foreign });
    await rejects(runLeafJob(j), (error: Error) => {
      ok(error instanceof LeafJobRefusedError);
      ok(error.message.includes(foreign) && error.message.includes(own), error.message);
      return true;
    });
  }
  // Its own build runs.
  const mine = await runLeafJob(await job(PROGRAMS.seed!));
  ok(mine.evaluation !== null);
});

Deno.test("the host-code hash follows the code that scores: another task evaluator is another build", async () => {
  const dir = await Deno.makeTempDir({ prefix: "stop-build-hash-" });
  try {
    // A copy of the project's scoring folders with one evaluator line changed hashes apart.
    const root = new URL("../", import.meta.url).pathname;
    const copy = async (from: string, to: string) => {
      await Deno.mkdir(to, { recursive: true });
      for await (const entry of Deno.readDir(from)) {
        if (entry.isDirectory) await copy(`${from}/${entry.name}`, `${to}/${entry.name}`);
        else if (entry.isFile) await Deno.copyFile(`${from}/${entry.name}`, `${to}/${entry.name}`);
      }
    };
    for (const folder of ["sandbox", "utilities", "common"]) {
      await copy(`${root}${folder}`, `${dir}/${folder}`);
    }
    await Deno.copyFile(`${root}deno.json`, `${dir}/deno.json`);
    await Deno.mkdir(`${dir}/.cache`, { recursive: true });
    const hashIn = async () => {
      const { evaluatorBuildHash: inCopy } = await import(
        `${dir}/utilities/evaluator_build_hash.ts?${crypto.randomUUID()}`
      );
      return await inCopy() as string;
    };
    equal(await hashIn(), await evaluatorBuildHash(), "the same code hashes the same");
    const lpn = `${dir}/utilities/lpn.ts`;
    await Deno.writeTextFile(lpn, (await Deno.readTextFile(lpn)) + "\n// one changed line\n");
    notEqual(await hashIn(), await evaluatorBuildHash(), "a changed evaluator is another build");
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("a worker refuses a job built for another sandbox plugin, naming both", async () => {
  const own = await pluginBuildHash();
  const foreign = "f".repeat(20);
  notEqual(foreign, own);
  const j = await job(PROGRAMS.seed!, { pluginHash: foreign });
  await rejects(runLeafJob(j), (error: Error) => {
    ok(error instanceof LeafJobRefusedError);
    ok(error.message.includes(foreign) && error.message.includes(own), error.message);
    return true;
  });
  // Through the queue's coordinator side, a refused job is the host's failure, not a score.
  const trip = roundTripEvaluations({ workerPluginHash: foreign });
  const utility = new Utility(getTask("lpn"), { budget: 1, evaluations: trip.service });
  await rejects(utility.score(PROGRAMS.seed), HostFailureError);
  equal(trip.ran, 1);
});

Deno.test("a queue that gives up on a job, or answers with garbage, stops the run as the host's failure", async () => {
  const secret = "hunter2-password";
  const j = await job(PROGRAMS.seed!);
  const failing = queuedEvaluationService(
    () => Promise.reject(new Error(`connection to postgres://stop:${secret}@db/jobs refused`)),
    { scrub: (text) => text.split(secret).join("***") },
  );
  await rejects(failing.run(j), (error: Error) => {
    ok(error instanceof HostFailureError, String(error));
    equal(error.source, "sandbox");
    ok(!error.message.includes(secret), `no secret in: ${error.message}`);
    match(error.message, new RegExp(leafJobKey(j).slice(0, 12)));
    return true;
  });
  const garbage: unknown[] = [
    null,
    { evaluation: null },
    { evaluation: null, audit: [], extra: 1 },
    { evaluation: { task: "lpn", split: "val", score: NaN, instances: [] }, audit: [] },
    { evaluation: { task: "parity", split: "val", score: 0, instances: [] }, audit: [] },
    { evaluation: null, audit: [{ kind: "made_up", detail: "x" }] },
    { evaluation: null, audit: [{ kind: "timeout", detail: 5 }] },
  ];
  for (const answer of garbage) {
    const service = queuedEvaluationService(() => Promise.resolve(answer));
    await rejects(service.run(j), HostFailureError, JSON.stringify(answer));
  }
  // The innocent answer of the same shapes is accepted.
  const fine = queuedEvaluationService(() =>
    Promise.resolve({
      evaluation: { task: "lpn", split: "val", score: 0.5, instances: [] },
      audit: [{ kind: "timeout", detail: "x", count: 2 }],
    })
  );
  equal((await fine.run(j)).evaluation?.score, 0.5);
  // A utility over a failing queue throws instead of scoring 0.
  const utility = new Utility(getTask("lpn"), { budget: 1, evaluations: failing });
  await rejects(utility.score(PROGRAMS.seed), HostFailureError);
});

Deno.test("the queue's stats count the jobs it holds", async () => {
  const gate = Promise.withResolvers<unknown>();
  let running = 0;
  const service = queuedEvaluationService(() => gate.promise, { running: () => running });
  deepEqual(service.stats?.(), { pending: 0, running: 0 });
  const j = await job(PROGRAMS.seed!);
  const pending = [service.run(j), service.run({ ...j, split: "test" })];
  running = 1;
  deepEqual(service.stats?.(), { pending: 2, running: 1 });
  gate.resolve({
    evaluation: { task: "lpn", split: "val", score: 0.5, instances: [] },
    audit: [],
  });
  await rejects(pending[1]!, HostFailureError, "a val result for a test job is refused");
  await pending[0];
  running = 0;
  deepEqual(service.stats?.(), { pending: 0, running: 0 });
  equal(localEvaluationService().stats, undefined, "local sandboxes report nothing");
});

async function selfImprove(root: string, name: string, evaluations?: EvaluationService) {
  const config: SelfImproveConfig = { ...SMALL };
  const dir = await newRunDir(root, name, config);
  const summary = await executeSelfImprove({
    dir,
    config,
    flags: defaultModelFlags(config.seed),
    log: () => {},
    resuming: false,
    ...(evaluations === undefined ? {} : { evaluations }),
  });
  const audit = (await Deno.readTextFile(`${dir.path}/audit.jsonl`)).split("\n")
    .filter((line) => line !== "")
    .map((line) => {
      const { time: _time, run: _run, ...event } = JSON.parse(line);
      return JSON.stringify(event);
    })
    .sort();
  return { summary, audit };
}

Deno.test("a small self-improvement run through the round trip gives exactly the local numbers and audit log", async () => {
  const root = await Deno.makeTempDir({ prefix: "stop-leaf-" });
  try {
    const local = await selfImprove(root, "local");
    const trip = roundTripEvaluations();
    const queued = await selfImprove(root, "queued", trip.service);
    ok(trip.ran >= 5, `the run's evaluations went through the round trip (${trip.ran})`);
    ok(trip.maxInFlight > 1, "evaluations were in flight together, as workers would run them");
    deepEqual(compareSummaries(local.summary, queued.summary), []);
    deepEqual(queued.summary.iterations, local.summary.iterations);
    deepEqual(
      queued.summary.lineage.map(({ metaUtility, candidateMetaUtility, accepted }) => ({
        metaUtility,
        candidateMetaUtility,
        accepted,
      })),
      local.summary.lineage.map(({ metaUtility, candidateMetaUtility, accepted }) => ({
        metaUtility,
        candidateMetaUtility,
        accepted,
      })),
    );
    ok(local.audit.length > 0, "the run recorded audit events");
    deepEqual(queued.audit, local.audit, "the same audit events, whatever their interleaving");
  } finally {
    await Deno.remove(root, { recursive: true });
  }
});

Deno.test("transfer cells through the round trip give exactly the local rows and audit events", async () => {
  const improved = await Deno.readTextFile(
    new URL("../improvers/programs/seed_improver.ts", import.meta.url),
  );
  const transfer = async (evaluations?: EvaluationService) => {
    const audit = new AuditLog({ run: "transfer" });
    const cells: unknown[] = [];
    const rows = await runTransfer({
      improved: { source: improved },
      runs: 2,
      tasks: ["string-grid"],
      lmBudget: 1,
      responsesPerCall: 2,
      utilityBudget: 2,
      seed: 3,
      audit,
      onCell: ({ task, arm, run, value, failure, testFailure }) =>
        void cells.push({ task, arm, run, value, failure, testFailure }),
      ...(evaluations === undefined ? {} : { evaluations }),
    });
    const byCell = (a: unknown, b: unknown) => JSON.stringify(a) < JSON.stringify(b) ? -1 : 1;
    const events = audit.events.map(({ time: _t, ...e }) => JSON.stringify(e)).sort();
    return { rows, cells: cells.sort(byCell), events };
  };
  const local = await transfer();
  const trip = roundTripEvaluations();
  const queued = await transfer(trip.service);
  ok(trip.ran >= 4, `the cells' evaluations went through the round trip (${trip.ran})`);
  ok(
    new Set(trip.submitted).size === trip.ran,
    "each distinct job ran once, however often it was submitted",
  );
  deepEqual(queued.rows, local.rows);
  deepEqual(queued.cells, local.cells);
  deepEqual(queued.events, local.events);
});
