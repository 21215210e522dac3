/**
 * What a process that opens the job queue must be allowed to read, kept apart from the engine
 * so that granting it (`experiments/run_permissions.ts`) loads neither the engine nor its
 * PostgreSQL driver.
 *
 * @module
 */

/**
 * The environment variables the engine and its driver read (an unset one is fine, but Deno
 * must allow reading it): libpq's `PG*` defaults (a URL without a password takes it from
 * `PGPASSWORD`), graphile-worker's own switches, and the colour check of a library it loads.
 * A process that opens the queue needs `--allow-env` of these, `--allow-sys=homedir` and read
 * access to the working directory: on import the engine searches for a config file from the
 * working directory upward, and the project's `.graphile-workerrc.json` ends that search at
 * the project root, so run it from there.
 */
export const QUEUE_ENV_VARS: readonly string[] = [
  "PGHOST",
  "PGPORT",
  "PGUSER",
  "PGPASSWORD",
  "PGDATABASE",
  "PGAPPNAME",
  "PGOPTIONS",
  "PGSSLMODE",
  "PGSSLNEGOTIATION",
  "PGCLIENT_ENCODING",
  "PGREPLICATION",
  "PGBINARY",
  "PGCONNECT_TIMEOUT",
  "DATABASE_URL",
  "GRAPHILE_ENV",
  "GRAPHILE_ENABLE_DANGEROUS_LOGS",
  "GRAPHILE_LOGGER_DEBUG",
  "GRAPHILE_WORKER_DEBUG",
  "GRAPHILE_WORKER_SCHEMA",
  "NO_LOG_SUCCESS",
  "CI",
];
