/**
 * The worker's side of the job queue: takes the jobs that need this worker's plugin hash,
 * checks each payload with `validate` before anything runs, runs it with `handle`, and records
 * the result under the job's key, once.
 *
 * - A job whose envelope or payload is malformed is never handed to `handle`: it is
 *   dead-lettered at once with the reason, without retries.
 * - Jobs are queued per plugin hash, so a job for another plugin is never taken: it waits for
 *   a worker that has that plugin (the worker logs once that it leaves them, naming both
 *   hashes, and `queueStatus` shows them). A job that reaches this worker with another hash
 *   in its envelope (written by hand into the database) is dead-lettered, never run.
 * - A handler that throws is retried (with the engine's back-off: about 3 s, 7 s, 20 s, …)
 *   until the job's attempts are used up, then dead-lettered with its last message.
 * - Lease: every worker writes a heartbeat every `heartbeatMs` and, on each, looks for workers
 *   whose heartbeat is older than their lease: they are marked lost and their jobs unlocked,
 *   so another worker runs them; a job that has used up its attempts that way is
 *   dead-lettered. A worker SIGKILLed mid-job thus has its job run elsewhere about `leaseMs`
 *   (plus a heartbeat and an engine poll) after it died.
 * - A lost database connection (a restart) is ridden out: the engine and the heartbeat
 *   reconnect, and recording a result waits for the database for up to `reconnectTimeoutMs`.
 *
 * @module
 */
import { type Database, ENGINE_SCHEMA, openDatabase, runEngine } from "./graphile_engine.ts";
import { checkPluginHash, readEnvelope } from "./job_envelope.ts";
import { checkQueueUrl, redactQueueUrl, scrubQueueSecret } from "./queue_url.ts";
import { isConnectionError, throttleLines, withReconnect } from "./reconnect.ts";
import { ensureQueueSchema, QUEUE_SCHEMA, TASK_PREFIX, taskFor } from "./schema.ts";

/** Options of `runQueueWorker`. */
export interface QueueWorkerOptions {
  /** The queue's PostgreSQL URL. */
  url: string;
  /** Jobs run at once. */
  concurrency: number;
  /** This worker's plugin build hash: it takes only jobs that need exactly this hash. */
  pluginHash: string;
  /** Runs one job's payload and returns its result (JSON); a throw is retried. */
  handle: (payload: unknown) => Promise<unknown>;
  /** Why a payload must not run (malformed, hostile), or undefined when it may. */
  validate: (payload: unknown) => string | undefined;
  /** Aborting stops taking jobs, waits for the running ones, and resolves. */
  signal: AbortSignal;
  /** How long a silent worker keeps its jobs before others take them over (default 30 s). */
  leaseMs?: number;
  /** How often this worker writes its heartbeat and looks for lost ones (default lease / 3). */
  heartbeatMs?: number;
  /** How often an idle worker looks for unlocked or retried jobs (default 1 s). */
  pollIntervalMs?: number;
  /**
   * Jobs fetched and locked at once, then handed to free slots in turn (default 0: one job per
   * fetch). Raises throughput for short jobs (see `deno task bench:queue`); for long ones it
   * lets a worker hold jobs that an idle worker could run, so keep it off for evaluations of
   * seconds.
   */
  prefetch?: number;
  /** How long to wait for an unreachable database before giving up a step (default 10 min). */
  reconnectTimeoutMs?: number;
  /** How long starting waits for an unreachable database. @default {reconnectTimeoutMs} */
  openTimeoutMs?: number;
  /** The host name recorded (default the machine's, when the process may read it). */
  host?: string;
  /** Called once the worker is registered and taking jobs. */
  onReady?: (worker: { id: string }) => void;
  /** Warnings (lost connections, jobs left for another plugin), one line each, no password. */
  log?: (line: string) => void;
}

/** What a worker did, when it stops. */
export interface QueueWorkerSummary {
  /** Its id in the status. */
  id: string;
  /** Jobs it recorded (done or dead). */
  jobsDone: number;
}

