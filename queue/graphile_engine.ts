/**
 * The one file that imports the job-queue engine: `graphile-worker` (jobs in PostgreSQL, taken
 * with `SKIP LOCKED` and woken by `LISTEN/NOTIFY`) and the `pg` client under it. The rest of
 * `queue/` sees only the small interfaces below, so swapping the engine touches this file alone.
 *
 * Why graphile-worker rather than pg-boss (both spiked under Deno 2.9.6): graphile-worker is
 * woken by `LISTEN/NOTIFY` (500 jobs in 0.56 s against pg-boss's 5.0 s, which polls), it has
 * per-job keys with a de-duplicating mode (`unsafe_dedupe`: a key already queued or running is
 * not queued again), bounded retries per job (`max_attempts`), and public SQL functions to
 * unlock the jobs of a worker known to be dead (`force_unlock_workers`) and to remove jobs
 * (`complete_jobs`). Its own lock timeout (4 hours, fixed in its SQL) is far too long for us,
 * so the queue's lease is ours: heartbeats, and `force_unlock_workers` on the pools of workers
 * whose heartbeat stopped (see `queue_worker.ts`).
 *
 * Re-checked for this file: pg-boss 12.38 has since gained an opt-in LISTEN/NOTIFY mode per
 * queue, a fixed per-job expiry and dead-letter queues; a fixed expiry must outlast the
 * longest job, where a heartbeat lease does not, and graphile-worker was already working
 * here, so it stays. Its costs under Deno: importing it searches for a config file from the
 * working directory upward (cosmiconfig; `.graphile-workerrc.json` at the project root ends
 * the search), and it and `pg` read the environment variables in `QUEUE_ENV_VARS`.
 *
 * @module
 */
import { EventEmitter } from "node:events";
import type { JobHelpers, Logger, Runner, WorkerEvents, WorkerPool } from "graphile-worker";
import pg from "pg";

export { QUEUE_ENV_VARS } from "./queue_env.ts";

/** The PostgreSQL schema graphile-worker keeps its jobs in. */
export const ENGINE_SCHEMA = "graphile_worker";

/** A pool of database connections. */
export interface Database {
  /**
   * Runs one statement.
   *
   * @param text SQL with `$1`… placeholders.
   * @param values The placeholders' values.
   * @returns The rows.
   */
  query<Row = Record<string, unknown>>(text: string, values?: unknown[]): Promise<Row[]>;
  /**
   * Runs statements in one transaction on one connection (rolled back when `work` throws).
   *
   * @param work Gets a `query` bound to the transaction's connection.
   * @returns What `work` returns.
   */
  transaction<T>(work: (query: Database["query"]) => Promise<T>): Promise<T>;
  /** Closes every connection. */
  close(): Promise<void>;
  /** @internal The engine's pool. */
  readonly _pool: pg.Pool;
}

/**
 * Opens a pool of connections (lazily: nothing connects until the first query). Connection
 * errors of idle connections are passed to `onError` instead of crashing the process; the
 * pool drops such a connection and opens a new one on the next query.
 *
 * @param url `postgres://user:password@host:port/database`.
 * @param options.max Connections at most (default 10).
 * @param options.onError Errors of idle connections (a database restart, say).
 * @returns The pool.
 */
