/**
 * The paper's transfer experiment (Table 1) as a library: an improver self-improved on LPN,
 * applied unchanged to five other tasks, compared with the seed improver and the tasks' seed
 * solutions on the `test` split.
 *
 * One run of an improver on a task is the paper's: `improveAlgorithm(seed solution, utility,
 * model)` in the sandbox with a fresh `val` utility (budget 25) and a fresh model object
 * (4 calls of at most 6 replies); the program it returns is scored once on `test`. û is the
 * mean of those test scores over R runs. An improver run that fails (throws, times out,
 * returns no program) contributes 0, as in the meta-utility: û is the expected utility of
 * what the improver hands back, and a failure hands back nothing.
 *
 * ```ts
 * import { runTransfer } from "./transfer.ts";
 * import { ok } from "node:assert/strict";
 * // The seed improver transferring to itself, 1 run, one task, the offline stand-in
 * // (a deterministic test harness, not a language model).
 * const source = await Deno.readTextFile(
 *   new URL("../improvers/programs/seed_improver.ts", import.meta.url),
 * );
 * const [row] = await runTransfer({
 *   improved: { source },
 *   runs: 1,
 *   tasks: ["string-grid"],
 *   lmBudget: 1,
 *   responsesPerCall: 2,
 *   utilityBudget: 2,
 * });
 * ok(row!.improvedImprover.mean >= 0 && row!.improvedImprover.mean <= 1);
 * ```
 *
 * @module
 */
import { isAbsolute, join, relative, resolve } from "node:path";
import type { AuditSink } from "../sandbox/audit_log.ts";
import { createLanguageModel, ModelGateway } from "../lm/mod.ts";
import { OfflineBackend } from "../stand_in/mod.ts";
import { runImprover } from "../improvers/run_improver.ts";
import { hostFailureOf } from "../utilities/host_failure.ts";
import type { Evaluation, Task } from "../utilities/task.ts";
import { getTask } from "../utilities/tasks.ts";
import { Utility } from "../utilities/utility.ts";
import type { EvaluationService } from "../utilities/evaluation_service.ts";
import { PAPER_TABLE_1, TRANSFER_TASK_IDS, type TransferTaskId } from "./paper_numbers.ts";
import { type MeanSe, meanSe } from "./stats.ts";
import { runsRoot } from "./run_dir.ts";

export { TRANSFER_TASK_IDS, type TransferTaskId } from "./paper_numbers.ts";

/** The three columns of Table 1, as they are named in `summary.json`. */
export type TransferArm = "seed" | "seedImprover" | "improvedImprover";

/** What each transfer task's number measures (all on a 0..1 scale). */
export const TRANSFER_SCALES: Readonly<Record<TransferTaskId, string>> = {
  "string-grid": "mean instance score (1 if exact, else 0.5 - |d - dist| / (6 len))",
  "quadratic-assignment": "max(mean objective / 225, 0.01), as released",
  "3sat": "fraction of formulas solved (0.01 per wrong answer or timeout)",
  "maxcut": "fraction of edge weight cut (normalised; the released score is mean cut / 10)",
  "parity": "accuracy on the test instances",
};

/** The improved improver a transfer uses, and where it came from. */
export interface ImprovedImprover {
  /** The self-improve run directory or the file it was taken from. */
  from: string;
  /** The file holding the improver's source. */
  path: string;
  /** The improver's TypeScript source. */
  source: string;
  /** How it was chosen: the run's `best`, the best accepted lineage entry, or a file. */
  choice: "best" | "lineage" | "file";
  /** Run and iteration it comes from, when taken from a run directory. */
  run?: number;
  /** Iteration it comes from, when taken from a run directory. */
  t?: number;
  /** Its meta-utility as the run measured it, when known. */
  metaUtility?: { val: number; test: number };
}

/** Why no improved improver could be taken from what was given. */
export class ImprovedImproverError extends Error {
  /**
   * @param message What is wrong, action first.
   * @param options The cause, if any.
   */
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = "ImprovedImproverError";
  }
}

