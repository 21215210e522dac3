// deno-lint-ignore-file no-console -- an entry point: it prints the benchmark's figures
/**
 * `deno task bench:queue`: the job queue's own overhead through one coordinator. A throwaway
 * PostgreSQL, worker processes with 64 job slots in all whose fake evaluation only waits a
 * fixed time, and one coordinator that submits every job at once and awaits every result.
 * Prints evaluations per second against the ideal (slots / evaluation time) and the overhead
 * per job (what each slot spent beyond the fake evaluation, per job).
 *
 * @module
 */
import { parseArgs } from "node:util";
import { openJobQueue } from "../queue/job_queue_client.ts";
import { startThrowawayPostgres } from "../setup/throwaway_postgres.ts";
import { startWorkerProcess, within } from "./queue_harness.ts";

const HELP = `Usage: deno task bench:queue [--jobs N] [--slots S] [--processes P] [--eval-ms MS]

Measures the job queue's throughput through one coordinator, with a fake evaluation that
only waits: a throwaway PostgreSQL, P worker processes with S slots in all, N jobs; once with
one job per fetch (the default) and once with each worker prefetching its slots' worth.

Options:
  --jobs N        jobs to run (default 3000)
  --slots S       job slots in all, the simulated workers (default 64)
  --processes P   worker processes sharing the slots (default 2)
  --eval-ms MS    the fake evaluation time (default 100)
  --help          show this help`;

const { values } = parseArgs({
  args: Deno.args,
  options: {
    jobs: { type: "string", default: "3000" },
    slots: { type: "string", default: "64" },
    processes: { type: "string", default: "2" },
    "eval-ms": { type: "string", default: "100" },
    help: { type: "boolean", default: false },
  },
});
if (values.help) {
  console.log(HELP);
  Deno.exit(0);
}
const jobs = Number(values.jobs);
const slots = Number(values.slots);
const processes = Number(values.processes);
const evalMs = Number(values["eval-ms"]);
for (const [name, value] of [["jobs", jobs], ["slots", slots], ["processes", processes]]) {
  if (!Number.isInteger(value) || (value as number) < 1) {
    console.error(`bench:queue: Cannot use --${name} ${value}: use a whole number ≥ 1\n\n${HELP}`);
    Deno.exit(2);
  }
}
if (!(evalMs >= 0) || processes > slots) {
  console.error(
    `bench:queue: Cannot use --eval-ms ${evalMs} with ${processes} processes and ${slots} slots\n\n${HELP}`,
  );
  Deno.exit(2);
}

/**
 * Runs the jobs through fresh worker processes with a given prefetch, on the given database.
 *
 * @returns Jobs per second.
 */
async function measure(url: string, prefetch: number, tag: string): Promise<number> {
  const workers = Array.from({ length: processes }, (_, i) =>
    startWorkerProcess(url, {
      label: `w${i}`,
      pluginHash: "bench",
      concurrency: Math.floor(slots / processes) + (i < slots % processes ? 1 : 0),
      prefetch,
    }));
  try {
    await Promise.all(workers.map((w) => w.ready));
    const queue = await openJobQueue(url);
    try {
      const requires = { pluginHash: "bench" };
      // Warm-up: connections, prepared statements, the engine's task lookup.
      await within(
        "the warm-up",
        Promise.all(
          Array.from(
            { length: slots },
            (_, i) => queue.submit(`${tag}-warm-${i}`, { a: i, b: 1, sleepMs: evalMs }, requires),
          ),
        ),
      );
      const start = performance.now();
      const results = await within(
        "the benchmark's jobs",
        Promise.all(
          Array.from(
            { length: jobs },
            (_, i) => queue.submit(`${tag}-job-${i}`, { a: i, b: 2, sleepMs: evalMs }, requires),
          ),
        ),
      ) as { sum: number }[];
      const seconds = (performance.now() - start) / 1000;
      const wrong = results.filter((r, i) => r.sum !== i + 2).length;
      if (wrong > 0) throw new Error(`${wrong} results are wrong`);
      return jobs / seconds;
    } finally {
      await queue.close();
    }
  } finally {
    for (const w of workers) await w.stop();
  }
}

const db = await startThrowawayPostgres();
try {
  const ideal = slots / (evalMs / 1000);
  console.log(
    `queue: ${jobs} jobs, ${slots} slots in ${processes} worker processes, fake evaluation ${evalMs} ms (ideal ${
      ideal.toFixed(0)
    }/s; target ≥ 200/s through one coordinator)`,
  );
  const perProcess = Math.ceil(slots / processes);
  for (
    const [prefetch, what] of [[0, "one job per fetch (default)"], [
      perProcess,
      `prefetch ${perProcess}`,
    ]] as const
  ) {
    const rate = await measure(db.url, prefetch, `p${prefetch}`);
    const overheadMs = (1000 * slots) / rate - evalMs;
    console.log(
      `  ${what}: ${rate.toFixed(0)} evaluations/s (${
        (100 * rate / ideal).toFixed(0)
      }% of ideal), overhead per job ${
        overheadMs.toFixed(1)
      } ms of a slot's time beyond the evaluation`,
    );
  }
} finally {
  await db.stop();
}
