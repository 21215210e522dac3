/**
 * A leaf evaluation as data: one program scored on one task's split, with everything its
 * result depends on (the source, the task, the split, the time scale, the instances and their
 * salt, the guest's random seed, whether the guest watch is on, the sandbox plugin's build
 * hash and the build hash of the host code that scores). Plain JSON, so it can be sent to another process or machine (a job queue), keyed by
 * its content, and checked strictly when it comes back from outside.
 *
 * @module
 */
import { createHash } from "node:crypto";
import { getTask, isTaskId } from "./tasks.ts";
import type { Split, TaskId } from "./task.ts";

/** The format version of {@linkcode LeafJob}; a job of another version is refused. */
export const LEAF_JOB_VERSION = 1;

/** The largest program source a leaf job carries, in UTF-8 bytes (1 MiB). */
export const MAX_LEAF_SOURCE_BYTES = 1024 * 1024;

/** The largest time scale a leaf job may ask for (bounds a worker's time on one job). */
export const MAX_LEAF_TIME_SCALE = 1000;

/** The largest instance salt a leaf job carries, in characters (a salt is 64 hex digits). */
export const MAX_LEAF_SALT_LENGTH = 256;

/** One program scored on one task's split: everything the result depends on. */
export interface LeafJob {
  /** The format version ({@linkcode LEAF_JOB_VERSION}). */
  version: typeof LEAF_JOB_VERSION;
  /** The task whose secret evaluator scores. */
  task: TaskId;
  /** Which instances. */
  split: Split;
  /** Multiplies every time limit (finite, > 0, at most {@linkcode MAX_LEAF_TIME_SCALE}). */
  timeScale: number;
  /** Only the first `instances` instances of the split. @default {all} */
  instances?: number;
  /** The run's secret instance salt (`instance_salt.ts`). @default {the paper's public seeds} */
  instanceSalt?: string;
  /** The program's TypeScript source (non-blank, at most {@linkcode MAX_LEAF_SOURCE_BYTES}). */
  source: string;
  /** Seed of the guest's `Math.random` (a non-negative safe integer; 0 by default elsewhere). */
  guestSeed: number;
  /** Whether the program runs with the guest watch (`watched_solution.ts`) or plainly. */
  watch: boolean;
  /** The sandbox plugin's build hash (`sandbox/plugin_build_hash.ts`) the result is for. */
  pluginHash: string;
  /**
   * The evaluator's build hash (`evaluator_build_hash.ts`: the plugin and the host code that
   * loads, runs and scores) the result is for.
   */
  hostHash: string;
}

const REQUIRED = [
  "version",
  "task",
  "split",
  "timeScale",
  "source",
  "guestSeed",
  "watch",
  "pluginHash",
  "hostHash",
] as const;
const OPTIONAL = ["instances", "instanceSalt"] as const;
const KNOWN: ReadonlySet<string> = new Set<string>([...REQUIRED, ...OPTIONAL]);

/**
 * The content key of a job: the SHA-256 (hex) of a canonical encoding of every field, so two
 * jobs with the same key give the same result, and a job that runs twice is recorded once.
 *
 * @example
 * ```ts
 * import { leafJobKey } from "./leaf_job.ts";
 * import { equal, notEqual } from "node:assert/strict";
 * const job = {
 *   version: 1, task: "lpn", split: "val", timeScale: 1, source: "export const x = 1;",
 *   guestSeed: 0, watch: true, pluginHash: "0123456789abcdef0123",
 *   hostHash: "0123456789abcdef01234567",
 * } as const;
 * equal(leafJobKey(job), leafJobKey({ ...job }));
 * notEqual(leafJobKey(job), leafJobKey({ ...job, split: "test" }));
 * ```
 *
 * @param job The job.
 * @returns 64 lowercase hex digits.
 */
