/**
 * The job queue on a real PostgreSQL: two worker processes take the jobs of one coordinator
 * and every result comes back right; a key submitted twice (at once, from two coordinators,
 * and again after it is done) runs once and is recorded once; the status shows it all without
 * the URL's password; a wrong password fails with the password redacted.
 */
import { deepEqual, equal, ok, rejects } from "node:assert/strict";
import { openJobQueue } from "../queue/job_queue_client.ts";
import { formatQueueStatus, queueStatus } from "../queue/queue_status.ts";
import { startThrowawayPostgres } from "../setup/throwaway_postgres.ts";
import { readCalls, startWorkerProcess, within } from "./queue_harness.ts";

Deno.test("queue: two worker processes, one coordinator, each key run and recorded once", async () => {
  const db = await startThrowawayPostgres();
  const dir = await Deno.makeTempDir({ prefix: "stop_queue_test_" });
  const calls = `${dir}/calls.jsonl`;
  const workers = ["w1", "w2"].map((label) =>
    startWorkerProcess(db.url, { label, pluginHash: "plugin-a", concurrency: 2, calls })
  );
  const queue = await openJobQueue(db.url);
  const other = await openJobQueue(db.url);
  try {
    await Promise.all(workers.map((w) => w.ready));
    const requires = { pluginHash: "plugin-a" };
    const jobs = Array.from({ length: 24 }, (_, i) => ({ a: i, b: 7 - i, sleepMs: 100 }));
    const results = await within(
      "the results",
      Promise.all(jobs.map((job, i) => queue.submit(`job-${i}`, job, requires))),
    ) as { sum: number; product: number; by: string }[];
    deepEqual(results.map((r) => [r.sum, r.product]), jobs.map((j) => [j.a + j.b, j.a * j.b]));
    deepEqual(new Set(results.map((r) => r.by)), new Set(["w1", "w2"]));
    // The result comes back as the worker wrote it, key order included.
    deepEqual(Object.keys(results[0]!), ["sum", "product", "by"]);
    // Too big for a notification: fetched by key.
    const big = await within(
      "the big result",
      queue.submit("big", { a: 1, b: 1, padBytes: 20_000 }, requires),
    ) as { sum: number; pad: string };
    equal(big.sum, 2);
    equal(big.pad, "x".repeat(20_000));

    // The same key, twice at once here and once from another coordinator: one job.
    const twice = await within(
      "the duplicate's results",
      Promise.all([
        queue.submit("dup", { a: 2, b: 3, sleepMs: 300 }, requires),
        queue.submit("dup", { a: 2, b: 3, sleepMs: 300 }, requires),
        other.submit("dup", { a: 2, b: 3, sleepMs: 300 }, requires),
      ]),
    ) as { sum: number }[];
    deepEqual(twice.map((r) => r.sum), [5, 5, 5]);
    // Done already: answered from the results, no new job.
    deepEqual(await queue.submit("job-3", jobs[3], requires), results[3]);
    const log = await readCalls(calls);
    equal(log.filter((c) => c.payload.a === 2 && c.payload.b === 3).length, 1);
    equal(log.length, 26);

    const status = await queueStatus(db.url);
    deepEqual(status.counts, { waiting: 0, running: 0, failed: 0, done: 26, dead: 0 });
    equal(status.workers.filter((w) => w.state === "running").length, 2);
    equal(status.workers.reduce((n, w) => n + w.jobsDone, 0), 26);
    equal(status.finishedLastMinute, 26);
    const text = formatQueueStatus(status);
    const password = new URL(db.url).password;
    ok(!text.includes(password), "the status shows the password");
    ok(text.includes("postgres://postgres:***@127.0.0.1:"), text);
    ok(text.includes("done 26 · dead 0"), text);
    for (const w of workers) equal((await w.stop()).code, 0, w.stderr());
    deepEqual((await queueStatus(db.url)).workers.map((w) => w.state), ["stopped", "stopped"]);
  } finally {
    await queue.close();
    await other.close();
    for (const w of workers) await w.stop();
    await db.stop();
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("queue: a wrong password is refused with the password redacted", async () => {
  const db = await startThrowawayPostgres();
  try {
    const wrong = new URL(db.url);
    wrong.password = "not-the-password-81723";
    await rejects(openJobQueue(wrong.toString(), { reconnectTimeoutMs: 2000 }), (error: Error) => {
      ok(!error.message.includes("not-the-password-81723"), error.message);
      ok(error.message.includes("postgres://postgres:***@127.0.0.1:"), error.message);
      return true;
    });
    await rejects(queueStatus(wrong.toString()), (error: Error) => {
      ok(!error.message.includes("not-the-password-81723"), error.message);
      ok(/password authentication failed/.test(error.message), error.message);
      return true;
    });
  } finally {
    await db.stop();
  }
});