/** Where {@linkcode loadImprovedImprover} takes the improver from. */
export interface ImprovedImproverSource {
  /** A finished self-improve run directory. */
  from?: string;
  /** An improver program file. */
  file?: string;
  /** Where to look for the newest finished self-improve run when neither is given. @default runsRoot() */
  runsRoot?: string;
}

const isRecord = (x: unknown): x is Record<string, unknown> =>
  typeof x === "object" && x !== null && !Array.isArray(x);

const finite = (x: unknown): x is number => typeof x === "number" && Number.isFinite(x);

async function readJsonFile(path: string): Promise<unknown> {
  return JSON.parse(await Deno.readTextFile(path));
}

function scores(x: unknown): { val: number; test: number } | undefined {
  return isRecord(x) && finite(x.val) && finite(x.test) ? { val: x.val, test: x.test } : undefined;
}

/**
 * Reads the improved improver of a finished self-improve run: `summary.json`'s
 * `best.improver` (a path relative to the run directory), or, when the summary has no `best`,
 * the accepted `lineage` entry with the highest `metaUtility.val` (the earliest on a tie).
 *
 * @example
 * ```ts
 * import { improverFromRun } from "./transfer.ts";
 * import { equal } from "node:assert/strict";
 * const dir = await Deno.makeTempDir();
 * await Deno.mkdir(`${dir}/improvers`);
 * await Deno.writeTextFile(`${dir}/improvers/run0-t1.ts`, "export function improveAlgorithm(s) { return s; }");
 * await Deno.writeTextFile(`${dir}/config.json`, JSON.stringify({ command: "self-improve" }));
 * await Deno.writeTextFile(`${dir}/summary.json`, JSON.stringify({
 *   command: "self-improve",
 *   best: { run: 0, t: 1, improver: "improvers/run0-t1.ts", metaUtility: { val: 0.9, test: 0.8 } },
 * }));
 * const improved = await improverFromRun(dir);
 * equal(improved.choice, "best");
 * equal(improved.t, 1);
 * await Deno.remove(dir, { recursive: true });
 * ```
 *
 * @param dir The run directory.
 * @returns The improver, its path and how it was chosen.
 * @throws {ImprovedImproverError} When `dir` is not a finished self-improve run directory, or
 * its summary names no readable improver inside the directory.
 */
export async function improverFromRun(dir: string): Promise<ImprovedImprover> {
  const action = `Cannot take the improved improver from '${dir}'`;
  let info: Deno.FileInfo;
  try {
    info = await Deno.stat(dir);
  } catch (cause) {
    throw new ImprovedImproverError(`${action} as it cannot be read: ${(cause as Error).message}`, {
      cause,
    });
  }
  if (!info.isDirectory) {
    throw new ImprovedImproverError(`${action} as it is not a directory (use --improver FILE)`);
  }
  let config: unknown;
  try {
    config = await readJsonFile(join(dir, "config.json"));
  } catch (cause) {
    throw new ImprovedImproverError(
      `${action} as it is not a run directory: config.json is missing or not JSON`,
      { cause },
    );
  }
  const command = isRecord(config) ? config.command : undefined;
  if (command !== "self-improve") {
    throw new ImprovedImproverError(
      `${action} as it is not a self-improve run: current value of config.json 'command' is ${
        JSON.stringify(command)
      }`,
    );
  }
  let summary: unknown;
  try {
    summary = await readJsonFile(join(dir, "summary.json"));
  } catch (cause) {
    throw new ImprovedImproverError(
      `${action} as the run has not finished: summary.json is missing or not JSON`,
      { cause },
    );
  }
  if (!isRecord(summary)) {
    throw new ImprovedImproverError(`${action} as its summary.json is not a JSON object`);
  }
  if (summary.command !== undefined && summary.command !== "self-improve") {
    throw new ImprovedImproverError(
      `${action} as its summary.json is not a self-improve summary: current value of 'command' is ${
        JSON.stringify(summary.command)
      }`,
    );
  }
  let pick: { improver: string; run?: unknown; t?: unknown; metaUtility?: unknown } | undefined;
  let choice: "best" | "lineage" = "best";
  if (isRecord(summary.best) && typeof summary.best.improver === "string") {
    pick = { ...summary.best, improver: summary.best.improver };
  } else if (Array.isArray(summary.lineage)) {
    choice = "lineage";
    let bestVal = -Infinity;
    for (const entry of summary.lineage) {
      if (!isRecord(entry) || entry.accepted !== true || typeof entry.improver !== "string") {
        continue;
      }
      const mu = scores(entry.metaUtility);
      if (mu !== undefined && mu.val > bestVal) {
        bestVal = mu.val;
        pick = { ...entry, improver: entry.improver };
      }
    }
  }
  if (pick === undefined) {
    throw new ImprovedImproverError(
      `${action} as its summary.json names no improver: it has no 'best' and no accepted ` +
        `'lineage' entry with a meta-utility (was it written by an older version of self-improve?)`,
    );
  }
  const root = resolve(dir);
  const path = resolve(root, pick.improver);
  const inside = relative(root, path);
  if (isAbsolute(pick.improver) || inside.startsWith("..") || isAbsolute(inside)) {
    throw new ImprovedImproverError(
      `${action} as its improver path must stay inside the run directory: current value is '${pick.improver}'`,
    );
  }
  let source: string;
  try {
    source = await Deno.readTextFile(path);
  } catch (cause) {
    throw new ImprovedImproverError(
      `${action} as the improver it names cannot be read: '${pick.improver}'`,
      { cause },
    );
  }
  if (source.trim() === "") {
    throw new ImprovedImproverError(`${action} as the improver it names is empty: '${path}'`);
  }
  const metaUtility = scores(pick.metaUtility);
  return {
    from: dir,
    path,
    source,
    choice,
    ...(finite(pick.run) ? { run: pick.run } : {}),
    ...(finite(pick.t) ? { t: pick.t } : {}),
    ...(metaUtility === undefined ? {} : { metaUtility }),
  };
}

