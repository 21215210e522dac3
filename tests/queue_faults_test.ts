/**
 * The job queue's faults on a real PostgreSQL: a worker SIGKILLed in the middle of a job has
 * that job finished by another worker once its lease expires, recorded once; a database
 * restart in the middle of a run is ridden out by the coordinator and the workers, and every
 * job completes with its right result, recorded once; a job that lost its worker on its last
 * attempt is dead-lettered with that reason instead of waiting forever.
 */
import { deepEqual, equal, ok, rejects } from "node:assert/strict";
import { openJobQueue } from "../queue/job_queue_client.ts";
import { queueStatus } from "../queue/queue_status.ts";
import { startThrowawayPostgres } from "../setup/throwaway_postgres.ts";
import { readCalls, startWorkerProcess, waitFor, within } from "./queue_harness.ts";

const LEASE = { leaseMs: 1500, heartbeatMs: 300, pollMs: 200 };

Deno.test("queue: a worker SIGKILLed mid-job has its job finished elsewhere after the lease", async () => {
  const db = await startThrowawayPostgres();
  const dir = await Deno.makeTempDir({ prefix: "stop_queue_test_" });
  const calls = `${dir}/calls.jsonl`;
  const doomed = startWorkerProcess(db.url, { label: "doomed", pluginHash: "p", calls, ...LEASE });
  const queue = await openJobQueue(db.url);
  let survivor: ReturnType<typeof startWorkerProcess> | undefined;
  try {
    const doomedId = await doomed.ready;
    const result = queue.submit("long", { a: 20, b: 22, sleepMs: 1500 }, { pluginHash: "p" });
    await waitFor(
      "the doomed worker to start the job",
      async () => (await readCalls(calls)).length === 1,
    );
    // The survivor starts while the job is locked by the doomed worker: it must not take it
    // before the lease expires.
    survivor = startWorkerProcess(db.url, { label: "survivor", pluginHash: "p", calls, ...LEASE });
    await survivor.ready;
    const killedAt = performance.now();
    doomed.kill();
    deepEqual(await within("the job to be taken over", result), {
      sum: 42,
      product: 440,
      by: "survivor",
    });
    const tookMs = performance.now() - killedAt;
    ok(tookMs >= LEASE.leaseMs, `taken over after ${tookMs} ms, within the lease`);
    deepEqual((await readCalls(calls)).map((c) => c.label), ["doomed", "survivor"]);
    const status = await queueStatus(db.url);
    deepEqual(status.counts, { waiting: 0, running: 0, failed: 0, done: 1, dead: 0 });
    equal(status.workers.find((w) => w.id === doomedId)?.state, "lost");
    equal(status.workers.find((w) => w.state === "running")?.jobsDone, 1);
  } finally {
    await queue.close();
    doomed.kill();
    await doomed.stop();
    await survivor?.stop();
    await db.stop();
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("queue: a database restart mid-run is ridden out, every job recorded once", async () => {
  const db = await startThrowawayPostgres();
  const dir = await Deno.makeTempDir({ prefix: "stop_queue_test_" });
  const calls = `${dir}/calls.jsonl`;
  const workers = ["w1", "w2"].map((label) =>
    startWorkerProcess(db.url, { label, pluginHash: "p", concurrency: 2, calls, ...LEASE })
  );
  const warnings: string[] = [];
  const queue = await openJobQueue(db.url, { onWarning: (line) => warnings.push(line) });
  try {
    await Promise.all(workers.map((w) => w.ready));
    // The first 4 jobs run freely; the other 36 are held until the database is back, so the
    // restart comes mid-run on any machine, however slow.
    const release = `${dir}/released`;
    const jobs = Array.from({ length: 40 }, (_, i) => ({
      a: i,
      b: i * 3,
      sleepMs: 150,
      ...(i < 4 ? {} : { holdFile: release }),
    }));
    let finished = 0;
    const submit = (i: number) =>
      queue.submit(`restart-${i}`, jobs[i]!, { pluginHash: "p" }).then((r) => {
        finished++;
        return r;
      });
    const first = Promise.all(jobs.slice(0, 4).map((_, i) => submit(i)));
    await within("the first results", first);
    const results = Promise.all(jobs.slice(4).map((_, i) => submit(i + 4))).then(
      async (rest) => [...await first, ...rest],
    );
    await waitFor("the held jobs to be queued", async () => {
      const { counts } = await queueStatus(db.url);
      return counts.waiting! + counts.running! === jobs.length - 4;
    });
    await db.restart({ downMs: 1000 });
    equal(finished, 4, "a held job finished before the restart");
    await Deno.writeTextFile(release, "");
    const done = await within("every job after the restart", results) as {
      sum: number;
      product: number;
    }[];
    deepEqual(done.map((r) => [r.sum, r.product]), jobs.map((j) => [j.a + j.b, j.a * j.b]));
    ok(warnings.length > 0, "the coordinator did not notice the restart");
    const status = await queueStatus(db.url);
    equal(status.counts.done, jobs.length);
    equal(status.counts.dead, 0);
    equal(status.workers.filter((w) => w.state === "running").length, 2);
    // Jobs cut off by the restart may have run twice; their result is recorded once.
    const runKeys = new Set((await readCalls(calls)).map((c) => `${c.payload.a}`));
    equal(runKeys.size, jobs.length);
    const password = new URL(db.url).password;
    for (const line of [...warnings, ...workers.map((w) => w.stderr())]) {
      ok(!line.includes(password), `a warning shows the password: ${line}`);
    }
  } finally {
    await queue.close();
    for (const w of workers) await w.stop();
    await db.stop();
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("queue: a job whose every attempt lost its worker is dead-lettered, not retried", async () => {
  const db = await startThrowawayPostgres();
  const dir = await Deno.makeTempDir({ prefix: "stop_queue_test_" });
  const calls = `${dir}/calls.jsonl`;
  const doomed = startWorkerProcess(db.url, { label: "doomed", pluginHash: "p", calls, ...LEASE });
  const queue = await openJobQueue(db.url, { maxAttempts: 1 });
  let sweeper: ReturnType<typeof startWorkerProcess> | undefined;
  try {
    await doomed.ready;
    const result = queue.submit("once", { a: 1, b: 2, sleepMs: 5000 }, { pluginHash: "p" });
    await waitFor(
      "the doomed worker to start the job",
      async () => (await readCalls(calls)).length === 1,
    );
    sweeper = startWorkerProcess(db.url, { label: "sweeper", pluginHash: "p", calls, ...LEASE });
    await sweeper.ready;
    doomed.kill();
    await rejects(
      within("the dead letter", result),
      /dead-lettered: its worker was lost \(no heartbeat within the lease\) on each of 1 attempt\(s\)/,
    );
    deepEqual((await readCalls(calls)).map((c) => c.label), ["doomed"]);
    const status = await queueStatus(db.url);
    deepEqual(status.counts, { waiting: 0, running: 0, failed: 0, done: 0, dead: 1 });
  } finally {
    await queue.close();
    doomed.kill();
    await doomed.stop();
    await sweeper?.stop();
    await db.stop();
    await Deno.remove(dir, { recursive: true });
  }
});