function defaultHost(): string {
  try {
    return Deno.permissions.querySync({ name: "sys", kind: "hostname" }).state === "granted"
      ? Deno.hostname()
      : "unknown-host";
  } catch {
    return "unknown-host";
  }
}

function randomId(): string {
  return Array.from(
    crypto.getRandomValues(new Uint8Array(4)),
    (b) => b.toString(16).padStart(2, "0"),
  ).join("");
}

/**
 * Runs a queue worker until `signal` aborts.
 *
 * @example
 * ```ts ignore
 * const controller = new AbortController();
 * await runQueueWorker({
 *   url: "postgres://stop:secret@db:5432/stop",
 *   concurrency: 4,
 *   pluginHash: "abc123",
 *   validate: (p) => typeof p === "object" && p !== null ? undefined : "payload is not an object",
 *   handle: async (p) => ({ echoed: p }),
 *   signal: controller.signal,
 * });
 * ```
 *
 * @param options See `QueueWorkerOptions`.
 * @returns What it did, once it stopped.
 * @throws {Error} On bad options, when the database cannot be reached at start, or when the
 *   engine fails (messages name the URL without its password).
 */
export async function runQueueWorker(options: QueueWorkerOptions): Promise<QueueWorkerSummary> {
  const url = checkQueueUrl(options.url);
  checkPluginHash(options.pluginHash);
  if (!Number.isInteger(options.concurrency) || options.concurrency < 1) {
    throw new RangeError(
      `Cannot run a queue worker as 'concurrency' must be a whole number >= 1: current value is ${options.concurrency}`,
    );
  }
  const leaseMs = options.leaseMs ?? 30_000;
  const heartbeatMs = options.heartbeatMs ?? Math.max(50, Math.floor(leaseMs / 3));
  if (!(leaseMs > 0 && heartbeatMs > 0 && heartbeatMs < leaseMs)) {
    throw new RangeError(
      `Cannot run a queue worker with lease ${leaseMs} ms and heartbeat ${heartbeatMs} ms: the heartbeat must be shorter than the lease`,
    );
  }
  const shown = redactQueueUrl(url);
  const scrub = (text: string) => scrubQueueSecret(text, url);
  const log = throttleLines((line) => options.log?.(scrub(line)), 10_000);
  const timeoutMs = options.reconnectTimeoutMs ?? 600_000;
  const host = options.host ?? defaultHost();
  const id = `${host}:${Deno.pid}:${randomId()}`;
  const hash = options.pluginHash;
  const db: Database = openDatabase(url, {
    max: Math.min(options.concurrency, 8) + 2,
    onError: (error) => log(`queue connection lost (${error.message}); reconnecting`),
  });
  const retrying = <T>(describe: string, step: () => Promise<T>) =>
    withReconnect(step, { timeoutMs, describe: `${describe} at ${shown}`, scrub });

  let jobsDone = 0;
  /** Records a job's outcome under its key, once; counts it for this worker when it was new. */
  const record = async (
    key: string,
    outcome: { state: "done"; json: string } | { state: "dead"; reason: string },
    attempts: number,
  ) => {
    const resultJson = outcome.state === "done" ? outcome.json : null;
    const rows = await retrying(
      `record the result of job '${key}'`,
      () =>
        db.query<{ inserted: boolean }>(
          `with inserted as (
          insert into ${QUEUE_SCHEMA}.results
            (key, state, result, reason, plugin_hash, worker_id, attempts)
          values ($1, $2, $3::json, $4, $5, $6, $7)
          on conflict (key) do nothing returning key
        ), counted as (
          update ${QUEUE_SCHEMA}.workers set jobs_done = jobs_done + 1
          where id = $6 and exists (select 1 from inserted)
        )
        select exists (select 1 from inserted) as inserted`,
          [
            key,
            outcome.state,
            resultJson,
            outcome.state === "dead" ? outcome.reason : null,
            hash,
            id,
            attempts,
          ],
        ),
    );
    if (rows[0]?.inserted) jobsDone++;
  };

  const handler = async (
    raw: unknown,
    job: { id: string; key: string | null; attempts: number; maxAttempts: number },
  ) => {
    const key = job.key ?? `engine-job-${job.id}`;
    if (job.key === null) {
      await record(key, { state: "dead", reason: "the job has no key" }, job.attempts);
      return;
    }
    const envelope = readEnvelope(raw);
    if (typeof envelope === "string") {
      await record(key, { state: "dead", reason: envelope }, job.attempts);
      return;
    }
    if (envelope.pluginHash !== hash) {
      await record(key, {
        state: "dead",
        reason:
          `the job needs plugin hash ${envelope.pluginHash} but was queued for workers with ${hash}; it was not run`,
      }, job.attempts);
      return;
    }
    if (job.attempts > 1) {
      // Run before (a retry, or taken over from a lost worker that may have finished it).
      const [already] = await retrying(
        `look up job '${key}'`,
        () => db.query(`select 1 from ${QUEUE_SCHEMA}.results where key = $1`, [key]),
      );
      if (already !== undefined) return;
    }
    let reason: string | undefined;
    try {
      reason = options.validate(envelope.payload);
    } catch (error) {
      reason = `its payload could not be checked: ${(error as Error).message}`;
    }
    if (reason !== undefined) {
      await record(
        key,
        { state: "dead", reason: `rejected before running: ${reason}` },
        job.attempts,
      );
      return;
    }
    let json: string;
    try {
      const result = await options.handle(envelope.payload);
      // A result that is not JSON fails like a throw: `undefined` becomes null, a BigInt or a
      // cycle is an error.
      json = JSON.stringify(result) ?? "null";
    } catch (error) {
      const message = scrub(error instanceof Error ? error.message : String(error));
      if (job.attempts >= job.maxAttempts) {
        await record(key, {
          state: "dead",
          reason: `failed ${job.attempts} time(s); last error: ${message}`,
        }, job.attempts);
        return;
      }
      throw new Error(message);
    }
    await record(key, { state: "done", json }, job.attempts);
  };

  await withReconnect(() => ensureQueueSchema(db), {
    timeoutMs: options.openTimeoutMs ?? timeoutMs,
    describe: `open the job queue at ${shown}`,
    scrub,
  }).catch(async (error) => {
    await db.close().catch(() => {});
    throw new Error(`Cannot open the job queue at ${shown}: ${scrub((error as Error).message)}`, {
      cause: error,
    });
  });
  await retrying("register the worker", () =>
    db.query(
      `insert into ${QUEUE_SCHEMA}.workers (id, host, pid, plugin_hash, concurrency, lease_ms)
       values ($1, $2, $3, $4, $5, $6)`,
      [id, host, Deno.pid, hash, options.concurrency, leaseMs],
    ));
  let engine;
  try {
    engine = await runEngine({
      db,
      task: taskFor(hash),
      concurrency: options.concurrency,
      pollIntervalMs: options.pollIntervalMs ?? 1000,
      prefetch: options.prefetch ?? 0,
      handler,
      log,
    });
    await retrying(
      "register the worker",
      () =>
        db.query(`update ${QUEUE_SCHEMA}.workers set engine_id = $2 where id = $1`, [
          id,
          engine!.poolId,
        ]),
    );
  } catch (error) {
    await engine?.stop().catch(() => {});
    await db.close().catch(() => {});
    throw new Error(scrub((error as Error).message), { cause: error });
  }

  let refusedShown = "";
  const beat = async () => {
    await db.query(
      `update ${QUEUE_SCHEMA}.workers set last_heartbeat = now(), state = 'running' where id = $1`,
      [id],
    );
    await sweepLostWorkers(db, leaseMs);
    const refused = await db.query<{ task: string; n: string }>(
      `select task_identifier as task, count(*) as n from ${ENGINE_SCHEMA}.jobs
       where starts_with(task_identifier, $1) and task_identifier <> $2 and locked_at is null
         and attempts < max_attempts
       group by task_identifier order by task_identifier`,
      [TASK_PREFIX, taskFor(hash)],
    );
    const text = refused.map((r) =>
      `${r.n} job(s) need plugin hash ${
        r.task.slice(TASK_PREFIX.length)
      }; this worker's plugin hash is ${hash}`
    ).join("; ");
    if (text !== refusedShown && text !== "") {
      log(`Refusing jobs for another plugin (they wait for a worker that has it): ${text}`);
    }
    refusedShown = text;
  };
  let beating: Promise<void> = Promise.resolve();
  const timer = setInterval(() => {
    beating = beating.then(beat).catch((error) => {
      if (!isConnectionError(error)) log(`heartbeat failed: ${(error as Error).message}`);
    });
  }, heartbeatMs);
  options.onReady?.({ id });

  const aborted = new Promise<void>((resolve) => {
    if (options.signal.aborted) resolve();
    else options.signal.addEventListener("abort", () => resolve(), { once: true });
  });
  let failure: unknown;
  await Promise.race([aborted, engine.done.catch((error) => failure = error)]);
  clearInterval(timer);
  await engine.stop().catch(() => {});
  await beating;
  await db.query(`update ${QUEUE_SCHEMA}.workers set state = 'stopped' where id = $1`, [id])
    .catch(() => {});
  await db.close().catch(() => {});
  if (failure !== undefined) {
    throw new Error(`The queue worker at ${shown} failed: ${scrub((failure as Error).message)}`, {
      cause: failure,
    });
  }
  return { id, jobsDone };
}

