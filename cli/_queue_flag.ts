/**
 * `--queue URL` (or `STOP_QUEUE_URL`): the PostgreSQL job queue a command's leaf evaluations
 * go to. The URL may carry a password: it is kept in memory only. What a run stores (its
 * `config.json`, reports, the audit log) is the redacted form, without user password or query
 * parameters; a resumed run takes the URL again from the flag or the environment.
 *
 * @module
 */
import { UsageError } from "./_terminal.ts";

/** The environment variable that gives the queue URL when `--queue` is not given. */
export const QUEUE_URL_ENV = "STOP_QUEUE_URL";

/** The `parseArgs` option of `--queue`. */
export const QUEUE_OPTION = { queue: { type: "string" } } as const;

/** The help lines of `--queue`, for a command that scores programs. */
export const QUEUE_HELP =
  `  --queue URL          score every program on a PostgreSQL job queue, by workers started
                       with 'deno task stop worker --queue URL' on any machines, instead of
                       in local sandboxes (same numbers); or ${QUEUE_URL_ENV}. Prefer the
                       variable for a URL with a password (command lines are visible to
                       other users); the password is never written to the run directory`;

/** The queue a command was given. */
export interface QueueTarget {
  /** The URL as given, credentials included: memory only, never written or printed. */
  readonly url: string;
  /** The URL without password or query (`postgres://user@host:5432/db`): safe to store. */
  readonly redacted: string;
  /** `host:port` of the database, as Deno's `--allow-net` spells it. */
  readonly host: string;
  /** Replaces the URL's secrets (its password, and the URL itself) in a text with `***`. */
  scrub(text: string): string;
}

/** The database port when the URL gives none. */
const DEFAULT_PORT = "5432";

/**
 * Parses a queue URL.
 *
 * @example
 * ```ts
 * import { parseQueueUrl } from "./_queue_flag.ts";
 * import { equal } from "node:assert/strict";
 * const queue = parseQueueUrl("postgres://stop:s3cret@db.lan/jobs?sslmode=require", "run");
 * equal(queue.redacted, "postgres://stop@db.lan:5432/jobs");
 * equal(queue.host, "db.lan:5432");
 * equal(queue.scrub("auth failed for s3cret"), "auth failed for ***");
 * ```
 *
 * @param text The URL.
 * @param action What the command was about to do, for the message.
 * @returns The target.
 * @throws {UsageError} When it is not a `postgres://` or `postgresql://` URL with a host.
 */
export function parseQueueUrl(text: string, action: string): QueueTarget {
  let parsed: URL;
  try {
    parsed = new URL(text);
  } catch {
    // The text may hold a password: say what is wrong without it.
    throw new UsageError(
      `Cannot ${action} as the queue URL is not a URL: it must look like postgres://user:password@host:5432/database`,
    );
  }
  if (parsed.protocol !== "postgres:" && parsed.protocol !== "postgresql:") {
    throw new UsageError(
      `Cannot ${action} as the queue URL must start with postgres:// or postgresql://: current scheme is '${
        parsed.protocol.slice(0, 20)
      }'`,
    );
  }
  if (parsed.hostname === "") {
    throw new UsageError(
      `Cannot ${action} as the queue URL names no host (a Unix socket cannot be reached from other machines): use postgres://user:password@host:5432/database`,
    );
  }
  const port = parsed.port === "" ? DEFAULT_PORT : parsed.port;
  const user = parsed.username === "" ? "" : `${parsed.username}@`;
  const redacted = `${parsed.protocol}//${user}${parsed.hostname}:${port}${parsed.pathname}`;
  const secrets = [text, decodeURIComponent(parsed.password), parsed.password]
    .concat(
      [...parsed.searchParams].filter(([k]) => /pass|key|secret|token/i.test(k)).map(([, v]) => v),
    )
    .filter((s) => s !== "")
    .sort((a, b) => b.length - a.length);
  return {
    url: text,
    redacted,
    host: `${parsed.hostname}:${port}`,
    scrub: (value: string) => secrets.reduce((out, secret) => out.split(secret).join("***"), value),
  };
}

/**
 * The queue a command line asks for: `--queue`, else `STOP_QUEUE_URL`, else none.
 *
 * @param flag The value of `--queue`, if given.
 * @param action What the command was about to do, for the message.
 * @param env Reads an environment variable. @default {`Deno.env.get`, when permitted}
 * @returns The target, or `undefined` for local sandboxes.
 * @throws {UsageError} When the URL is not usable (see {@linkcode parseQueueUrl}).
 */
export function queueFlag(
  flag: string | undefined,
  action: string,
  env: (name: string) => string | undefined = readEnv,
): QueueTarget | undefined {
  const text = flag ?? env(QUEUE_URL_ENV);
  if (text === undefined || text === "") {
    if (flag === "") {
      throw new UsageError(`Cannot ${action} as '--queue' is empty: give the queue's URL`);
    }
    return undefined;
  }
  return parseQueueUrl(text, action);
}

function readEnv(name: string): string | undefined {
  const state = Deno.permissions.querySync({ name: "env", variable: name }).state;
  return state === "granted" ? Deno.env.get(name) : undefined;
}
