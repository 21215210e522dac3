/**
 * What the queue holds and who works on it: job counts, the latest dead-lettered jobs with
 * their reasons, waiting jobs by the plugin hash they need (and which of them no live worker
 * can take), workers with their last heartbeat, and throughput over the last minute.
 *
 * @module
 */
import { type Database, ENGINE_SCHEMA, openDatabase } from "./graphile_engine.ts";
import { checkQueueUrl, redactQueueUrl, scrubQueueSecret } from "./queue_url.ts";
import { QUEUE_SCHEMA, TASK_PREFIX } from "./schema.ts";

/** Jobs by state, over every coordinator's jobs. */
export interface QueueCounts {
  /** Queued, not taken yet (including jobs whose worker was lost and that wait to run again). */
  waiting: number;
  /** Taken by a worker now. */
  running: number;
  /** Failed at least once and waiting for another attempt. */
  failed: number;
  /** Finished with a result. */
  done: number;
  /** Dead-lettered: malformed, or out of attempts. */
  dead: number;
}

/** A dead-lettered job. */
export interface DeadJob {
  /** Its key. */
  key: string;
  /** Why. */
  reason: string;
  /** When (ISO 8601). */
  at: string;
}

/** A worker that has registered with the queue. */
export interface WorkerSeen {
  /** Its id (host, pid and a random part). */
  id: string;
  /** Its host name. */
  host: string;
  /** Its process id. */
  pid: number;
  /** Its plugin's build hash. */
  pluginHash: string;
  /** Jobs it runs at once. */
  concurrency: number;
  /** `running`, `stopped` (cleanly) or `lost` (its heartbeat stopped for longer than its lease). */
  state: string;
  /** When it started (ISO 8601). */
  startedAt: string;
  /** Its last heartbeat (ISO 8601). */
  lastHeartbeat: string;
  /** Seconds since its last heartbeat, by the database's clock. */
  secondsSinceHeartbeat: number;
  /** Jobs it finished (done or dead). */
  jobsDone: number;
}

/** The queue's status. */
export interface QueueStatus {
  /** The queue URL without its password. */
  url: string;
  /** Whether the queue's tables exist (a queue nobody opened yet has none). */
  initialised: boolean;
  /** Jobs by state. */
  counts: QueueCounts;
  /** Waiting jobs by the plugin hash they need, and whether a running worker has that hash. */
  waitingByPluginHash: { pluginHash: string; waiting: number; workerHasIt: boolean }[];
  /** The latest dead-lettered jobs, newest first (at most 10). */
  latestDead: DeadJob[];
  /** Workers, most recent heartbeat first (at most 100). */
  workers: WorkerSeen[];
  /** Jobs finished in the last minute. */
  finishedLastMinute: number;
  /** Jobs finished per second over the last minute. */
  throughputPerSecond: number;
}

/**
 * Counts the queue's jobs by state.
 *
 * @param db The database (the queue's tables must exist).
 * @returns The counts.
 */
export async function readQueueCounts(db: Database): Promise<QueueCounts> {
  const [row] = await db.query<Record<keyof QueueCounts, string>>(
    `select
      (select count(*) from ${ENGINE_SCHEMA}.jobs j where starts_with(j.task_identifier, $1)
        and j.locked_at is null and j.attempts < j.max_attempts and j.last_error is null) as waiting,
      (select count(*) from ${ENGINE_SCHEMA}.jobs j where starts_with(j.task_identifier, $1)
        and j.locked_at is not null) as running,
      (select count(*) from ${ENGINE_SCHEMA}.jobs j where starts_with(j.task_identifier, $1)
        and j.locked_at is null and j.attempts < j.max_attempts and j.last_error is not null)
        as failed,
      (select count(*) from ${QUEUE_SCHEMA}.results where state = 'done') as done,
      (select count(*) from ${QUEUE_SCHEMA}.results where state = 'dead')
        + (select count(*) from ${ENGINE_SCHEMA}.jobs j where starts_with(j.task_identifier, $1)
          and j.locked_at is null and j.attempts >= j.max_attempts) as dead`,
    [TASK_PREFIX],
  );
  return {
    waiting: Number(row!.waiting),
    running: Number(row!.running),
    failed: Number(row!.failed),
    done: Number(row!.done),
    dead: Number(row!.dead),
  };
}

/**
 * Reads the queue's status.
 *
 * @param url The queue's PostgreSQL URL.
 * @returns The status.
 * @throws {Error} When the database cannot be reached (the message has no password).
 */
export async function queueStatus(url: string): Promise<QueueStatus> {
  checkQueueUrl(url);
  const db = openDatabase(url, { max: 1 });
  try {
    return await readStatus(db, redactQueueUrl(url));
  } catch (error) {
    throw new Error(
      `Cannot read the queue's status at ${redactQueueUrl(url)}: ${
        scrubQueueSecret((error as Error).message, url)
      }`,
      { cause: error },
    );
  } finally {
    await db.close().catch(() => {});
  }
}

