// deno-lint-ignore-file no-console -- an entry point: it prints the calibration table
/**
 * Calibrates the sandbox's virtual clock against this machine's wall clock: runs the seed
 * solutions and the offline stand-in's task programs in the real sandbox, several times, and
 * prints, per program, the meter's counts (instructions and calls, identical every run) and
 * virtual milliseconds beside the least wall-clock milliseconds the calls took. It then fits
 * `wall ≈ a × instructions + b × calls + c × callsToTheExport` (least relative squares over the
 * programs; `c` is the host's marshalling, which the virtual clock does not charge) and prints
 * the constants under which a virtual millisecond is, on average, a wall millisecond of this
 * machine when idle: `VIRTUAL_PS_PER_UNIT = a`, `UNITS_PER_CALL = b / a`. The project takes
 * `UNITS_PER_CALL` from this fit and `VIRTUAL_PS_PER_UNIT` from CPython
 * (`tests/calibrate_cpython.ts`); record the figures beside the constants in
 * `sandbox/plugin/build_config.ts`.
 *
 * Run: `deno run -P=bench tests/calibrate_clock.ts [--repeats 3] [--instances 6]`
 *
 * @module
 */
import { parseArgs } from "node:util";
import { TASK_CATALOG } from "../stand_in/catalog_tasks.ts";
import type { CallResult } from "../sandbox/call_result.ts";
import { UNITS_PER_CALL, VIRTUAL_PS_PER_UNIT } from "../sandbox/plugin/build_config.ts";
import { getTask, loadWatchedSolution, TASK_IDS, type TaskId } from "../utilities/mod.ts";

const HELP = `Usage: deno run -P=bench tests/calibrate_clock.ts [options]

Runs the seeds and the stand-in's task programs in the sandbox and prints virtual
against wall-clock time per program, and the clock's constants under which they would
match on this machine.

Options:
  --repeats N     runs of each program; the least wall time counts (default 3)
  --instances N   instances of the test split per program (default 6)
  --tasks LIST    comma-separated task ids (default: all)
  --time-scale X  multiplies the limits, so that slow programs finish (default 20)
  --help          show this help`;

interface Row {
  task: TaskId;
  program: string;
  calls: number;
  instructions: number;
  guestCalls: number;
  /** Units native built-ins charged (in the virtual time, beside instructions and calls). */
  native: number;
  virtualMs: number;
  wallMs: number;
  deterministic: boolean;
}

/** `text` as a positive number, or a `RangeError` naming the option `--name`. */
export function positive(name: string, text: string): number {
  const value = Number(text);
  if (!Number.isFinite(value) || value <= 0) {
    throw new RangeError(
      `Cannot calibrate as '--${name}' must be a positive number: current value is '${text}'`,
    );
  }
  return value;
}

/** The flags every calibration script takes (`parseArgs` options, with their defaults). */
export const CALIBRATION_FLAGS = {
  repeats: { type: "string", default: "3" },
  instances: { type: "string", default: "6" },
  "time-scale": { type: "string", default: "20" },
  help: { type: "boolean", default: false },
} as const;

/**
 * The calibration flags' values as numbers.
 *
 * @param values `parseArgs` values of {@linkcode CALIBRATION_FLAGS}.
 * @returns Runs per program, instances per split, and the time scale of the limits.
 * @throws {RangeError} When one is not a positive number.
 */
export function calibrationOptions(
  values: { repeats: string; instances: string; "time-scale": string },
): { repeats: number; instances: number; timeScale: number } {
  return {
    repeats: positive("repeats", values.repeats),
    instances: positive("instances", values.instances),
    timeScale: positive("time-scale", values["time-scale"]),
  };
}

/** Runs one program `repeats` times; per call, the least wall time and the virtual time. */
async function measure(
  task: TaskId,
  source: string,
  options: { repeats: number; instances: number; timeScale: number },
): Promise<Omit<Row, "task" | "program">> {
  const wall: number[] = [];
  let virtual: number[] | undefined;
  let deterministic = true;
  let work: { instructions: number; calls: number; native: number }[] = [];
  for (let run = 0; run < options.repeats; run++) {
    const solution = await loadWatchedSolution(source);
    const seen: CallResult[] = [];
    try {
      await getTask(task).evaluate({
        hash: solution.hash,
        call: async (name, args, callOptions) => {
          const result = await solution.call(name, args, callOptions);
          seen.push(result);
          return result;
        },
      }, { split: "test", instances: options.instances, timeScale: options.timeScale });
    } finally {
      await solution.close();
    }
    const guest = seen.map((r) => r.guestMs);
    work = seen.map((r) => r.work ?? { instructions: 0, calls: 0, native: 0 });
    if (virtual === undefined) virtual = guest;
    else if (guest.length !== virtual.length || guest.some((ms, i) => ms !== virtual![i])) {
      deterministic = false;
    }
    seen.forEach((r, i) => wall[i] = Math.min(wall[i] ?? Infinity, r.wallMs ?? Infinity));
  }
  const sum = (xs: number[]) => xs.reduce((s, x) => s + x, 0);
  return {
    calls: virtual?.length ?? 0,
    instructions: sum(work.map((w) => w.instructions)),
    guestCalls: sum(work.map((w) => w.calls)),
    native: sum(work.map((w) => w.native)),
    virtualMs: sum(virtual ?? []),
    wallMs: sum(wall.filter(Number.isFinite)),
    deterministic,
  };
}

