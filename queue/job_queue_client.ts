/**
 * The coordinator's side of the job queue: submit a job under a content key and get the
 * worker's result back when it is done. Results are keyed by content: a key submitted twice
 * (by this coordinator or another, or again after a resume) is queued once and its result
 * recorded once; a key whose result is already in the queue resolves at once without a new
 * job. Results arrive by `LISTEN/NOTIFY`, with no polling; a lost connection (a database
 * restart) is re-opened and every job still awaited is looked up and, if needed, queued again.
 * The queue knows nothing of what a job means: a payload is any JSON value.
 *
 * @module
 */
import { type Database, listen, type Listener, openDatabase } from "./graphile_engine.ts";
import { QueueJobDeadError } from "./errors.ts";
import { checkPluginHash, checkQueueKey } from "./job_envelope.ts";
import { type QueueCounts, readQueueCounts } from "./queue_status.ts";
import { checkQueueUrl, redactQueueUrl, scrubQueueSecret } from "./queue_url.ts";
import { throttleLines, withReconnect } from "./reconnect.ts";
import { ensureQueueSchema, QUEUE_SCHEMA, RESULT_CHANNEL, taskFor } from "./schema.ts";

export { QueueJobDeadError };

/** What a job needs of the worker that runs it. */
export interface JobRequirements {
  /** The build hash of the plugin the job must run on; other workers never take it. */
  pluginHash: string;
}

/** Options of `openJobQueue`. */
export interface JobQueueOptions {
  /** Attempts a job gets before it is dead-lettered (default 3; a lost worker's try counts). */
  maxAttempts?: number;
  /** How long to keep re-connecting to an unreachable database before failing (default 60 s). */
  reconnectTimeoutMs?: number;
  /**
   * How long opening waits for an unreachable database (a command that cannot reach its queue
   * should say so at once, not after a minute). @default {reconnectTimeoutMs}
   */
  openTimeoutMs?: number;
  /** Database connections at most, besides the listening one (default 10). */
  maxConnections?: number;
  /** Pause between reconnect attempts of the result listener (default 250 ms). */
  listenRetryMs?: number;
  /** Connection trouble that the queue rides out, one line each (no password in them). */
  onWarning?: (line: string) => void;
}

/** A job queue seen from the coordinator. */
export interface JobQueue {
  /** The queue's URL without its password. */
  readonly url: string;
  /**
   * Queues a job under a content key, unless its result or the job is there already, and
   * waits for its result.
   *
   * @param key The job's content key (1 to 512 characters): equal keys are one job.
   * @param payload The job, any JSON value; handed to a worker's `validate` and `handle`.
   * @param requires What the worker must have.
   * @returns The worker's result (JSON).
   * @throws {QueueJobDeadError} When the job was dead-lettered, with the reason.
   */
  submit(key: string, payload: unknown, requires: JobRequirements): Promise<unknown>;
  /** The queue's job counts (all coordinators' jobs). */
  counts(): Promise<QueueCounts>;
  /** Jobs submitted here whose result has not arrived yet. */
  readonly pending: number;
  /** Stops listening and closes the connections; jobs still awaited reject. */
  close(): Promise<void>;
}

interface Waiter {
  payload: unknown;
  requires: JobRequirements;
  promise: Promise<unknown>;
  resolve: (value: unknown) => void;
  reject: (error: Error) => void;
}

interface ResultRow {
  key?: string;
  state: "done" | "dead";
  result: unknown;
  reason: string | null;
}

/**
 * Opens the job queue at a PostgreSQL URL: creates its tables when missing, starts listening
 * for results, and returns the coordinator's handle.
 *
 * @example
 * ```ts ignore
 * const queue = await openJobQueue("postgres://stop:secret@db:5432/stop");
 * const result = await queue.submit("sha256:…", { any: "json" }, { pluginHash: "abc123" });
 * await queue.close();
 * ```
 *
 * @param url `postgres://user:password@host:port/database`.
 * @param options See `JobQueueOptions`.
 * @returns The queue.
 * @throws {Error} When the URL is not a PostgreSQL URL or the database cannot be reached
 *   within `reconnectTimeoutMs` (the message names the URL without its password).
 */
