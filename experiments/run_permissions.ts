/**
 * The Deno permissions the command line runs with: read the project, write the runs folder,
 * the environment variables it reads, and the network for loopback plus exactly the model's
 * host. `deno task stop` (`cli/launch.ts`) turns them into flags and hands them to the CLI,
 * which writes them into each run directory as `permissions.json`; `stop audit` compares
 * Deno's permission log of the run against them.
 *
 * @example
 * ```ts
 * import { cliPermissions, modelHost, permissionFlags } from "./run_permissions.ts";
 * import { deepEqual, equal } from "node:assert/strict";
 * equal(modelHost({ baseUrl: "http://10.0.0.5:8000/v1" }), "10.0.0.5:8000");
 * const p = cliPermissions({ projectRoot: "/p", runsRoot: "/p/runs", modelHost: "10.0.0.5:8000" });
 * deepEqual(p.net, ["127.0.0.1", "localhost", "10.0.0.5:8000"]);
 * equal(permissionFlags(p).includes("--allow-net=127.0.0.1,localhost,10.0.0.5:8000"), true);
 * ```
 *
 * @module
 */
import { QUEUE_ENV_VARS } from "../queue/queue_env.ts";

/** What a process may touch, as Deno's `--allow-*` lists. */
export interface DeclaredPermissions {
  /** Paths it may read (absolute). */
  read: string[];
  /** Paths it may write (absolute). */
  write: string[];
  /** Environment variables it may read. */
  env: string[];
  /** Hosts (`host` or `host:port`) it may connect to or listen on. */
  net: string[];
  /** Programs it may run. */
  run: string[];
  /** System information it may read (`homedir`, `hostname`): only with a job queue. */
  sys?: string[];
}

/** Environment variables the CLI reads (the Extism SDK reads the last two). */
export const CLI_ENV: readonly string[] = [
  "DENO_AUDIT_PERMISSIONS",
  "NO_COLOR",
  "OPENAI_API_KEY",
  "OPENAI_API_VERSION",
  "OPENAI_BASE_URL",
  "STOP_MODEL",
  "STOP_PERMISSIONS",
  "STOP_RUNS_DIR",
  "STOP_QUEUE_URL",
  "EXTISM_ENABLE_WASI_OUTPUT",
  "__MINIMATCH_TESTING_PLATFORM__",
];

/** Hosts every run may reach: loopback, where the stand-in is served (`stop lm-serve`). */
export const LOOPBACK_HOSTS: readonly string[] = ["127.0.0.1", "localhost"];

/** The endpoint the OpenAI client calls when no base URL is given. */
export const DEFAULT_MODEL_URL = "https://api.openai.com/v1";

/** Model names that mean the offline stand-in (no network). */
const OFFLINE_MODELS: readonly string[] = ["offline", "offline-stand-in"];

/**
 * The model host a command line will connect to, as Deno's `--allow-net` spells it.
 *
 * @param options.baseUrl `--base-url` or `OPENAI_BASE_URL`.
 * @param options.model `--model` or `STOP_MODEL`; without a base URL, a real model means the
 * OpenAI endpoint and the stand-in (or none) means no host.
 * @returns `host` (default port) or `host:port`, or undefined when no host is needed.
 * @throws {Error} When the base URL is not an http(s) URL.
 */
export function modelHost(options: { baseUrl?: string; model?: string }): string | undefined {
  let url = options.baseUrl;
  if (url === undefined || url === "") {
    if (options.model === undefined || OFFLINE_MODELS.includes(options.model)) return undefined;
    url = DEFAULT_MODEL_URL;
  }
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw new Error(`Cannot use the base URL as it is not a URL: current value is '${url}'`);
  }
  if (parsed.protocol !== "http:" && parsed.protocol !== "https:") {
    throw new Error(
      `Cannot use the base URL as it is not http(s): current value is '${url}'`,
    );
  }
  return parsed.host;
}

/**
 * The CLI's permissions.
 *
 * @param options.projectRoot The project's folder (read).
 * @param options.runsRoot Where run directories go (written).
 * @param options.modelHost The model host, if any (see {@linkcode modelHost}).
 * @param options.queueHost The job queue's database, `host:port`, with `--queue` (see
 * `_queue_flag.ts`'s `QueueTarget.host`).
 * @returns The permissions.
 */
export function cliPermissions(options: {
  projectRoot: string;
  runsRoot: string;
  modelHost?: string | undefined;
  queueHost?: string | undefined;
}): DeclaredPermissions {
  const strip = (p: string) => p.length > 1 ? p.replace(/\/+$/, "") : p;
  const projectRoot = strip(options.projectRoot);
  const runsRoot = strip(options.runsRoot);
  const inProject = runsRoot === projectRoot || runsRoot.startsWith(`${projectRoot}/`);
  const net = [...LOOPBACK_HOSTS];
  if (options.modelHost !== undefined && !net.includes(options.modelHost)) {
    net.push(options.modelHost);
  }
  const queue = options.queueHost !== undefined;
  if (queue && !net.includes(options.queueHost!)) net.push(options.queueHost!);
  return {
    read: inProject ? [projectRoot] : [projectRoot, runsRoot],
    write: [runsRoot],
    // The queue's engine and its PostgreSQL driver read libpq's variables and the home folder
    // (queue/graphile_engine.ts); the worker records its host name in its heartbeat.
    env: queue ? [...CLI_ENV, ...QUEUE_ENV_VARS] : [...CLI_ENV],
    net,
    run: [],
    ...(queue ? { sys: ["homedir", "hostname"] } : {}),
  };
}

/**
 * Deno flags granting exactly these permissions (and never prompting).
 *
 * @param p The permissions.
 * @returns `--no-prompt` and one `--allow-*` flag per non-empty list.
 */
export function permissionFlags(p: DeclaredPermissions): string[] {
  const flags = ["--no-prompt"];
  for (const name of ["read", "write", "env", "net", "run", "sys"] as const) {
    const list = p[name] ?? [];
    if (list.length > 0) flags.push(`--allow-${name}=${list.join(",")}`);
  }
  return flags;
}