/**
 * Marks workers whose heartbeat is older than their own lease as lost (and forgets stopped and
 * lost workers after a day), unlocks every queue
 * job locked for longer than `leaseMs` by a pool that no running worker owns (so the engine
 * hands it out again), and dead-letters the queue's jobs that have used up their attempts.
 * One worker at a time sweeps (an advisory lock); the others skip.
 *
 * @param db The database.
 * @param leaseMs The sweeping worker's lease: a job locked for less long is never taken over.
 */
export async function sweepLostWorkers(db: Database, leaseMs: number): Promise<void> {
  await db.transaction(async (query) => {
    const [lock] = await query<{ ok: boolean }>(
      "select pg_try_advisory_xact_lock(hashtext($1)) as ok",
      [`${QUEUE_SCHEMA}.sweep`],
    );
    if (!lock!.ok) return;
    await query(
      `update ${QUEUE_SCHEMA}.workers set state = 'lost'
       where state = 'running' and last_heartbeat < now() - lease_ms * interval '1 millisecond'`,
    );
    await query(
      `delete from ${QUEUE_SCHEMA}.workers
       where state <> 'running' and last_heartbeat < now() - interval '1 day'`,
    );
    const orphans = await query<{ locked_by: string }>(
      `select distinct locked_by from ${ENGINE_SCHEMA}.jobs
       where starts_with(task_identifier, $1) and locked_at is not null
         and locked_at < now() - $2 * interval '1 millisecond'
         and locked_by not in (select engine_id from ${QUEUE_SCHEMA}.workers
           where state = 'running' and engine_id is not null)`,
      [TASK_PREFIX, leaseMs],
    );
    if (orphans.length > 0) {
      await query(`select ${ENGINE_SCHEMA}.force_unlock_workers($1::text[])`, [
        orphans.map((o) => o.locked_by),
      ]);
    }
    const exhausted = await query<{ id: string }>(
      `with spent as (
        select id, key, attempts, last_error, task_identifier from ${ENGINE_SCHEMA}.jobs
        where starts_with(task_identifier, $1) and locked_at is null
          and attempts >= max_attempts and key is not null
      ), recorded as (
        insert into ${QUEUE_SCHEMA}.results (key, state, reason, plugin_hash, attempts)
        select key, 'dead',
          case when last_error is null
            then 'its worker was lost (no heartbeat within the lease) on each of ' || attempts || ' attempt(s)'
            else 'failed ' || attempts || ' time(s); last error: ' || last_error end,
          substr(task_identifier, length($1) + 1), attempts
        from spent
        on conflict (key) do nothing
      )
      select id::text from spent`,
      [TASK_PREFIX],
    );
    if (exhausted.length > 0) {
      await query(`select ${ENGINE_SCHEMA}.complete_jobs($1::bigint[])`, [
        exhausted.map((e) => e.id),
      ]);
    }
  });
}
