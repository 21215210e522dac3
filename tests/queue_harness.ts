/**
 * What the queue's tests and benchmark share: worker processes (`queue_worker_entry.ts`
 * started with `deno run`, least permissions, the URL in the environment), their output, and
 * reading the calls log the fake handler writes.
 *
 * @module
 */
import { QUEUE_ENV_VARS } from "../queue/graphile_engine.ts";

const ROOT = new URL("../", import.meta.url).pathname.replace(/\/$/, "");
const ENTRY = `${ROOT}/tests/queue_worker_entry.ts`;

/** A worker process. */
export interface WorkerProcess {
  /** Its label (the `by` of its results, the `label` of its calls). */
  label: string;
  /** Resolves with the worker's id once it takes jobs (rejects if it exits first). */
  ready: Promise<string>;
  /** Everything it wrote on stderr so far. */
  stderr(): string;
  /** SIGKILL: no clean-up of any kind. */
  kill(): void;
  /** SIGTERM, then waits for it to exit; returns its exit status. */
  stop(): Promise<Deno.CommandStatus>;
}

/** Options of a worker process. */
export interface WorkerProcessOptions {
  label: string;
  pluginHash: string;
  concurrency?: number;
  leaseMs?: number;
  heartbeatMs?: number;
  pollMs?: number;
  /** Jobs fetched and locked at once (the worker's `prefetch`). */
  prefetch?: number;
  /** The file the fake handler appends each call to. */
  calls?: string;
}

/**
 * Starts `queue_worker_entry.ts` as a process of its own.
 *
 * @param url The queue URL (passed in the environment).
 * @param options The worker's settings.
 * @returns The process.
 */
export function startWorkerProcess(url: string, options: WorkerProcessOptions): WorkerProcess {
  const args = [
    "run",
    "--quiet",
    "--no-prompt",
    "--allow-net=127.0.0.1",
    `--allow-read=${ROOT},/tmp`,
    "--allow-write=/tmp",
    "--allow-sys=homedir,hostname",
    `--allow-env=STOP_QUEUE_URL,${QUEUE_ENV_VARS.join(",")}`,
    ENTRY,
    "--label",
    options.label,
    "--plugin-hash",
    options.pluginHash,
    "--concurrency",
    String(options.concurrency ?? 1),
    "--lease-ms",
    String(options.leaseMs ?? 30_000),
    "--poll-ms",
    String(options.pollMs ?? 200),
    "--prefetch",
    String(options.prefetch ?? 0),
    ...(options.heartbeatMs === undefined ? [] : ["--heartbeat-ms", String(options.heartbeatMs)]),
    ...(options.calls === undefined ? [] : ["--calls", options.calls]),
  ];
  const child = new Deno.Command("deno", {
    args,
    cwd: ROOT,
    env: { STOP_QUEUE_URL: url },
    stdin: "null",
    stdout: "piped",
    stderr: "piped",
  }).spawn();
  let errText = "";
  const decoder = new TextDecoder();
  const errDone = (async () => {
    for await (const chunk of child.stderr) errText += decoder.decode(chunk, { stream: true });
  })();
  const ready = new Promise<string>((resolve, reject) => {
    (async () => {
      let outText = "";
      for await (const chunk of child.stdout) {
        outText += decoder.decode(chunk, { stream: true });
        const match = /^ready (\S+)$/m.exec(outText);
        if (match) resolve(match[1]!);
      }
      reject(new Error(`worker ${options.label} exited before it was ready:\n${errText}`));
    })().catch(reject);
  });
  ready.catch(() => {});
  let status: Promise<Deno.CommandStatus> | undefined;
  return {
    label: options.label,
    ready,
    stderr: () => errText,
    kill() {
      try {
        child.kill("SIGKILL");
      } catch {
        // it has exited already
      }
    },
    async stop() {
      try {
        child.kill("SIGTERM");
      } catch {
        // it has exited already
      }
      status ??= child.status;
      const result = await status;
      await errDone;
      return result;
    },
  };
}

/** One call of the fake handler, as logged. */
export interface HandlerCall {
  label: string;
  payload: Record<string, unknown>;
}

/**
 * Reads the calls log of the fake handler.
 *
 * @param path The log.
 * @returns The calls, in order (none when the file does not exist).
 */
export async function readCalls(path: string): Promise<HandlerCall[]> {
  let text: string;
  try {
    text = await Deno.readTextFile(path);
  } catch (error) {
    if (error instanceof Deno.errors.NotFound) return [];
    throw error;
  }
  return text.split("\n").filter((l) => l !== "").map((l) => JSON.parse(l) as HandlerCall);
}

/**
 * How long {@linkcode waitFor} and {@linkcode within} wait before they fail: a guard against a
 * test that would hang, never a verdict on speed. Everything awaited takes well under a minute
 * on an idle machine (a queued run, the longest, about 30 s), so no load a test machine sees
 * reaches it; a fixed guard per call (5 to 150 s before) could be reached by a slow machine.
 */
export const HANG_GUARD_MS = 600_000;

/**
 * Waits until a condition holds, checking every 50 ms.
 *
 * @param what What is awaited, for the error.
 * @param condition The condition.
 * @throws {Error} When it still does not hold after {@linkcode HANG_GUARD_MS}.
 */
export async function waitFor(
  what: string,
  condition: () => Promise<boolean> | boolean,
): Promise<void> {
  const end = performance.now() + HANG_GUARD_MS;
  while (!(await condition())) {
    if (performance.now() > end) {
      throw new Error(`Timed out after ${HANG_GUARD_MS} ms waiting for ${what}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

/**
 * A promise's value, or an error once {@linkcode HANG_GUARD_MS} has passed (so a test that
 * would wait forever fails instead).
 *
 * @param what What is awaited, for the error.
 * @param promise The promise.
 * @returns The promise's value.
 */
export async function within<T>(what: string, promise: Promise<T>): Promise<T> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  try {
    return await Promise.race([
      promise,
      new Promise<never>((_, reject) => {
        timer = setTimeout(
          () => reject(new Error(`Timed out after ${HANG_GUARD_MS} ms waiting for ${what}`)),
          HANG_GUARD_MS,
        );
      }),
    ]);
  } finally {
    clearTimeout(timer);
  }
}