/**
 * Finds the improved improver: from `from` (a finished self-improve run directory), from
 * `file`, or, with neither, from the finished self-improve run under `runsRoot` whose
 * summary was written last. Never falls back to the seed improver.
 *
 * @example
 * ```ts
 * import { ImprovedImproverError, loadImprovedImprover } from "./transfer.ts";
 * import { rejects } from "node:assert/strict";
 * const empty = await Deno.makeTempDir();
 * await rejects(loadImprovedImprover({ runsRoot: empty }), ImprovedImproverError);
 * await Deno.remove(empty);
 * ```
 *
 * @param options The run directory, the file, or where to look for runs.
 * @returns The improver and where it came from.
 * @throws {TypeError} When both `from` and `file` are given.
 * @throws {ImprovedImproverError} When nothing usable is found.
 */
export async function loadImprovedImprover(
  options: ImprovedImproverSource = {},
): Promise<ImprovedImprover> {
  if (options.from !== undefined && options.file !== undefined) {
    throw new TypeError(
      `Cannot choose the improved improver as 'from' and 'file' exclude each other: current values are '${options.from}' and '${options.file}'`,
    );
  }
  if (options.from !== undefined) return await improverFromRun(options.from);
  if (options.file !== undefined) {
    let source: string;
    try {
      source = await Deno.readTextFile(options.file);
    } catch (cause) {
      throw new ImprovedImproverError(
        `Cannot read the improved improver '${options.file}': ${(cause as Error).message}`,
        { cause },
      );
    }
    if (source.trim() === "") {
      throw new ImprovedImproverError(
        `Cannot use the improved improver '${options.file}' as the file is empty`,
      );
    }
    return { from: options.file, path: options.file, source, choice: "file" };
  }
  const root = options.runsRoot ?? runsRoot();
  const candidates: { dir: string; finished: number }[] = [];
  try {
    for await (const entry of Deno.readDir(root)) {
      if (!entry.isDirectory) continue;
      const dir = join(root, entry.name);
      try {
        const config = await readJsonFile(join(dir, "config.json"));
        if (!isRecord(config) || config.command !== "self-improve") continue;
        const stat = await Deno.stat(join(dir, "summary.json"));
        candidates.push({ dir, finished: stat.mtime?.getTime() ?? 0 });
      } catch {
        continue;
      }
    }
  } catch {
    // no runs folder yet: nothing finished
  }
  candidates.sort((a, b) => b.finished - a.finished || b.dir.localeCompare(a.dir));
  for (const { dir } of candidates) {
    try {
      return await improverFromRun(dir);
    } catch (error) {
      if (!(error instanceof ImprovedImproverError)) throw error;
    }
  }
  throw new ImprovedImproverError(
    `Cannot find an improved improver as no finished self-improve run in '${root}' names one: ` +
      "run 'deno task experiment:lpn' first, or pass --from DIR or --improver FILE",
  );
}

