/**
 * `stop queue status --queue URL`: what a PostgreSQL job queue holds (jobs by state), the
 * workers seen with their last heartbeat, and the throughput over the last minute.
 *
 * @module
 */
import { parseArgs } from "node:util";
import { printJson, say, UsageError } from "./_terminal.ts";
import { QUEUE_OPTION, QUEUE_URL_ENV, queueFlag } from "./_queue_flag.ts";
import { type QueueStatus, readQueueStatus } from "./queue_engine.ts";

/** Usage text of the command. */
export const QUEUE_USAGE = `Usage: deno task stop queue status --queue URL [options]

Shows a PostgreSQL job queue of program evaluations: jobs waiting, running, done, failed and
dead (refused as malformed, or failed on every try, with the reason); the workers seen with
their last heartbeat; and jobs finished over the last minute.

Options:
  --queue URL          the queue (postgres://user:password@host:5432/database), or
                       ${QUEUE_URL_ENV} (prefer the variable for a URL with a password)
  --json               end with one JSON object on its own line
  --help               show this help`;

/**
 * The lines `stop queue status` prints.
 *
 * @example
 * ```ts
 * import { formatQueueStatus } from "./queue_command.ts";
 * import { match } from "node:assert/strict";
 * const lines = formatQueueStatus({
 *   jobs: { waiting: 3, running: 2, done: 40, failed: 1, dead: 0 },
 *   workers: [],
 *   lastMinute: 12,
 * }, new Date());
 * match(lines[0]!, /3 waiting, 2 running, 40 done, 1 failed, 0 dead/);
 * ```
 *
 * @param status The queue's state.
 * @param now The time heartbeats are measured against.
 * @returns Lines of text.
 */
export function formatQueueStatus(status: QueueStatus, now: Date): string[] {
  const j = status.jobs;
  const lines = [
    `jobs: ${j.waiting} waiting, ${j.running} running, ${j.done} done, ${j.failed} failed, ${j.dead} dead`,
    `throughput: ${status.lastMinute} job(s) finished in the last minute`,
    `workers: ${status.workers.length === 0 ? "none seen" : status.workers.length}`,
  ];
  for (const w of status.workers) {
    const ago = Math.max(0, Math.round((now.getTime() - Date.parse(w.lastHeartbeat)) / 1000));
    const running = w.running === undefined ? "" : `, ${w.running} running`;
    const plugin = w.pluginHash === undefined ? "" : `, plugin ${w.pluginHash}`;
    lines.push(
      `  ${w.id}: last heartbeat ${
        Number.isFinite(ago) ? `${ago} s ago` : "unknown"
      }${running}${plugin}`,
    );
  }
  return lines;
}

/**
 * Runs the command.
 *
 * @param argv The arguments after `queue`.
 * @param options.env Reads an environment variable (tests). @default {`Deno.env.get`}
 * @returns The exit code.
 */
export async function queueCommand(
  argv: string[],
  options: { env?: (name: string) => string | undefined } = {},
): Promise<number> {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: {
      ...QUEUE_OPTION,
      json: { type: "boolean", default: false },
      help: { type: "boolean", default: false },
    },
  });
  if (values.help) {
    say(QUEUE_USAGE);
    return 0;
  }
  const [sub, ...rest] = positionals;
  if (sub === undefined) {
    throw new UsageError("Cannot run 'queue' without a subcommand: use 'queue status'");
  }
  if (sub !== "status") {
    throw new UsageError(`Cannot run 'queue ${sub}': the only subcommand is 'status'`);
  }
  if (rest.length > 0) {
    throw new UsageError(`Cannot show the queue's status: unexpected argument '${rest[0]}'`);
  }
  const queue = queueFlag(values.queue, "show the queue's status", options.env);
  if (queue === undefined) {
    throw new UsageError(
      `Cannot show the queue's status as no queue is given: pass --queue URL or set ${QUEUE_URL_ENV}`,
    );
  }
  let status: QueueStatus;
  try {
    status = await readQueueStatus(queue);
  } catch (error) {
    throw new Error(queue.scrub((error as Error).message), { cause: error });
  }
  if (values.json) {
    printJson({ queue: queue.redacted, ...status });
    return 0;
  }
  say(`queue ${queue.redacted}`);
  for (const line of formatQueueStatus(status, new Date())) say(line);
  return 0;
}