export function openDatabase(
  url: string,
  options: { max?: number; onError?: (error: Error) => void } = {},
): Database {
  const pool = new pg.Pool({
    connectionString: url,
    max: options.max ?? 10,
    connectionTimeoutMillis: 10_000,
  });
  pool.on("error", (error: Error) => options.onError?.(error));
  // A connection that fails while checked out reports here too; the engine checks that both
  // handlers exist and warns on the console otherwise.
  pool.on("connect", (client: pg.PoolClient) => {
    client.on("error", (error: Error) => options.onError?.(error));
  });
  const query = async <Row>(text: string, values?: unknown[]): Promise<Row[]> =>
    (await pool.query(text, values)).rows as Row[];
  return {
    query,
    async transaction<T>(work: (query: Database["query"]) => Promise<T>): Promise<T> {
      const client = await pool.connect();
      let broken: Error | undefined;
      try {
        await client.query("begin");
        const result = await work(async <Row>(text: string, values?: unknown[]) =>
          (await client.query(text, values)).rows as Row[]
        );
        await client.query("commit");
        return result;
      } catch (error) {
        try {
          await client.query("rollback");
        } catch (rollbackError) {
          broken = rollbackError as Error;
        }
        throw error;
      } finally {
        client.release(broken);
      }
    },
    close: () => pool.end(),
    _pool: pool,
  };
}

/** A connection that listens on one channel and reconnects when it is cut. */
export interface Listener {
  /** Stops listening and closes the connection. */
  close(): Promise<void>;
}

/**
 * Listens on a notification channel on a connection of its own, reconnecting (every
 * `retryMs`) whenever the connection is lost, e.g. when the database restarts.
 *
 * @param url The database URL.
 * @param channel The channel (a plain identifier).
 * @param handlers.onNotification Each notification's payload.
 * @param handlers.onListening After each successful `LISTEN` (the first and every reconnect):
 *   notifications sent while disconnected are lost, so this is where to catch up.
 * @param handlers.onError A lost connection, once per outage (reconnect attempts follow).
 * @param options.retryMs Delay between reconnect attempts (default 250 ms).
 * @returns The listener.
 */
export function listen(
  url: string,
  channel: string,
  handlers: {
    onNotification: (payload: string) => void;
    onListening: (reconnected: boolean) => void;
    onError: (error: Error) => void;
  },
  options: { retryMs?: number } = {},
): Listener {
  if (!/^[a-z_][a-z0-9_]*$/.test(channel)) {
    throw new TypeError(`Cannot listen on '${channel}': use a plain lower-case identifier`);
  }
  let closed = false;
  let client: pg.Client | undefined;
  let timer: ReturnType<typeof setTimeout> | undefined;
  let connectedOnce = false;
  const retryMs = options.retryMs ?? 250;
  const scheduleReconnect = () => {
    if (closed || timer !== undefined) return;
    timer = setTimeout(() => {
      timer = undefined;
      void connect();
    }, retryMs);
  };
  const connect = async () => {
    const next = new pg.Client({ connectionString: url, connectionTimeoutMillis: 10_000 });
    let failed = false;
    const fail = (error: Error) => {
      if (failed) return;
      failed = true;
      const wasListening = client === next;
      if (wasListening) client = undefined;
      next.end().catch(() => {});
      // Said once per outage: when a listening connection is lost, or when the first
      // connection fails; not for every failed reconnect while the database is down.
      if (!closed && (wasListening || !connectedOnce)) handlers.onError(error);
      scheduleReconnect();
    };
    next.on("error", fail);
    next.on("end", () => fail(new Error("the listening connection ended")));
    next.on("notification", (message) => {
      if (message.channel === channel) handlers.onNotification(message.payload ?? "");
    });
    try {
      await next.connect();
      await next.query(`listen ${channel}`);
    } catch (error) {
      fail(error as Error);
      return;
    }
    if (closed) {
      failed = true;
      await next.end().catch(() => {});
      return;
    }
    client = next;
    const reconnected = connectedOnce;
    connectedOnce = true;
    handlers.onListening(reconnected);
  };
  void connect();
  return {
    async close() {
      closed = true;
      if (timer !== undefined) clearTimeout(timer);
      const current = client;
      client = undefined;
      await current?.end().catch(() => {});
    },
  };
}

/** What a task handler gets about its job from the engine. */
export interface EngineJob {
  /** The engine's id of the job. */
  id: string;
  /** The job's key (the content key it was submitted with), or null for a job without one. */
  key: string | null;
  /** Attempts so far, this one included. */
  attempts: number;
  /** Attempts allowed. */
  maxAttempts: number;
}

