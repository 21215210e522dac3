/**
 * Issue 15's end-to-end runs on a real PostgreSQL, through the real commands (`deno task
 * experiment:lpn`, `deno task stop worker`, `deno task stop queue status`,
 * `deno task stop self-improve --resume`): a run whose evaluations go to the queue, taken by
 * two worker processes, gives exactly the numbers of the same run done locally (summary,
 * lineage, improvers, the multiset of audit events), also when a worker is SIGKILLed mid-run,
 * when the database restarts mid-run, and when the coordinator is SIGKILLed and resumed, and
 * no job's result is lost or recorded twice. The model is the offline stand-in (a test
 * harness, not a language model). Each run gets a cluster of its own, since results are
 * keyed by content and a second run on the same queue would find all of them done.
 */
import { deepEqual, equal, ok } from "node:assert/strict";
import { startThrowawayPostgres, type ThrowawayPostgres } from "../setup/throwaway_postgres.ts";
import { waitFor, within } from "./queue_harness.ts";

const ROOT = new URL("../", import.meta.url).pathname.replace(/\/$/, "");
const FLAGS = [
  "--iterations",
  "1",
  "--meta-tests",
  "2",
  "--utility-budget",
  "6",
  "--meta-budget",
  "6",
  "--json",
];

/** A `deno task …` process, its output collected. */
interface TaskProcess {
  pid: number;
  output(): string;
  status: Promise<Deno.CommandStatus>;
}

function task(name: string, args: string[], env: Record<string, string>): TaskProcess {
  const child = new Deno.Command("deno", {
    args: ["task", "--quiet", name, ...args],
    cwd: ROOT,
    env: { NO_COLOR: "1", ...env },
    stdin: "null",
    stdout: "piped",
    stderr: "piped",
  }).spawn();
  let text = "";
  const decoder = new TextDecoder();
  const read = async (stream: ReadableStream<Uint8Array>) => {
    for await (const chunk of stream) text += decoder.decode(chunk, { stream: true });
  };
  const streams = Promise.all([read(child.stdout), read(child.stderr)]);
  const status = child.status.then(async (s) => {
    await streams;
    return s;
  });
  return { pid: child.pid, output: () => text, status };
}

/**
 * Signals a task process and everything it started (the launcher and the command line are
 * processes of their own), through `tests/kill_process_tree.ts`.
 */
async function signalTree(pid: number, signal: "SIGKILL" | "SIGTERM"): Promise<void> {
  const { code, stderr } = await new Deno.Command("deno", {
    args: [
      "run",
      "--quiet",
      "--no-prompt",
      "--allow-run",
      `${ROOT}/tests/kill_process_tree.ts`,
      signal,
      String(pid),
    ],
    stdout: "null",
    stderr: "piped",
  }).output();
  equal(code, 0, `Cannot ${signal} process tree ${pid}: ${new TextDecoder().decode(stderr)}`);
}

/** Runs a task to its end and returns its output; fails on a non-zero exit or a timeout. */
async function finish(process: TaskProcess, what: string): Promise<string> {
  try {
    const status = await within(what, process.status);
    equal(status.code, 0, `${what} exited with ${status.code}:\n${process.output()}`);
  } catch (error) {
    await signalTree(process.pid, "SIGKILL");
    throw new Error(`${(error as Error).message}\n${process.output()}`);
  }
  return process.output();
}

/** The last JSON object a command printed on a line of its own (`--json`). */
function summaryOf(output: string): Record<string, unknown> {
  const line = output.split("\n").findLast((l) => l.startsWith("{"));
  ok(line !== undefined, `no JSON summary in the output:\n${output}`);
  return JSON.parse(line);
}

/** What a finished run must share with the local run. */
interface RunNumbers {
  summary: Record<string, unknown>;
  audit: string[];
  improvers: Record<string, string>;
}

async function numbersOf(runDir: string): Promise<RunNumbers> {
  const summary = JSON.parse(await Deno.readTextFile(`${runDir}/summary.json`));
  for (const key of ["runDir", "wallMs", "queue", "resumed"]) delete summary[key];
  const audit = (await Deno.readTextFile(`${runDir}/audit.jsonl`)).split("\n")
    .filter((l) => l !== "")
    .map((l) => {
      const { time: _time, run: _run, ...event } = JSON.parse(l);
      return JSON.stringify(event);
    })
    .sort();
  const improvers: Record<string, string> = {};
  for await (const entry of Deno.readDir(`${runDir}/improvers`)) {
    improvers[entry.name] = await Deno.readTextFile(`${runDir}/improvers/${entry.name}`);
  }
  return { summary, audit, improvers };
}

