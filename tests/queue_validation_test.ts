/**
 * What the queue refuses, on a real PostgreSQL: poison payloads (several kinds) are
 * dead-lettered with their reason and never reach the handler, while innocent look-alikes
 * run; a handler that keeps throwing is retried a bounded number of times and then
 * dead-lettered with its message; a job for another plugin hash is never run by a worker
 * that lacks it (the worker says so, naming both hashes) and runs once a matching worker
 * comes; envelopes written into the database by hand are dead-lettered, never run.
 */
import { deepEqual, equal, match, ok, rejects } from "node:assert/strict";
import { openDatabase } from "../queue/graphile_engine.ts";
import { openJobQueue, QueueJobDeadError } from "../queue/job_queue_client.ts";
import { formatQueueStatus, queueStatus } from "../queue/queue_status.ts";
import { startThrowawayPostgres } from "../setup/throwaway_postgres.ts";
import { readCalls, startWorkerProcess, waitFor, within } from "./queue_harness.ts";

const FAST = { leaseMs: 1500, heartbeatMs: 300, pollMs: 200 };

Deno.test("queue: refusals — poison, exhausted retries, another plugin, forged envelopes", async (t) => {
  const db = await startThrowawayPostgres();
  const dir = await Deno.makeTempDir({ prefix: "stop_queue_test_" });
  const calls = `${dir}/calls.jsonl`;
  const worker = startWorkerProcess(db.url, {
    label: "h1-worker",
    pluginHash: "h1",
    concurrency: 2,
    calls,
    ...FAST,
  });
  const queue = await openJobQueue(db.url, { maxAttempts: 2 });
  let second: ReturnType<typeof startWorkerProcess> | undefined;
  try {
    await worker.ready;
    const h1 = { pluginHash: "h1" };

    await t.step("poison payloads are dead with their reason; look-alikes run", async () => {
      const poison: [string, unknown, RegExp][] = [
        ["p-array", [1, 2], /the payload is not an object/],
        ["p-null", null, /the payload is not an object/],
        ["p-string", "rm -rf /", /the payload is not an object/],
        ["p-a-string", { a: "1", b: 2 }, /'a' is not a finite number/],
        ["p-b-missing", { a: 1 }, /'b' is not a finite number/],
        ["p-sleep", { a: 1, b: 2, sleepMs: -5 }, /'sleepMs' is not a number/],
        ["p-huge-sleep", { a: 1, b: 2, sleepMs: 1e12 }, /'sleepMs' is not a number/],
      ];
      const innocent: [string, unknown, unknown][] = [
        ["i-zero", { a: 0, b: 0 }, { sum: 0, product: 0, by: "h1-worker" }],
        ["i-negative", { a: -1, b: 2, sleepMs: 0 }, { sum: 1, product: -2, by: "h1-worker" }],
        ["i-extra", { a: 1, b: 2, note: [1, 2] }, { sum: 3, product: 2, by: "h1-worker" }],
      ];
      await Promise.all(poison.map(async ([key, payload, reason]) => {
        await rejects(queue.submit(key, payload, h1), (error: Error) => {
          ok(error instanceof QueueJobDeadError, String(error));
          equal(error.key, key);
          match(error.reason, /^rejected before running: /);
          match(error.message, reason);
          return true;
        });
      }));
      for (const [key, payload, expected] of innocent) {
        deepEqual(await queue.submit(key, payload, h1), expected);
      }
      const called = (await readCalls(calls)).map((c) => c.payload);
      equal(called.length, innocent.length);
      // Submitted again, a dead key answers at once with its reason, without a new job.
      await rejects(queue.submit("p-null", null, h1), /the payload is not an object/);
      equal((await readCalls(calls)).length, innocent.length);
    });

    await t.step(
      "a handler that keeps throwing is retried, then dead with its message",
      async () => {
        await rejects(
          queue.submit("throws", { fail: "the sandbox could not start" }, h1),
          (error: Error) => {
            ok(error instanceof QueueJobDeadError);
            equal(error.reason, "failed 2 time(s); last error: the sandbox could not start");
            return true;
          },
        );
        equal((await readCalls(calls)).filter((c) => c.payload.fail !== undefined).length, 2);
      },
    );

    await t.step("a job for another plugin waits, never run by the wrong worker", async () => {
      const before = (await readCalls(calls)).length;
      let settled = false;
      const result = queue.submit("needs-h2", { a: 5, b: 6 }, { pluginHash: "h2" });
      result.then(() => settled = true, () => settled = true);
      await waitFor(
        "the h1 worker to say it refuses the h2 job",
        () =>
          /Refusing jobs for another plugin.*need plugin hash h2; this worker's plugin hash is h1/
            .test(
              worker.stderr(),
            ),
      );
      const status = await queueStatus(db.url);
      deepEqual(status.waitingByPluginHash, [{ pluginHash: "h2", waiting: 1, workerHasIt: false }]);
      match(
        formatQueueStatus(status),
        /1 jobs need plugin h2, which no running worker has \(running workers have h1\)/,
      );
      equal(settled, false);
      equal((await readCalls(calls)).length, before);
      second = startWorkerProcess(db.url, { label: "h2-worker", pluginHash: "h2", calls, ...FAST });
      deepEqual(await within("the h2 worker's result", result), {
        sum: 11,
        product: 30,
        by: "h2-worker",
      });
    });

    await t.step("envelopes forged in the database are dead, never run", async () => {
      const before = (await readCalls(calls)).length;
      const client = openDatabase(db.url, { max: 1 });
      try {
        const forged: [string, unknown, RegExp][] = [
          [
            "forged-hash",
            { requires: { pluginHash: "h2" }, payload: { a: 1, b: 1 } },
            /needs plugin hash h2 but was queued for workers with h1; it was not run/,
          ],
          [
            "forged-no-requires",
            { payload: { a: 1, b: 1 } },
            /'requires.pluginHash' is missing or malformed/,
          ],
          ["forged-array", [1], /not an object with 'requires' and 'payload'/],
        ];
        for (const [key, envelope] of forged) {
          await client.query(
            "select graphile_worker.add_job('stop_queue/h1', $1::json, job_key := $2)",
            [JSON.stringify(envelope), key],
          );
        }
        for (const [key, , reason] of forged) {
          await rejects(queue.submit(key, { a: 1, b: 1 }, h1), reason);
        }
      } finally {
        await client.close();
      }
      equal((await readCalls(calls)).length, before);
      const status = await queueStatus(db.url);
      equal(status.counts.dead, 7 + 1 + 3);
      equal(status.latestDead.length, 10);
    });
  } finally {
    await queue.close();
    await worker.stop();
    await second?.stop();
    await db.stop();
    await Deno.remove(dir, { recursive: true });
  }
});
