/**
 * The coordinator's side of the queue on a real PostgreSQL: a result recorded while the
 * result listener's connection was cut is caught up when it reconnects (notifications sent
 * while nobody listened are lost); a coordinator that went away before its job finished, and
 * came back, gets the finished result at once, without a new job.
 */
import { deepEqual, equal, rejects } from "node:assert/strict";
import { openDatabase } from "../queue/graphile_engine.ts";
import { openJobQueue } from "../queue/job_queue_client.ts";
import { queueStatus } from "../queue/queue_status.ts";
import { startThrowawayPostgres } from "../setup/throwaway_postgres.ts";
import { readCalls, startWorkerProcess, waitFor, within } from "./queue_harness.ts";

Deno.test("queue client: catches up on results recorded while its listener was cut", async () => {
  const db = await startThrowawayPostgres();
  const sql = openDatabase(db.url, { max: 1 });
  const warnings: string[] = [];
  const queue = await openJobQueue(db.url, {
    listenRetryMs: 3000,
    onWarning: (line) => warnings.push(line),
  });
  try {
    // No worker has this plugin: the job waits, and the test plays the worker.
    const result = queue.submit("cut", { x: 1 }, { pluginHash: "nobody" });
    await waitFor(
      "the job to be queued",
      async () => (await queueStatus(db.url)).counts.waiting === 1,
    );
    await sql.query(
      `select pg_terminate_backend(pid) from pg_stat_activity where query = 'listen stop_queue_result'`,
    );
    await waitFor("the listener to notice", () => warnings.length > 0);
    await sql.query(
      `insert into stop_queue.results (key, state, result, plugin_hash, attempts)
       values ('cut', 'done', '{"y": 2}', 'nobody', 1)`,
    );
    deepEqual(await within("the caught-up result", result), { y: 2 });
  } finally {
    await queue.close();
    await sql.close();
    await db.stop();
  }
});

Deno.test("queue client: a coordinator that comes back gets the finished result, no new job", async () => {
  const db = await startThrowawayPostgres();
  const dir = await Deno.makeTempDir({ prefix: "stop_queue_test_" });
  const calls = `${dir}/calls.jsonl`;
  const worker = startWorkerProcess(db.url, { label: "w", pluginHash: "p", calls });
  try {
    await worker.ready;
    const first = await openJobQueue(db.url);
    const abandoned = first.submit("k", { a: 3, b: 4, sleepMs: 1000 }, { pluginHash: "p" });
    await waitFor(
      "the worker to start the job",
      async () => (await readCalls(calls)).length === 1,
    );
    await first.close();
    await rejects(abandoned, /the queue was closed/);
    await waitFor(
      "the job to finish",
      async () => (await queueStatus(db.url)).counts.done === 1,
    );
    const second = await openJobQueue(db.url);
    try {
      deepEqual(
        await within(
          "the stored result",
          second.submit("k", { a: 3, b: 4, sleepMs: 1000 }, {
            pluginHash: "p",
          }),
        ),
        { sum: 7, product: 12, by: "w" },
      );
    } finally {
      await second.close();
    }
    equal((await readCalls(calls)).length, 1);
  } finally {
    await worker.stop();
    await db.stop();
    await Deno.remove(dir, { recursive: true });
  }
});