/** Progress: one cell of the table (one arm, one task, one run) has finished. */
export interface TransferCell {
  /** The task. */
  task: TransferTaskId;
  /** The column. */
  arm: TransferArm;
  /** The run, from 0. */
  run: number;
  /** The run's number on the task's 0..1 scale (`test` split). */
  value: number;
  /** Why the improver run produced no program, when it did not (improver arms; the value is 0). */
  failure?: string;
  /** Why the scored program (the seed solution, or what the improver returned) failed on `test`. */
  testFailure?: string;
  /** Model calls the improver made (improver arms). */
  lmCalls?: number;
  /** Utility calls the improver made (improver arms). */
  utilityCalls?: number;
  /** Wall time of the cell in milliseconds. */
  ms: number;
  /** Cells finished so far, this one included. */
  done: number;
  /** Cells in the whole experiment. */
  total: number;
}

/** One row of Table 1, as `summary.json` holds it. */
export interface TransferRow {
  /** The task id. */
  task: TransferTaskId;
  /** The paper's title of the task. */
  title: string;
  /** What the numbers measure (all fractions in [0, 1], higher is better). */
  scale: string;
  /** u(seed solution) on `test`, scored once per run (the guest's random seed varies by run). */
  seed: MeanSe;
  /** û(seed improver) on `test` over the runs. */
  seedImprover: MeanSe;
  /** û(improved improver) on `test` over the runs. */
  improvedImprover: MeanSe;
  /** The paper's numbers. */
  paper: { seed: number; seedImprover: number; improvedImprover: number };
  /** Why the seed solution failed on `test`, if it did (the paper's 0% seeds are failures). */
  seedFailure: string | null;
  /** Improver runs that produced no program (each counted as 0). */
  failedRuns: { seedImprover: number; improvedImprover: number };
}

/** Options of {@linkcode runTransfer}. */
export interface TransferOptions {
  /**
   * The improved improver: its source, or where to take it from (see
   * {@linkcode loadImprovedImprover}).
   */
  improved: { source: string } | { from: string } | { file: string };
  /** Where model calls go (ledger, cache, budget). @default {the offline stand-in, no cache} */
  gateway?: ModelGateway;
  /** The seed improver I0. @default {improvers/programs/seed_improver.ts} */
  seedImprover?: string;
  /** Runs R per cell. @default {5} */
  runs?: number;
  /** Tasks, in any order (rows come back in Table 1's order). @default {all five} */
  tasks?: readonly TransferTaskId[];
  /** Utility calls per improver run. @default {25} */
  utilityBudget?: number;
  /** Model calls per improver run. @default {4} */
  lmBudget?: number;
  /** Replies per model call. @default {6} */
  responsesPerCall?: number;
  /** Multiplies every task time limit. @default {1} */
  timeScale?: number;
  /** Cells run at once. @default {2} */
  concurrency?: number;
  /** Base seed: run r uses `seed + r` for the sandbox's random numbers. @default {0} */
  seed?: number;
  /** Where sandbox, budget and model events are recorded. */
  /** The run's secret instance salt (`utilities/instance_salt.ts`). @default {public seeds} */
  instanceSalt?: string;
  audit?: AuditSink;
  /** Prefix of every model object's cache scope. @default {"transfer"} */
  scope?: string;
  /** Told about each finished cell. */
  onCell?: (cell: TransferCell) => void | Promise<void>;
  /** Runs every leaf evaluation (a job queue, `--queue`). @default {local sandboxes} */
  evaluations?: EvaluationService;
}