async function readStatus(db: Database, shown: string): Promise<QueueStatus> {
  const [exists] = await db.query<{ ready: boolean }>(
    `select to_regclass($1) is not null and to_regclass($2) is not null as ready`,
    [`${QUEUE_SCHEMA}.results`, `${ENGINE_SCHEMA}.jobs`],
  );
  if (!exists!.ready) {
    return {
      url: shown,
      initialised: false,
      counts: { waiting: 0, running: 0, failed: 0, done: 0, dead: 0 },
      waitingByPluginHash: [],
      latestDead: [],
      workers: [],
      finishedLastMinute: 0,
      throughputPerSecond: 0,
    };
  }
  const counts = await readQueueCounts(db);
  const byHash = await db.query<{ hash: string; waiting: string; has: boolean }>(
    `select substr(j.task_identifier, length($1) + 1) as hash, count(*) as waiting,
      exists (select 1 from ${QUEUE_SCHEMA}.workers w where w.state = 'running'
        and w.plugin_hash = substr(j.task_identifier, length($1) + 1)) as has
     from ${ENGINE_SCHEMA}.jobs j
     where starts_with(j.task_identifier, $1) and j.locked_at is null
       and j.attempts < j.max_attempts
     group by j.task_identifier order by count(*) desc`,
    [TASK_PREFIX],
  );
  const dead = await db.query<{ key: string; reason: string | null; at: Date }>(
    `select key, reason, finished_at as at from ${QUEUE_SCHEMA}.results
     where state = 'dead' order by finished_at desc, key limit 10`,
  );
  const workers = await db.query<{
    id: string;
    host: string;
    pid: number;
    plugin_hash: string;
    concurrency: number;
    state: string;
    started_at: Date;
    last_heartbeat: Date;
    age: number;
    jobs_done: string;
  }>(
    `select id, host, pid, plugin_hash, concurrency, state, started_at, last_heartbeat,
      extract(epoch from now() - last_heartbeat)::float8 as age, jobs_done
     from ${QUEUE_SCHEMA}.workers order by last_heartbeat desc limit 100`,
  );
  const [recent] = await db.query<{ n: string }>(
    `select count(*) as n from ${QUEUE_SCHEMA}.results
     where finished_at > now() - interval '1 minute'`,
  );
  const finishedLastMinute = Number(recent!.n);
  return {
    url: shown,
    initialised: true,
    counts,
    waitingByPluginHash: byHash.map((r) => ({
      pluginHash: r.hash,
      waiting: Number(r.waiting),
      workerHasIt: r.has,
    })),
    latestDead: dead.map((r) => ({
      key: r.key,
      reason: r.reason ?? "no reason recorded",
      at: r.at.toISOString(),
    })),
    workers: workers.map((w) => ({
      id: w.id,
      host: w.host,
      pid: w.pid,
      pluginHash: w.plugin_hash,
      concurrency: w.concurrency,
      state: w.state,
      startedAt: w.started_at.toISOString(),
      lastHeartbeat: w.last_heartbeat.toISOString(),
      secondsSinceHeartbeat: Math.max(0, w.age),
      jobsDone: Number(w.jobs_done),
    })),
    finishedLastMinute,
    throughputPerSecond: finishedLastMinute / 60,
  };
}

/**
 * The status as text for a terminal: counts, jobs no live worker can take (with both plugin
 * hashes), the latest dead jobs with reasons, workers with their last heartbeat, throughput.
 *
 * @example
 * ```ts
 * import { formatQueueStatus } from "./queue_status.ts";
 * import { match } from "node:assert/strict";
 * const text = formatQueueStatus({
 *   url: "postgres://stop:***@db/stop", initialised: true,
 *   counts: { waiting: 2, running: 1, failed: 0, done: 40, dead: 1 },
 *   waitingByPluginHash: [{ pluginHash: "old", waiting: 2, workerHasIt: false }],
 *   latestDead: [{ key: "k1", reason: "payload is not an object", at: "2026-01-01T00:00:00.000Z" }],
 *   workers: [], finishedLastMinute: 30, throughputPerSecond: 0.5,
 * });
 * match(text, /waiting 2 · running 1 · failed 0 · done 40 · dead 1/);
 * match(text, /2 jobs need plugin old, which no running worker has/);
 * ```
 *
 * @param status From `queueStatus`.
 * @returns Lines of text, ending with a newline.
 */
export function formatQueueStatus(status: QueueStatus): string {
  const lines = [`queue ${status.url}`];
  if (!status.initialised) {
    lines.push("no queue here yet: nothing was ever submitted and no worker started");
    return `${lines.join("\n")}\n`;
  }
  const c = status.counts;
  lines.push(
    `jobs: waiting ${c.waiting} · running ${c.running} · failed ${c.failed} · done ${c.done} · dead ${c.dead}`,
  );
  lines.push(
    `throughput: ${status.finishedLastMinute} finished in the last minute (${
      status.throughputPerSecond.toFixed(2)
    }/s)`,
  );
  const running = status.workers.filter((w) => w.state === "running");
  const hashes = [...new Set(running.map((w) => w.pluginHash))];
  for (const group of status.waitingByPluginHash.filter((g) => !g.workerHasIt)) {
    lines.push(
      `${group.waiting} jobs need plugin ${group.pluginHash}, which no running worker has (${
        hashes.length === 0 ? "no worker is running" : `running workers have ${hashes.join(", ")}`
      })`,
    );
  }
  if (status.latestDead.length > 0) {
    lines.push("latest dead jobs:");
    for (const dead of status.latestDead) lines.push(`  ${dead.at}  ${dead.key}: ${dead.reason}`);
  }
  lines.push(`workers: ${running.length} running, ${status.workers.length} seen`);
  for (const w of status.workers) {
    lines.push(
      `  ${w.id}  ${w.state}  plugin ${w.pluginHash}  ×${w.concurrency}  ${w.jobsDone} jobs  ` +
        `heartbeat ${w.secondsSinceHeartbeat.toFixed(1)} s ago`,
    );
  }
  return `${lines.join("\n")}\n`;
}