export async function openJobQueue(url: string, options: JobQueueOptions = {}): Promise<JobQueue> {
  checkQueueUrl(url);
  const maxAttempts = options.maxAttempts ?? 3;
  if (!Number.isInteger(maxAttempts) || maxAttempts < 1 || maxAttempts > 100) {
    throw new RangeError(
      `Cannot open the job queue as 'maxAttempts' must be a whole number from 1 to 100: current value is ${maxAttempts}`,
    );
  }
  const shown = redactQueueUrl(url);
  const scrub = (text: string) => scrubQueueSecret(text, url);
  const throttled = throttleLines((line) => options.onWarning?.(line), 10_000);
  const warn = (line: string) => throttled(scrub(line));
  const timeoutMs = options.reconnectTimeoutMs ?? 60_000;
  const db: Database = openDatabase(url, {
    max: options.maxConnections ?? 10,
    onError: (error) => warn(`queue connection lost (${error.message}); reconnecting`),
  });
  const retrying = <T>(describe: string, step: () => Promise<T>) =>
    withReconnect(step, { timeoutMs, describe: `${describe} at ${shown}`, scrub });
  try {
    await withReconnect(() => ensureQueueSchema(db), {
      timeoutMs: options.openTimeoutMs ?? timeoutMs,
      describe: `open the job queue at ${shown}`,
      scrub,
    });
  } catch (error) {
    await db.close().catch(() => {});
    throw new Error(`Cannot open the job queue at ${shown}: ${scrub((error as Error).message)}`, {
      cause: error,
    });
  }

  const waiters = new Map<string, Waiter>();
  let closed = false;

  const settle = (key: string, row: ResultRow) => {
    const waiter = waiters.get(key);
    if (waiter === undefined) return;
    waiters.delete(key);
    if (row.state === "done") waiter.resolve(row.result);
    else waiter.reject(new QueueJobDeadError(key, row.reason ?? "no reason recorded"));
  };
  const fail = (key: string, error: unknown) => {
    const waiter = waiters.get(key);
    if (waiter === undefined) return;
    waiters.delete(key);
    waiter.reject(new Error(scrub((error as Error).message), { cause: error }));
  };

  /** Queues the job unless its result or the job exists; settles it when the result exists. */
  const enqueue = async (key: string, waiter: Waiter) => {
    const envelope = JSON.stringify({ requires: waiter.requires, payload: waiter.payload });
    const rows = await retrying(
      `queue job '${key}'`,
      () =>
        db.query<ResultRow>(
          `select state, result, reason from ${QUEUE_SCHEMA}.submit($1, $2, $3::json, $4)`,
          [key, taskFor(waiter.requires.pluginHash), envelope, maxAttempts],
        ),
    );
    if (rows[0] !== undefined) settle(key, rows[0]);
  };

  /** Looks up the results of some awaited keys and settles those that have one. */
  const lookUp = async (keys: string[]): Promise<Set<string>> => {
    const rows = await retrying(
      "read job results",
      () =>
        db.query<ResultRow & { key: string }>(
          `select key, state, result, reason from ${QUEUE_SCHEMA}.results where key = any($1::text[])`,
          [keys],
        ),
    );
    for (const row of rows) settle(row.key, row);
    return new Set(rows.map((row) => row.key));
  };

  let notified = new Set<string>();
  let flushScheduled = false;
  const flush = () => {
    flushScheduled = false;
    const keys = [...notified].filter((key) => waiters.has(key));
    notified = new Set();
    if (keys.length === 0 || closed) return;
    lookUp(keys).catch((error) => {
      for (const key of keys) fail(key, error);
    });
  };

  /** After a reconnect: results may have been notified while nobody listened. */
  const catchUp = async () => {
    const keys = [...waiters.keys()];
    if (keys.length === 0) return;
    const found = await lookUp(keys);
    await Promise.all(
      keys.filter((key) => !found.has(key)).map(async (key) => {
        const waiter = waiters.get(key);
        if (waiter !== undefined) await enqueue(key, waiter);
      }),
    );
  };

  let listening!: () => void;
  const firstListen = new Promise<void>((resolve) => listening = resolve);
  const listener: Listener = listen(url, RESULT_CHANNEL, {
    onNotification: (message) => {
      if (message.startsWith("r:")) {
        let row: ResultRow & { key: string };
        try {
          row = JSON.parse(message.slice(2));
        } catch {
          return;
        }
        settle(row.key, row);
        return;
      }
      const key = message.slice(2);
      if (!waiters.has(key)) return;
      notified.add(key);
      if (!flushScheduled) {
        flushScheduled = true;
        setTimeout(flush, 0);
      }
    },
    onListening: (reconnected) => {
      listening();
      if (reconnected) {
        warn("queue listener reconnected; catching up on results");
        catchUp().catch((error) => {
          for (const key of [...waiters.keys()]) fail(key, error);
        });
      }
    },
    onError: (error) => warn(`queue listener lost its connection (${error.message}); reconnecting`),
  }, { retryMs: options.listenRetryMs ?? 250 });
  let timer: ReturnType<typeof setTimeout> | undefined;
  const listenTimeout = new Promise<never>((_, reject) => {
    timer = setTimeout(
      () => reject(new Error(`Cannot listen for results at ${shown} within ${timeoutMs} ms`)),
      timeoutMs,
    );
  });
  try {
    await Promise.race([firstListen, listenTimeout]);
  } catch (error) {
    await listener.close();
    await db.close().catch(() => {});
    throw error;
  } finally {
    clearTimeout(timer);
  }

  return {
    url: shown,
    get pending() {
      return waiters.size;
    },
    submit(key, payload, requires) {
      if (closed) {
        return Promise.reject(new Error(`Cannot submit job '${key}': the queue is closed`));
      }
      try {
        checkQueueKey(key);
        checkPluginHash(requires?.pluginHash);
        if (payload === undefined || JSON.stringify(payload) === undefined) {
          throw new TypeError(`Cannot submit job '${key}' as its payload is not a JSON value`);
        }
      } catch (error) {
        return Promise.reject(error);
      }
      const existing = waiters.get(key);
      if (existing !== undefined) return existing.promise;
      let resolve!: (value: unknown) => void;
      let reject!: (error: Error) => void;
      const promise = new Promise<unknown>((res, rej) => {
        resolve = res;
        reject = rej;
      });
      const waiter: Waiter = {
        payload,
        requires: { pluginHash: requires.pluginHash },
        promise,
        resolve,
        reject,
      };
      waiters.set(key, waiter);
      enqueue(key, waiter).catch((error) => fail(key, error));
      return promise;
    },
    counts: () => retrying("count the queue's jobs", () => readQueueCounts(db)),
    async close() {
      if (closed) return;
      closed = true;
      await listener.close();
      for (const key of [...waiters.keys()]) {
        fail(key, new Error(`Cannot wait for job '${key}': the queue was closed`));
      }
      await db.close().catch(() => {});
    },
  };
}