function assertSameNumbers(actual: RunNumbers, expected: RunNumbers): void {
  deepEqual(actual.summary, expected.summary, "the summary (lineage, best, audit counts…)");
  deepEqual(actual.audit, expected.audit, "the audit events, as a multiset");
  deepEqual(actual.improvers, expected.improvers, "the improvers of the lineage");
}

/** `deno task stop queue status --json`. */
async function queueStatus(url: string): Promise<{
  counts: Record<string, number>;
  workers: { pid: number; state: string; jobsDone: number }[];
}> {
  const output = await finish(
    task("stop", ["queue", "status", "--json"], { STOP_QUEUE_URL: url }),
    "queue status",
  );
  return summaryOf(output) as never;
}

let local: Promise<RunNumbers> | undefined;
/** The local run's numbers, computed once per file. */
function localNumbers(): Promise<RunNumbers> {
  local ??= (async () => {
    const runs = await Deno.makeTempDir({ prefix: "stop_queue_run_local_" });
    try {
      const output = await finish(
        task("experiment:lpn", FLAGS, { STOP_RUNS_DIR: runs }),
        "the local run",
      );
      return await numbersOf(summaryOf(output).runDir as string);
    } finally {
      await Deno.remove(runs, { recursive: true });
    }
  })();
  return local;
}

let cleanJobs: Promise<number> | undefined;

/** A cluster, a runs folder and worker processes, all removed by `close()`. */
class QueuedRun {
  workers: TaskProcess[] = [];
  coordinator: TaskProcess | undefined;
  private constructor(readonly db: ThrowawayPostgres, readonly runs: string) {}

  static async open(): Promise<QueuedRun> {
    const db = await within("a throwaway PostgreSQL", startThrowawayPostgres());
    return new QueuedRun(db, await Deno.makeTempDir({ prefix: "stop_queue_run_" }));
  }

  get env(): Record<string, string> {
    return { STOP_QUEUE_URL: this.db.url, STOP_RUNS_DIR: this.runs };
  }

  /** Starts a worker (`deno task stop worker --sandboxes 1`) and waits until it takes jobs. */
  async worker(): Promise<TaskProcess> {
    const worker = task("stop", ["worker", "--sandboxes", "1"], this.env);
    this.workers.push(worker);
    await waitFor(
      `worker ${this.workers.length} to say it takes evaluations`,
      () => worker.output().includes("worker: taking evaluations"),
    );
    return worker;
  }

  /** Starts the queued run. */
  start(args: string[] = FLAGS): TaskProcess {
    this.coordinator = task("experiment:lpn", args, this.env);
    return this.coordinator;
  }

  /** Starts two workers, then the queued run. */
  async startWithTwoWorkers(): Promise<TaskProcess> {
    await this.worker();
    await this.worker();
    return this.start();
  }

  /** Fails when the run has written its summary (a fault injected now would come too late). */
  async assertUnfinished(): Promise<void> {
    const dir = await this.runDir();
    await Deno.stat(`${dir}/summary.json`).then(
      () => ok(false, `the run in ${dir} has ended already`),
      () => {},
    );
  }

  /** Waits until the queue has finished at least `n` jobs. */
  async doneAtLeast(n: number): Promise<void> {
    await waitFor(
      `${n} jobs done in the queue`,
      async () => (await queueStatus(this.db.url)).counts.done! >= n,
    );
  }

  /** The only run directory in the runs folder. */
  async runDir(): Promise<string> {
    const names = await Array.fromAsync(Deno.readDir(this.runs), (e) => e.name);
    const dirs = names.filter((n) => n.includes("-self-improve-"));
    equal(dirs.length, 1, `one run directory in ${this.runs}: ${names}`);
    return `${this.runs}/${dirs[0]}`;
  }

  /** Checks the queue after a run: every job done once, none failed or dead. */
  async assertJobs(expected: number): Promise<void> {
    const status = await queueStatus(this.db.url);
    deepEqual(
      status.counts,
      { waiting: 0, running: 0, failed: 0, done: expected, dead: 0 },
      "every evaluation recorded once",
    );
  }

  async close(): Promise<void> {
    for (const p of [this.coordinator, ...this.workers]) {
      if (p !== undefined) await signalTree(p.pid, "SIGKILL").catch(() => {});
    }
    await within(
      "the run's processes to exit",
      Promise.all([this.coordinator, ...this.workers].map((p) => p?.status)),
    );
    await this.db.stop();
    await Deno.remove(this.runs, { recursive: true });
  }
}

