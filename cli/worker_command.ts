/**
 * `stop worker --queue URL [--sandboxes N]`: takes leaf evaluations (one program scored on one
 * task's split) from a PostgreSQL job queue and runs them in local sandboxes, until Ctrl-C.
 * A worker needs no model key and no network but the database's.
 *
 * @module
 */
import { parseArgs } from "node:util";
import { pluginBuildHash } from "../sandbox/plugin_build_hash.ts";
import { evaluatorBuildHash } from "../utilities/evaluator_build_hash.ts";
import type { LeafJob } from "../utilities/leaf_job.ts";
import { leafJobBuild, validateLeafJob } from "../utilities/leaf_job.ts";
import { runLeafJob } from "../utilities/leaf_evaluation.ts";
import { paint, say, UsageError } from "./_terminal.ts";
import { numberFlag } from "./_flags.ts";
import { QUEUE_OPTION, QUEUE_URL_ENV, queueFlag } from "./_queue_flag.ts";
import { runQueueWorkerOn } from "./_queue_engine.ts";

/** Usage text of the command. */
export const WORKER_USAGE = `Usage: deno task stop worker --queue URL [options]

Takes program evaluations from a PostgreSQL job queue and runs them in local sandboxes, until
Ctrl-C (the jobs under way finish first). Start any number of workers, on any machines that
reach the database; a run started with --queue on a coordinator hands them its evaluations.
A worker needs no model key and connects to nothing but the database. It takes only jobs
built for its own sandbox plugin (the same 'deno task setup' build as the coordinator's), and
refuses a malformed job before anything runs (the queue keeps it as dead, with the reason).

Options:
  --queue URL          the queue (postgres://user:password@host:5432/database), or
                       ${QUEUE_URL_ENV} (prefer the variable for a URL with a password)
  --sandboxes N        evaluations run at once                      (default: cores)
  --help               show this help`;

/**
 * Runs the command.
 *
 * @param argv The arguments after `worker`.
 * @param options.env Reads an environment variable (tests). @default {`Deno.env.get`}
 * @returns The exit code (0 after a clean stop).
 */
export async function workerCommand(
  argv: string[],
  options: { env?: (name: string) => string | undefined } = {},
): Promise<number> {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: {
      ...QUEUE_OPTION,
      sandboxes: { type: "string" },
      help: { type: "boolean", default: false },
    },
  });
  if (values.help) {
    say(WORKER_USAGE);
    return 0;
  }
  if (positionals.length > 0) {
    throw new UsageError(`Cannot start a worker: unexpected argument '${positionals[0]}'`);
  }
  const sandboxes = values.sandboxes === undefined
    ? Math.max(1, navigator.hardwareConcurrency ?? 2)
    : numberFlag(values.sandboxes, {
      action: "start a worker",
      name: "sandboxes",
      integer: true,
      min: 1,
    });
  const queue = queueFlag(values.queue, "start a worker", options.env);
  if (queue === undefined) {
    throw new UsageError(
      `Cannot start a worker as no queue is given: pass --queue URL or set ${QUEUE_URL_ENV}`,
    );
  }
  const pluginHash = await pluginBuildHash();
  const hostHash = await evaluatorBuildHash();
  // Jobs carry both hashes; the queue hands this worker only the jobs of its build.
  const build = leafJobBuild({ pluginHash, hostHash });
  say(
    `worker: taking evaluations from ${queue.redacted} with ${sandboxes} sandbox(es), build ${build}; Ctrl-C stops`,
  );
  const { promise: stopped, resolve: stop } = Promise.withResolvers<void>();
  const onSignal = () => {
    say("worker: stopping after the jobs under way…");
    stop();
  };
  Deno.addSignalListener("SIGINT", onSignal);
  Deno.addSignalListener("SIGTERM", onSignal);
  let done = 0, refused = 0;
  try {
    await runQueueWorkerOn(queue, {
      sandboxes,
      pluginHash: build,
      validate: validateLeafJob,
      handle: (payload) => runLeafJob(payload as LeafJob, { pluginHash, hostHash }),
      stopped,
      onJob: (outcome) => {
        if (outcome.ok) done++;
        else {
          refused++;
          say(paint("yellow", `job ${outcome.key.slice(0, 12)} failed: ${outcome.error ?? ""}`));
        }
      },
    });
  } catch (error) {
    throw new Error(queue.scrub((error as Error).message), { cause: error });
  } finally {
    Deno.removeSignalListener("SIGINT", onSignal);
    Deno.removeSignalListener("SIGTERM", onSignal);
  }
  say(`worker: stopped; ${done} job(s) done, ${refused} failed`);
  return 0;
}