export function leafJobKey(job: LeafJob): string {
  const canonical = JSON.stringify([
    "stop-leaf-job",
    job.version,
    job.task,
    job.split,
    job.timeScale,
    job.instances ?? null,
    job.instanceSalt ?? null,
    job.guestSeed,
    job.watch,
    job.pluginHash,
    job.hostHash,
    job.source,
  ]);
  return createHash("sha256").update(canonical).digest("hex");
}

/**
 * The build a process must run to take a job: its plugin and host-code hashes together, as a
 * job queue's `requires.pluginHash` (a worker of another build leaves the job alone).
 *
 * @example
 * ```ts
 * import { leafJobBuild } from "./leaf_job.ts";
 * import { equal } from "node:assert/strict";
 * equal(leafJobBuild({ pluginHash: "ab12", hostHash: "cd34" }), "ab12.cd34");
 * ```
 *
 * @param hashes The plugin's and the host code's build hashes.
 * @returns `<pluginHash>.<hostHash>`.
 */
export function leafJobBuild(hashes: { pluginHash: string; hostHash: string }): string {
  return `${hashes.pluginHash}.${hashes.hostHash}`;
}

/** UTF-8 length of a string, without encoding it. */
function utf8Bytes(text: string): number {
  let bytes = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c < 0x80) bytes += 1;
    else if (c < 0x800) bytes += 2;
    else if (c >= 0xd800 && c <= 0xdbff && i + 1 < text.length) {
      const d = text.charCodeAt(i + 1);
      if (d >= 0xdc00 && d <= 0xdfff) {
        bytes += 4;
        i++;
      } else bytes += 3;
    } else bytes += 3;
  }
  return bytes;
}

/**
 * Whether a source fits in a leaf job (non-blank, at most {@linkcode MAX_LEAF_SOURCE_BYTES}).
 *
 * @param source Anything.
 * @returns The reason it does not fit, or `undefined` when it does.
 */
export function leafSourceProblem(source: unknown): string | undefined {
  if (typeof source !== "string") return `'source' must be a string: got ${kindOf(source)}`;
  if (source.trim() === "") return "'source' must not be blank";
  if (source.length > MAX_LEAF_SOURCE_BYTES || utf8Bytes(source) > MAX_LEAF_SOURCE_BYTES) {
    return `'source' must be at most ${MAX_LEAF_SOURCE_BYTES} UTF-8 bytes: got ${
      utf8Bytes(source)
    }`;
  }
  return undefined;
}

function kindOf(value: unknown): string {
  if (value === null) return "null";
  if (Array.isArray(value)) return "an array";
  if (typeof value === "number" && !Number.isFinite(value)) return String(value);
  if (typeof value === "object") return "an object";
  if (typeof value === "string") {
    return `string '${value.slice(0, 60)}${value.length > 60 ? "…" : ""}'`;
  }
  return `${typeof value} ${String(value)}`;
}

/**
 * Checks a payload that claims to be a {@linkcode LeafJob} (e.g. read back from a job
 * queue's database) before anything runs: a plain object (no prototype tricks, no accessors)
 * with exactly the known fields (no others, `__proto__` and `constructor` included), each of
 * the right type and range: a known task, a split, a finite time scale in
 * (0, {@linkcode MAX_LEAF_TIME_SCALE}], an instance count within the split, a bounded salt, a
 * non-blank source of at most {@linkcode MAX_LEAF_SOURCE_BYTES}, a non-negative safe-integer
 * guest seed, a boolean watch flag and a hex plugin hash.
 *
 * @example
 * ```ts
 * import { validateLeafJob } from "./leaf_job.ts";
 * import { equal, match } from "node:assert/strict";
 * const job = {
 *   version: 1, task: "lpn", split: "val", timeScale: 1, source: "export const x = 1;",
 *   guestSeed: 0, watch: true, pluginHash: "0123456789abcdef0123",
 *   hostHash: "0123456789abcdef01234567",
 * };
 * equal(validateLeafJob(job), undefined);
 * match(validateLeafJob({ ...job, task: "chess" })!, /unknown task 'chess'/);
 * ```
 *
 * @param payload Anything.
 * @returns Why the payload is not a valid job, or `undefined` when it is one.
 */