/** The jobs of the run without faults (a run with faults must record the same number). */
function jobsOfCleanRun(): Promise<number> {
  cleanJobs ??= (async () => {
    const run = await QueuedRun.open();
    try {
      await run.worker();
      await run.worker();
      const output = await finish(run.start(), "the queued run");
      assertSameNumbers(await numbersOf(summaryOf(output).runDir as string), await localNumbers());
      const status = await queueStatus(run.db.url);
      const done = status.counts.done!;
      ok(done > 0, "the run went through the queue");
      await run.assertJobs(done);
      const byWorker = status.workers.map((w) => w.jobsDone);
      equal(byWorker.length, 2);
      equal(byWorker.reduce((a, b) => a + b, 0), done, "each job run by one worker, once");
      ok(byWorker.every((n) => n > 0), `both workers took jobs: ${byWorker}`);
      return done;
    } finally {
      await run.close();
    }
  })();
  return cleanJobs;
}

const TEST = { sanitizeResources: false, sanitizeOps: false };

Deno.test({
  name: "queued run: two worker processes give exactly the local run's numbers",
  ...TEST,
  fn: async () => {
    await localNumbers();
    await jobsOfCleanRun();
  },
});

Deno.test({
  name: "queued run: a worker SIGKILLed mid-run, the run ends with the local numbers",
  ...TEST,
  fn: async () => {
    const expected = await localNumbers();
    const jobs = await jobsOfCleanRun();
    const run = await QueuedRun.open();
    try {
      const coordinator = await run.startWithTwoWorkers();
      const doomed = run.workers[0]!;
      await run.doneAtLeast(Math.ceil(jobs / 4));
      const before = await queueStatus(run.db.url);
      const doomedSeen = before.workers.filter((w) => w.state === "running");
      equal(doomedSeen.length, 2, "both workers running");
      await signalTree(doomed.pid, "SIGKILL");
      await within("the killed worker to exit", doomed.status);
      ok(before.counts.done! < jobs, `killed mid-run (${before.counts.done} of ${jobs} done)`);
      // The killed worker's jobs wait out its lease (30 s; `stop worker` has no flag for it).
      const output = await finish(coordinator, "the run after a worker's death");
      assertSameNumbers(await numbersOf(summaryOf(output).runDir as string), expected);
      await run.assertJobs(jobs);
    } finally {
      await run.close();
    }
  },
});

Deno.test({
  name: "queued run: a database restart mid-run, the run ends with the local numbers",
  ...TEST,
  fn: async () => {
    const expected = await localNumbers();
    const jobs = await jobsOfCleanRun();
    const run = await QueuedRun.open();
    try {
      const coordinator = await run.startWithTwoWorkers();
      await run.doneAtLeast(Math.ceil(jobs / 4));
      await run.assertUnfinished();
      await within("the database restart", run.db.restart({ downMs: 2000 }));
      const output = await finish(coordinator, "the run after the database restart");
      assertSameNumbers(await numbersOf(summaryOf(output).runDir as string), expected);
      await run.assertJobs(jobs);
    } finally {
      await run.close();
    }
  },
});

Deno.test({
  name: "queued run: the coordinator SIGKILLed and resumed reuses every finished result",
  ...TEST,
  fn: async () => {
    const expected = await localNumbers();
    const jobs = await jobsOfCleanRun();
    const run = await QueuedRun.open();
    try {
      const coordinator = await run.startWithTwoWorkers();
      await run.doneAtLeast(Math.ceil(jobs / 3));
      await signalTree(coordinator.pid, "SIGKILL");
      await within("the coordinator's death", coordinator.status);
      await run.assertUnfinished();
      const dir = await run.runDir();
      // What the workers still had finishes; nothing is submitted any more.
      await waitFor("the queue to go idle", async () => {
        const { counts } = await queueStatus(run.db.url);
        return counts.waiting === 0 && counts.running === 0;
      });
      const doneBefore = (await queueStatus(run.db.url)).counts.done!;
      ok(doneBefore < jobs, `killed mid-run (${doneBefore} of ${jobs} done)`);
      const output = await finish(
        task("stop", ["self-improve", "--resume", dir, "--json"], run.env),
        "the resumed run",
      );
      equal(summaryOf(output).resumed, 1);
      assertSameNumbers(await numbersOf(dir), expected);
      await run.assertJobs(jobs);
      const byWorker = (await queueStatus(run.db.url)).workers.map((w) => w.jobsDone);
      equal(
        byWorker.reduce((a, b) => a + b, 0),
        jobs,
        `no stored result run again (${doneBefore} were done before the resume)`,
      );
    } finally {
      await run.close();
    }
  },
});
