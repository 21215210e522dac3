/**
 * `stop queue status --queue URL`: what a PostgreSQL job queue holds (jobs by state), the
 * workers seen with their last heartbeat, and the throughput over the last minute.
 *
 * @module
 */
import { parseArgs } from "node:util";
import { printJson, say, UsageError } from "./_terminal.ts";
import { QUEUE_OPTION, QUEUE_URL_ENV, queueFlag } from "./_queue_flag.ts";
import { formatQueueStatus, type QueueStatus, readQueueStatus } from "./_queue_engine.ts";

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
    printJson(status);
    return 0;
  }
  say(await formatQueueStatus(status));
  return 0;
}
