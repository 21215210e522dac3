/**
 * The queue's own tables, beside the engine's: results keyed by content (each key recorded
 * once, done or dead), with a notification on every new result, and the workers' heartbeats.
 *
 * @module
 */
import { type Database, ENGINE_SCHEMA, migrateEngine } from "./graphile_engine.ts";

/** The schema of the queue's own tables. */
export const QUEUE_SCHEMA = "stop_queue";

/**
 * The channel a new result is notified on: `r:` and the result row as JSON (`key`, `state`,
 * `result`, `reason`) when it fits in a notification, else `k:` and the key.
 */
export const RESULT_CHANNEL = "stop_queue_result";

/** Prefix of the engine task names; the plugin hash follows, one task per hash. */
export const TASK_PREFIX = "stop_queue/";

/**
 * The engine task name for jobs that need a plugin hash: a worker takes only its own hash's
 * task, so a job for another plugin waits for a worker that has it.
 *
 * @param pluginHash The plugin's build hash.
 * @returns The task name.
 */
export function taskFor(pluginHash: string): string {
  return `${TASK_PREFIX}${pluginHash}`;
}

const TABLES = `
create schema if not exists ${QUEUE_SCHEMA};
create table if not exists ${QUEUE_SCHEMA}.results (
  key text primary key,
  state text not null check (state in ('done', 'dead')),
  result json,
  reason text,
  plugin_hash text,
  worker_id text,
  attempts integer not null,
  finished_at timestamptz not null default now()
);
create index if not exists results_finished_at on ${QUEUE_SCHEMA}.results (finished_at);
create table if not exists ${QUEUE_SCHEMA}.workers (
  id text primary key,
  host text not null,
  pid integer not null,
  plugin_hash text not null,
  concurrency integer not null,
  lease_ms integer not null,
  engine_id text,
  state text not null default 'running' check (state in ('running', 'stopped', 'lost')),
  started_at timestamptz not null default now(),
  last_heartbeat timestamptz not null default now(),
  jobs_done bigint not null default 0
);
create or replace function ${QUEUE_SCHEMA}.notify_result() returns trigger
language plpgsql as $$
declare
  message text := 'r:' || json_build_object(
    'key', new.key, 'state', new.state, 'result', new.result, 'reason', new.reason
  )::text;
begin
  -- The whole result when it fits in a notification (8000 bytes), else only its key.
  if octet_length(message) > 7900 then
    message := 'k:' || new.key;
  end if;
  perform pg_notify('${RESULT_CHANNEL}', message);
  return null;
end
$$;
create or replace trigger results_notify after insert on ${QUEUE_SCHEMA}.results
  for each row execute function ${QUEUE_SCHEMA}.notify_result();
create or replace function ${QUEUE_SCHEMA}.submit(
  p_key text, p_task text, p_envelope json, p_max_attempts integer
) returns table (state text, result json, reason text)
language plpgsql as $$
begin
  return query select r.state, r.result, r.reason from ${QUEUE_SCHEMA}.results r
    where r.key = p_key;
  if not found then
    perform ${ENGINE_SCHEMA}.add_job(
      p_task, p_envelope, max_attempts := p_max_attempts, job_key := p_key,
      job_key_mode := 'unsafe_dedupe'
    );
  end if;
end
$$;
`;

/**
 * Creates the engine's and the queue's tables when they are missing (idempotent; concurrent
 * callers wait for each other on an advisory lock).
 *
 * @param db The database.
 */
export async function ensureQueueSchema(db: Database): Promise<void> {
  await migrateEngine(db);
  await db.transaction(async (query) => {
    await query("select pg_advisory_xact_lock(hashtext($1))", [QUEUE_SCHEMA]);
    await query(TABLES);
  });
}