function checkCount(name: string, value: number, min: number): void {
  if (!Number.isSafeInteger(value) || value < min) {
    throw new RangeError(
      `Cannot run the transfer experiment as '${name}' must be an integer >= ${min}: current value is ${value}`,
    );
  }
}

/** The number a table cell holds: the 0..1 score (`normalizedScore` where the task has one). */
function tableValue(evaluation: Evaluation | undefined): number {
  if (evaluation === undefined) return 0;
  return evaluation.normalizedScore ?? evaluation.score;
}

/**
 * Runs the transfer experiment (paper Table 1): for each task, u(seed solution),
 * û(seed improver) and û(improved improver) on `test`, each over R runs, with the paper's
 * numbers beside them.
 *
 * @param options The improved improver, the model gateway, runs, tasks and budgets.
 * @returns One row per task, in the order of Table 1.
 * @throws {ImprovedImproverError} When the improved improver cannot be found.
 * @throws {RangeError} On a bad count, time scale or task id.
 * @throws {HostFailureError} When the host failed (a fatal endpoint error, a sandbox that
 * could not start): no run is counted as failed because of it.
 */
export async function runTransfer(options: TransferOptions): Promise<TransferRow[]> {
  const runs = options.runs ?? 5;
  const utilityBudget = options.utilityBudget ?? 25;
  const lmBudget = options.lmBudget ?? 4;
  const responsesPerCall = options.responsesPerCall ?? 6;
  const concurrency = options.concurrency ?? 2;
  const seed = options.seed ?? 0;
  const timeScale = options.timeScale ?? 1;
  checkCount("runs", runs, 1);
  checkCount("utilityBudget", utilityBudget, 0);
  checkCount("lmBudget", lmBudget, 0);
  checkCount("responsesPerCall", responsesPerCall, 1);
  checkCount("concurrency", concurrency, 1);
  checkCount("seed", seed, 0);
  if (!(Number.isFinite(timeScale) && timeScale > 0)) {
    throw new RangeError(
      `Cannot run the transfer experiment as 'timeScale' must be a number > 0: current value is ${timeScale}`,
    );
  }
  const wanted = options.tasks ?? TRANSFER_TASK_IDS;
  for (const id of wanted) {
    if (!TRANSFER_TASK_IDS.includes(id)) {
      throw new RangeError(
        `Cannot run the transfer experiment on task '${id}' as it is not a transfer task: use ${
          TRANSFER_TASK_IDS.join(", ")
        }`,
      );
    }
  }
  const taskIds = TRANSFER_TASK_IDS.filter((id) => wanted.includes(id));
  const improved = "source" in options.improved
    ? options.improved.source
    : (await loadImprovedImprover(options.improved)).source;
  const seedImprover = options.seedImprover ??
    await Deno.readTextFile(new URL("../improvers/programs/seed_improver.ts", import.meta.url));
  const gateway = options.gateway ??
    new ModelGateway(new OfflineBackend({ seed }), { seed });
  const { audit } = options;
  const scopePrefix = options.scope ?? "transfer";
  const tasks = new Map<TransferTaskId, Task>(taskIds.map((id) => [id, getTask(id)]));
  const seedSolutions = new Map<TransferTaskId, string>();
  for (const [id, task] of tasks) seedSolutions.set(id, await task.seedSolution());

  const utility = (task: Task, split: "val" | "test", budget: number, run: number) =>
    new Utility(task, {
      budget,
      split,
      timeScale,
      // Programs run plainly (no guest watch), the guest's random numbers seeded by run.
      guestSeed: seed + run,
      watch: false,
      ...(options.evaluations === undefined ? {} : { evaluations: options.evaluations }),
      ...(audit === undefined ? {} : { audit }),
      ...(options.instanceSalt === undefined ? {} : { instanceSalt: options.instanceSalt }),
    });

  type Outcome = Omit<TransferCell, "task" | "arm" | "run" | "ms" | "done" | "total">;
  const runCell = async (id: TransferTaskId, arm: TransferArm, run: number): Promise<Outcome> => {
    const task = tasks.get(id)!;
    const seedSolution = seedSolutions.get(id)!;
    if (arm === "seed") {
      const test = utility(task, "test", 1, run);
      await test.score(seedSolution);
      const evaluation = test.lastEvaluation;
      return {
        value: tableValue(evaluation),
        ...(evaluation?.failure === undefined ? {} : { testFailure: evaluation.failure }),
      };
    }
    const model = createLanguageModel(gateway, {
      budget: lmBudget,
      maxResponsesPerCall: responsesPerCall,
      scope: `${scopePrefix}/${id}/${arm}/run${run}`,
      ...(audit === undefined ? {} : { audit }),
    });
    const val = utility(task, "val", utilityBudget, run);
    const calls = () => ({ lmCalls: model.uses, utilityCalls: val.uses });
    let result;
    try {
      result = await runImprover(arm === "seedImprover" ? seedImprover : improved, seedSolution, {
        utility: val,
        model,
        seed: seed + run,
        ...(audit === undefined ? {} : { audit }),
      });
    } catch (error) {
      // The host's failure (a fatal endpoint error, no sandbox) is not the improver's: it
      // stops the experiment instead of counting as a failed run.
      const failure = hostFailureOf(error);
      if (failure !== undefined) {
        await val.settled();
        throw failure;
      }
      return { value: 0, failure: `crashed: ${(error as Error)?.message}`, ...calls() };
    }
    if (!result.ok) {
      return {
        value: 0,
        failure: `${result.failure.kind}: ${result.failure.message.split("\n")[0]}`,
        ...calls(),
      };
    }
    const test = utility(task, "test", 1, run);
    await test.score(result.program);
    const evaluation = test.lastEvaluation;
    return {
      value: tableValue(evaluation),
      ...(evaluation?.failure === undefined ? {} : { testFailure: evaluation.failure }),
      ...calls(),
    };
  };

  const cells: { task: TransferTaskId; arm: TransferArm; run: number }[] = [];
  for (let run = 0; run < runs; run++) {
    for (const task of taskIds) {
      for (const arm of ["seed", "seedImprover", "improvedImprover"] as const) {
        cells.push({ task, arm, run });
      }
    }
  }
  const results = new Map<string, TransferCell>();
  const key = (task: string, arm: string, run: number) => `${task}\u0000${arm}\u0000${run}`;
  let next = 0;
  let done = 0;
  // After a host failure no cell starts; the cells under way finish, then it is thrown.
  let stopped: unknown;
  const worker = async () => {
    for (let i = next++; i < cells.length && stopped === undefined; i = next++) {
      const cell = cells[i]!;
      const started = performance.now();
      let outcome: Outcome;
      try {
        outcome = await runCell(cell.task, cell.arm, cell.run);
      } catch (error) {
        stopped ??= error;
        return;
      }
      const finished: TransferCell = {
        ...cell,
        ...outcome,
        ms: performance.now() - started,
        done: ++done,
        total: cells.length,
      };
      results.set(key(cell.task, cell.arm, cell.run), finished);
      await options.onCell?.(finished);
    }
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, cells.length) }, worker));
  if (stopped !== undefined) throw stopped;

  return taskIds.map((id) => {
    const column = (arm: TransferArm) =>
      Array.from({ length: runs }, (_, run) => results.get(key(id, arm, run))!);
    const paper = PAPER_TABLE_1[id];
    const seedCells = column("seed");
    return {
      task: id,
      title: paper.title,
      scale: TRANSFER_SCALES[id],
      seed: meanSe(seedCells.map((c) => c.value)),
      seedImprover: meanSe(column("seedImprover").map((c) => c.value)),
      improvedImprover: meanSe(column("improvedImprover").map((c) => c.value)),
      paper: {
        seed: paper.seed,
        seedImprover: paper.seedImprover,
        improvedImprover: paper.improvedImprover,
      },
      seedFailure: seedCells.find((c) => c.testFailure !== undefined)?.testFailure ?? null,
      failedRuns: {
        seedImprover: column("seedImprover").filter((c) => c.failure !== undefined).length,
        improvedImprover: column("improvedImprover").filter((c) => c.failure !== undefined).length,
      },
    };
  });
}