export function validateLeafJob(payload: unknown): string | undefined {
  if (typeof payload !== "object" || payload === null || Array.isArray(payload)) {
    return `a leaf job must be a JSON object: got ${kindOf(payload)}`;
  }
  const proto = Object.getPrototypeOf(payload);
  if (proto !== Object.prototype && proto !== null) {
    return "a leaf job must be a plain JSON object: it has a foreign prototype";
  }
  const keys = Reflect.ownKeys(payload);
  for (const key of keys) {
    if (typeof key !== "string") return "a leaf job must not have symbol keys";
    if (!KNOWN.has(key)) {
      return `a leaf job has an unknown field '${key.slice(0, 60)}': known fields are ${
        [...KNOWN].join(", ")
      }`;
    }
    const descriptor = Object.getOwnPropertyDescriptor(payload, key)!;
    if (!("value" in descriptor)) return `a leaf job's field '${key}' must be a plain value`;
  }
  const p = payload as Record<string, unknown>;
  for (const key of REQUIRED) {
    if (!Object.hasOwn(p, key)) return `a leaf job lacks the field '${key}'`;
  }
  if (p.version !== LEAF_JOB_VERSION) {
    return `a leaf job's 'version' must be ${LEAF_JOB_VERSION}: got ${kindOf(p.version)}`;
  }
  if (typeof p.task !== "string") {
    return `a leaf job's 'task' must be a string: got ${kindOf(p.task)}`;
  }
  if (!isTaskId(p.task)) return `a leaf job names an unknown task '${p.task.slice(0, 60)}'`;
  if (p.split !== "val" && p.split !== "test") {
    return `a leaf job's 'split' must be 'val' or 'test': got ${kindOf(p.split)}`;
  }
  const scale = p.timeScale;
  if (
    typeof scale !== "number" || !Number.isFinite(scale) || scale <= 0 ||
    scale > MAX_LEAF_TIME_SCALE
  ) {
    return `a leaf job's 'timeScale' must be a finite number in (0, ${MAX_LEAF_TIME_SCALE}]: got ${
      kindOf(scale)
    }`;
  }
  if (Object.hasOwn(p, "instances")) {
    const count = getTask(p.task).instanceCount(p.split);
    const n = p.instances;
    if (typeof n !== "number" || !Number.isSafeInteger(n) || n < 1 || n > count) {
      return `a leaf job's 'instances' must be an integer from 1 to ${count}: got ${kindOf(n)}`;
    }
  }
  if (Object.hasOwn(p, "instanceSalt")) {
    const salt = p.instanceSalt;
    if (typeof salt !== "string" || salt === "" || salt.length > MAX_LEAF_SALT_LENGTH) {
      return `a leaf job's 'instanceSalt' must be a string of 1 to ${MAX_LEAF_SALT_LENGTH} characters: got ${
        typeof salt === "string" ? `${salt.length} characters` : kindOf(salt)
      }`;
    }
  }
  const sourceProblem = leafSourceProblem(p.source);
  if (sourceProblem !== undefined) return `a leaf job's ${sourceProblem}`;
  const seed = p.guestSeed;
  if (typeof seed !== "number" || !Number.isSafeInteger(seed) || seed < 0) {
    return `a leaf job's 'guestSeed' must be a non-negative safe integer: got ${kindOf(seed)}`;
  }
  if (typeof p.watch !== "boolean") {
    return `a leaf job's 'watch' must be a boolean: got ${kindOf(p.watch)}`;
  }
  for (const name of ["pluginHash", "hostHash"] as const) {
    const hash = p[name];
    if (typeof hash !== "string" || !/^[0-9a-f]{8,64}$/.test(hash)) {
      return `a leaf job's '${name}' must be 8 to 64 lowercase hex digits: got ${
        typeof hash === "string" ? `'${hash.slice(0, 70)}'` : kindOf(hash)
      }`;
    }
  }
  return undefined;
}
