// deno-lint-ignore-file no-console -- an entry point: it reports readiness on stdout
/**
 * A queue worker with a fake handler, for the queue's tests and benchmark: a job's payload
 * `{ a, b, sleepMs }` gives `{ sum: a + b, product: a * b, by: <worker label> }` after
 * `sleepMs` of waiting (with `padBytes: n`, also `pad`: n times "x"; with `holdFile: path`, only
 * once that file exists, so a test decides when held jobs may end); `{ fail: "message" }` throws that message. `validate` rejects anything
 * else (not an object, non-finite numbers, a sleep outside 0..60000 ms). With `--calls FILE`
 * every call of the handler appends its payload as one JSON line to FILE, so a test can tell
 * that a payload never reached it. Prints `ready <worker id>` once it takes jobs; SIGTERM
 * stops it cleanly. The queue URL comes from `STOP_QUEUE_URL`, never from the command line.
 *
 * ```sh
 * STOP_QUEUE_URL=postgres://… deno run --allow-net=127.0.0.1 --allow-env=STOP_QUEUE_URL \
 *   tests/queue_worker_entry.ts --plugin-hash h1 --concurrency 2
 * ```
 *
 * @module
 */
import { parseArgs } from "node:util";
import { runQueueWorker } from "../queue/queue_worker.ts";
import { exists } from "../setup/setup_tools.ts";

/** Why a fake job's payload must not run, or undefined. */
export function validateFakeJob(payload: unknown): string | undefined {
  if (typeof payload !== "object" || payload === null || Array.isArray(payload)) {
    return "the payload is not an object";
  }
  const p = payload as Record<string, unknown>;
  if (typeof p.fail === "string") return undefined;
  if (typeof p.a !== "number" || !Number.isFinite(p.a)) return "'a' is not a finite number";
  if (typeof p.b !== "number" || !Number.isFinite(p.b)) return "'b' is not a finite number";
  const pad = p.padBytes ?? 0;
  if (typeof pad !== "number" || !Number.isInteger(pad) || pad < 0 || pad > 1_000_000) {
    return "'padBytes' is not a whole number from 0 to 1000000";
  }
  if (p.holdFile !== undefined && typeof p.holdFile !== "string") {
    return "'holdFile' is not a path";
  }
  const sleep = p.sleepMs ?? 0;
  if (typeof sleep !== "number" || !(sleep >= 0 && sleep <= 60_000)) {
    return "'sleepMs' is not a number of milliseconds from 0 to 60000";
  }
  return undefined;
}

const HELP =
  `Usage: STOP_QUEUE_URL=postgres://… deno run --allow-net=HOST --allow-env=STOP_QUEUE_URL,… \\
  tests/queue_worker_entry.ts --plugin-hash H [options]

A queue worker with a fake handler, for the queue's tests and benchmark: { a, b, sleepMs }
gives { sum, product, by } after sleepMs (and once the file holdFile exists, if given);
{ fail: "message" } throws. Prints 'ready <id>'.

Options:
  --plugin-hash H     the plugin hash whose jobs it takes (required)
  --concurrency N     jobs at once (default 1)
  --lease-ms MS       its lease (default 30000)
  --heartbeat-ms MS   its heartbeat (default lease / 3)
  --poll-ms MS        the engine's poll when idle (default 1000)
  --prefetch N        jobs fetched and locked at once (default 0)
  --calls FILE        append each handler call to FILE as a JSON line
  --label NAME        the 'by' of its results (default worker)
  --help              show this help`;

if (import.meta.main) {
  const { values } = parseArgs({
    args: Deno.args,
    options: {
      "plugin-hash": { type: "string" },
      concurrency: { type: "string", default: "1" },
      "lease-ms": { type: "string", default: "30000" },
      "heartbeat-ms": { type: "string" },
      "poll-ms": { type: "string", default: "1000" },
      prefetch: { type: "string", default: "0" },
      calls: { type: "string" },
      label: { type: "string", default: "worker" },
      help: { type: "boolean", default: false },
    },
  });
  if (values.help) {
    console.log(HELP);
    Deno.exit(0);
  }
  const url = Deno.env.get("STOP_QUEUE_URL");
  if (url === undefined || values["plugin-hash"] === undefined) {
    console.error(`queue_worker_entry: set STOP_QUEUE_URL and pass --plugin-hash\n\n${HELP}`);
    Deno.exit(2);
  }
  const controller = new AbortController();
  Deno.addSignalListener("SIGTERM", () => controller.abort());
  const label = values.label;
  const calls = values.calls;
  const summary = await runQueueWorker({
    url,
    pluginHash: values["plugin-hash"],
    concurrency: Number(values.concurrency),
    leaseMs: Number(values["lease-ms"]),
    ...(values["heartbeat-ms"] === undefined
      ? {}
      : { heartbeatMs: Number(values["heartbeat-ms"]) }),
    pollIntervalMs: Number(values["poll-ms"]),
    prefetch: Number(values.prefetch),
    signal: controller.signal,
    validate: validateFakeJob,
    handle: async (payload) => {
      const p = payload as {
        a: number;
        b: number;
        sleepMs?: number;
        padBytes?: number;
        holdFile?: string;
        fail?: string;
      };
      if (calls !== undefined) {
        await Deno.writeTextFile(calls, `${JSON.stringify({ label, payload })}\n`, {
          append: true,
        });
      }
      if (p.fail !== undefined) throw new Error(p.fail);
      while (p.holdFile !== undefined && !(await exists(p.holdFile))) {
        await new Promise((resolve) => setTimeout(resolve, 20));
      }
      await new Promise((resolve) => setTimeout(resolve, p.sleepMs ?? 0));
      const result = { sum: p.a + p.b, product: p.a * p.b, by: label };
      return p.padBytes ? { ...result, pad: "x".repeat(p.padBytes) } : result;
    },
    onReady: ({ id }) => console.log(`ready ${id}`),
    log: (line) => console.error(`${label}: ${line}`),
  });
  console.log(`stopped ${summary.id} after ${summary.jobsDone} jobs`);
}
