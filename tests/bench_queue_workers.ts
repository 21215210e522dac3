// deno-lint-ignore-file no-console -- a benchmark entry point: it prints its table
/**
 * `deno task bench:queue-workers`: real sandboxed evaluations per second through the job queue
 * with 1, 2 and 4 `stop worker` processes, against the same evaluations in local sandboxes, in
 * one run on this machine (issue 15). Each round scores its own set of programs (the LPN seed
 * with a round-and-index comment, so no content key repeats across rounds and nothing is
 * answered from stored results), on a throwaway PostgreSQL (`setup/throwaway_postgres.ts`).
 * The local baseline runs the same number of evaluations with as many at once as the machine
 * has cores, as a run does by default. Every queued result is checked against the local one.
 *
 * @module
 */
import { deepEqual } from "node:assert/strict";
import { startThrowawayPostgres } from "../setup/throwaway_postgres.ts";
import { cliPermissions, permissionFlags } from "../experiments/run_permissions.ts";
import { parseQueueUrl } from "../cli/_queue_flag.ts";
import { createQueueEvaluationService } from "../cli/_queue_engine.ts";
import { localEvaluationService } from "../utilities/evaluation_service.ts";
import type { LeafJob } from "../utilities/leaf_job.ts";
import { leafJobOfThisBuild, type LeafResult } from "../utilities/leaf_evaluation.ts";
import { ConcurrencyLimiter } from "../lm/concurrency_limiter.ts";

const ROOT = new URL("../", import.meta.url).pathname.replace(/\/$/, "");
const JOBS = Number(Deno.args[0] ?? "16");
const WORKER_COUNTS = [1, 2, 4];
const CORES = Math.max(1, navigator.hardwareConcurrency ?? 2);

const seed = await Deno.readTextFile(`${ROOT}/utilities/programs/lpn_seed.ts`);

function jobs(round: string): Promise<LeafJob[]> {
  return Promise.all(Array.from({ length: JOBS }, (_, i) =>
    leafJobOfThisBuild({
      task: "lpn",
      split: "val",
      timeScale: 1,
      source: `${seed}\n// bench round ${round}, program ${i}\n`,
    })));
}

/** Results without what differs by design between rounds (nothing should). */
function numbers(results: LeafResult[]): unknown {
  return results.map((r) => ({ score: r.evaluation?.score, instances: r.evaluation?.instances }));
}

async function timed<T>(work: () => Promise<T>): Promise<{ value: T; seconds: number }> {
  const started = performance.now();
  const value = await work();
  return { value, seconds: (performance.now() - started) / 1000 };
}

interface Worker {
  ready: Promise<void>;
  stop(): Promise<void>;
}

function startWorker(url: string, queueHost: string): Worker {
  const flags = permissionFlags(cliPermissions({
    projectRoot: ROOT,
    runsRoot: `${ROOT}/runs`,
    queueHost,
  }));
  const child = new Deno.Command("deno", {
    args: ["run", "--quiet", ...flags, `${ROOT}/cli/main.ts`, "worker", "--sandboxes", "1"],
    cwd: ROOT,
    env: { STOP_QUEUE_URL: url, NO_COLOR: "1" },
    stdout: "piped",
    stderr: "piped",
  }).spawn();
  let output = "";
  const { promise: ready, resolve, reject } = Promise.withResolvers<void>();
  const decoder = new TextDecoder();
  const read = async (stream: ReadableStream<Uint8Array>) => {
    for await (const chunk of stream) {
      output += decoder.decode(chunk, { stream: true });
      if (output.includes("worker: taking evaluations")) resolve();
    }
  };
  void read(child.stdout);
  void read(child.stderr);
  child.status.then((status) => reject(new Error(`a worker exited ${status.code}:\n${output}`)));
  ready.catch(() => {});
  return {
    ready,
    stop: async () => {
      try {
        child.kill("SIGTERM");
      } catch {
        // already gone
      }
      await child.status;
    },
  };
}

const local = localEvaluationService({ limiter: new ConcurrencyLimiter(CORES) });
const baselineJobs = await jobs("local");
const baseline = await timed(() => Promise.all(baselineJobs.map((job) => local.run(job))));
const reference = numbers(baseline.value);
const rows: { label: string; seconds: number }[] = [
  { label: `local sandboxes (${CORES} at once)`, seconds: baseline.seconds },
];

const db = await startThrowawayPostgres();
try {
  const queue = parseQueueUrl(db.url, "benchmark the queue");
  const service = await createQueueEvaluationService(queue);
  try {
    for (const count of WORKER_COUNTS) {
      const workers = Array.from({ length: count }, () => startWorker(db.url, queue.host));
      try {
        await Promise.all(workers.map((w) => w.ready));
        const round = await jobs(`workers-${count}`);
        const queued = await timed(() => Promise.all(round.map((job) => service.run(job))));
        deepEqual(numbers(queued.value), reference, `${count} worker(s) gave other numbers`);
        rows.push({ label: `queue, ${count} worker process(es)`, seconds: queued.seconds });
      } finally {
        await Promise.all(workers.map((w) => w.stop()));
      }
    }
  } finally {
    await service.close();
  }
} finally {
  await db.stop();
}

console.log(
  `${JOBS} LPN evaluations (val split) per row, ${CORES} cores; every queued result equals the local one`,
);
for (const row of rows) {
  const rate = JOBS / row.seconds;
  console.log(
    `${row.label.padEnd(36)} ${row.seconds.toFixed(1).padStart(6)} s  ${
      rate.toFixed(2).padStart(6)
    } evaluations/s  ${(rate / (JOBS / baseline.seconds)).toFixed(2)}x local`,
  );
}