/** A running pool of engine workers. */
export interface EngineRunner {
  /** The id the engine locks this pool's jobs with (`locked_by`). */
  poolId: string;
  /** Stops taking jobs, waits for the running ones, and stops. */
  stop(): Promise<void>;
  /** Settles when the pool has stopped (rejects when it failed). */
  done: Promise<void>;
}

/**
 * Creates or upgrades the engine's tables (idempotent; concurrent callers are serialised by
 * the engine's own lock).
 *
 * @param db The database.
 */
export async function migrateEngine(db: Database): Promise<void> {
  const engine = await loadEngine();
  await engine.runMigrations({ pgPool: db._pool, logger: quietLogger(engine, () => {}) });
}

/**
 * Imports the engine, only when a queue is opened: importing it reads the environment and
 * searches the working directory for a config file, which a process that never uses the
 * queue must not need permissions for.
 */
function loadEngine(): Promise<typeof import("graphile-worker")> {
  return import("graphile-worker");
}

function quietLogger(
  engine: typeof import("graphile-worker"),
  log: (line: string) => void,
): Logger {
  return new engine.Logger((scope) => (level, message) => {
    if (level === "error" || level === "warning") {
      log(`${level}${scope.label ? ` (${scope.label})` : ""}: ${message}`);
    }
  });
}

/**
 * Starts a pool of engine workers that take jobs of one task and run `handler` on each. A
 * handler that returns completes its job (the engine deletes it); one that throws fails the
 * attempt, and the engine retries it later with exponential back-off while attempts remain.
 *
 * @param options.db The database (the engine uses its pool).
 * @param options.task The task identifier whose jobs this pool takes.
 * @param options.concurrency Jobs at once.
 * @param options.pollIntervalMs How often an idle pool looks for jobs besides being woken by
 *   `LISTEN/NOTIFY` (which covers new jobs; the poll finds unlocked and retried ones).
 * @param options.prefetch Jobs fetched and locked at once by the pool and served to its
 *   slots in turn (the engine's local queue); 0 or 1 for one job per fetch.
 * @param options.handler Runs one job.
 * @param options.log The engine's warnings and errors, one line each.
 * @returns The running pool.
 */
export async function runEngine(options: {
  db: Database;
  task: string;
  concurrency: number;
  pollIntervalMs: number;
  prefetch: number;
  handler: (payload: unknown, job: EngineJob) => Promise<void>;
  log: (line: string) => void;
}): Promise<EngineRunner> {
  const events: WorkerEvents = new EventEmitter() as WorkerEvents;
  let poolId: string | undefined;
  events.on("pool:create", ({ workerPool }: { workerPool: WorkerPool }) => {
    poolId = workerPool.id;
  });
  const engine = await loadEngine();
  const runner: Runner = await engine.run({
    pgPool: options.db._pool,
    concurrency: options.concurrency,
    pollInterval: options.pollIntervalMs,
    noHandleSignals: true,
    crontab: "",
    // Completions of jobs that finish together go to the database as one statement.
    preset: {
      worker: {
        completeJobBatchDelay: 0,
        // Fetching (and locking) several jobs in one statement, served to the slots in turn.
        localQueue: { size: options.prefetch > 1 ? options.prefetch : -1 },
      },
    },
    logger: quietLogger(engine, options.log),
    events,
    taskList: {
      [options.task]: async (payload: unknown, helpers: JobHelpers) => {
        const job = helpers.job;
        await options.handler(payload, {
          id: String(job.id),
          key: job.key,
          attempts: job.attempts,
          maxAttempts: job.max_attempts,
        });
      },
    },
  });
  if (poolId === undefined) {
    await runner.stop();
    throw new Error("Cannot start the queue worker as the engine did not report its pool id");
  }
  return { poolId, stop: () => runner.stop(), done: runner.promise };
}