/**
 * Least squares of the relative error of `a × instructions + b × calls + c × exportCalls`
 * against the least wall time, over the programs (each program weighs the same).
 */
function fitClock(rows: Row[]): { a: number; b: number; c: number } {
  const m = [[0, 0, 0], [0, 0, 0], [0, 0, 0]];
  const v = [0, 0, 0];
  for (const r of rows) {
    const x = [r.instructions * 1e-6, r.guestCalls * 1e-6, r.calls];
    const w = 1 / (r.wallMs * r.wallMs);
    for (let i = 0; i < 3; i++) {
      v[i]! += w * x[i]! * r.wallMs;
      for (let j = 0; j < 3; j++) m[i]![j]! += w * x[i]! * x[j]!;
    }
  }
  // Gaussian elimination on the 3 × 3 normal equations.
  for (let i = 0; i < 3; i++) {
    for (let k = i + 1; k < 3; k++) {
      const f = m[k]![i]! / m[i]![i]!;
      for (let j = i; j < 3; j++) m[k]![j]! -= f * m[i]![j]!;
      v[k]! -= f * v[i]!;
    }
  }
  const x = [0, 0, 0];
  for (let i = 2; i >= 0; i--) {
    let s = v[i]!;
    for (let j = i + 1; j < 3; j++) s -= m[i]![j]! * x[j]!;
    x[i] = s / m[i]![i]!;
  }
  return { a: x[0]!, b: x[1]!, c: x[2]! * 1e6 };
}

if (import.meta.main) {
  const { values } = parseArgs({
    args: Deno.args,
    options: { ...CALIBRATION_FLAGS, tasks: { type: "string", default: TASK_IDS.join(",") } },
  });
  if (values.help) {
    console.log(HELP);
    Deno.exit(0);
  }
  try {
    const options = calibrationOptions(values);
    const tasks = values.tasks.split(",").map((id) => getTask(id.trim()).id);
    console.log(
      `Calibrating the virtual clock (${VIRTUAL_PS_PER_UNIT} virtual ps per unit, ${UNITS_PER_CALL} units per call) over ${options.repeats} runs of each program`,
    );
    const rows: Row[] = [];
    for (const task of tasks) {
      const programs: [string, string][] = [["seed", await getTask(task).seedSolution()]];
      for (const entry of TASK_CATALOG) {
        if (entry.target !== task || entry.tags.includes("timeout")) continue;
        const url = new URL(`../stand_in/programs/${entry.file}`, import.meta.url);
        programs.push([entry.id, await Deno.readTextFile(url)]);
      }
      for (const [program, source] of programs) {
        const row = { task, program, ...(await measure(task, source, options)) };
        rows.push(row);
        const ratio = row.virtualMs > 0 ? (row.wallMs / row.virtualMs).toFixed(2) : "-";
        console.log(
          `${task.padEnd(21)} ${program.padEnd(38)} calls ${String(row.calls).padStart(3)}` +
            ` instr ${String(row.instructions).padStart(10)} guest calls ${
              String(row.guestCalls).padStart(9)
            } native ${String(row.native).padStart(9)}` +
            `  virtual ${row.virtualMs.toFixed(1).padStart(9)} ms  wall ${
              row.wallMs.toFixed(1).padStart(9)
            } ms  wall/virtual ${ratio}${row.deterministic ? "" : "  NOT DETERMINISTIC"}`,
        );
      }
    }
    const timed = rows.filter((r) => r.virtualMs >= 1 && r.wallMs > 0);
    if (timed.length < 3) {
      throw new RangeError(
        `Cannot fit the clock as fewer than 3 programs ran 1 virtual ms or more: current value is ${timed.length} (add tasks or instances)`,
      );
    }
    const fit = fitClock(timed);
    const total = (key: "virtualMs" | "wallMs") => timed.reduce((s, r) => s + r[key], 0);
    console.log(
      `total over ${timed.length} programs of 1 virtual ms or more: virtual ${
        total("virtualMs").toFixed(1)
      } ms, least wall ${total("wallMs").toFixed(1)} ms`,
    );
    console.log(
      `fit: ${fit.a.toFixed(3)} wall ns per instruction, ${fit.b.toFixed(1)} per call, ${
        fit.c.toFixed(0)
      } per export call (marshalling, not charged)`,
    );
    console.log(
      `so VIRTUAL_PS_PER_UNIT = ${(fit.a * 1000).toFixed(0)}, UNITS_PER_CALL = ${
        (fit.b / fit.a).toFixed(1)
      }`,
    );
    for (const r of timed) {
      const predicted = (fit.a * r.instructions + fit.b * r.guestCalls) / 1e6;
      console.log(
        `  ${r.program.padEnd(44)} fitted virtual ${predicted.toFixed(1).padStart(8)} ms` +
          `  wall ${r.wallMs.toFixed(1).padStart(8)} ms  wall/fitted ${
            (r.wallMs / predicted).toFixed(2)
          }`,
      );
    }
    if (rows.some((r) => !r.deterministic)) {
      console.error("calibrate: some virtual times differed between runs: the meter is broken");
      Deno.exit(1);
    }
  } catch (error) {
    console.error(`calibrate: ${(error as Error).message}`);
    Deno.exit(1);
  }
}
