// deno-lint-ignore-file no-console -- an entry point: it prints the calibration table
/**
 * Calibrates the sandbox's virtual clock against CPython 3 (issue 13: one virtual second is the
 * work CPython does in one second on the same programs). For each program of a small set (the
 * task programs ported by hand to `tests/calibration/python/`), it runs the TypeScript version
 * in the sandbox on the test split through the task's own evaluator, records every call's
 * arguments and the meter's units (instructions + `UNITS_PER_CALL` × calls + native units),
 * then runs the Python version on the same arguments under `python3` (spawned, arguments as
 * JSON on stdin) and takes the least wall time of `--repeats` runs per call. It prints, per
 * program, CPython seconds, sandbox units and units per CPython second, and the
 * `VIRTUAL_PS_PER_UNIT` under which the set's virtual seconds equal its CPython seconds
 * (the geometric mean over programs, so each program weighs the same).
 *
 * Run: `deno task calibrate:cpython [--repeats 3] [--instances 6]`
 *
 * @module
 */
import { parseArgs } from "node:util";
import { UNITS_PER_CALL, VIRTUAL_PS_PER_UNIT } from "../sandbox/plugin/build_config.ts";
import { getTask, loadWatchedSolution, type TaskId } from "../utilities/mod.ts";
import { CALIBRATION_FLAGS, calibrationOptions } from "./calibrate_clock.ts";

const HELP = `Usage: deno task calibrate:cpython [options]

Runs a set of task programs in the sandbox and their Python ports under python3 on the
same inputs, and prints sandbox units per CPython second and the fitted VIRTUAL_PS_PER_UNIT.

Options:
  --repeats N     CPython runs of each call; the least wall time counts (default 3)
  --instances N   instances of the test split per program (default 6)
  --time-scale X  multiplies the limits, so that slow programs finish (default 20)
  --python CMD    the interpreter to run (default python3)
  --help          show this help`;

/** One calibration program: its task, its TypeScript source and its Python port's module. */
interface CalibrationProgram {
  task: TaskId;
  name: string;
  /** Path of the TypeScript version, relative to the repository root. */
  source: string;
  /** Module name in `tests/calibration/python/`. */
  python: string;
  /** Whether the program draws random numbers (then its answers are not compared). */
  random: boolean;
}

/** The calibration set: programs whose work does not depend on random draws. */
export const CALIBRATION_PROGRAMS: readonly CalibrationProgram[] = [
  {
    task: "lpn",
    name: "lpn/subset_brute_force",
    source: "stand_in/programs/lpn/subset_brute_force.ts",
    python: "lpn_subset_brute_force",
    random: false,
  },
  {
    task: "lpn",
    name: "lpn/small_subsets",
    source: "stand_in/programs/lpn/small_subsets.ts",
    python: "lpn_small_subsets",
    random: false,
  },
  {
    task: "maxcut",
    name: "maxcut seed",
    source: "utilities/programs/maxcut_seed.ts",
    python: "maxcut_seed",
    random: false,
  },
  {
    task: "quadratic-assignment",
    name: "quadratic-assignment seed",
    source: "utilities/programs/quadratic_assignment_seed.ts",
    python: "quadratic_assignment_seed",
    random: true,
  },
  {
    task: "string-grid",
    name: "string-grid/dynamic_programming",
    source: "stand_in/programs/string-grid/dynamic_programming.ts",
    python: "string_grid_dynamic_programming",
    random: false,
  },
];

/** What one program measured, in the sandbox and under CPython. */
export interface CalibrationRow {
  program: string;
  calls: number;
  /** The meter's units over all calls. */
  units: number;
  /** The sandbox's wall milliseconds over all calls (one run; not the calibrated figure). */
  sandboxWallMs: number;
  /** CPython's wall seconds over all calls, least of the repeats per call. */
  cpythonSeconds: number;
  /** Whether every answer equals the sandbox's (always true for random programs: not compared). */
  sameAnswers: boolean;
}

/** Runs `program` in the sandbox through its task's evaluator; the calls' arguments and work. */
async function runInSandbox(
  program: CalibrationProgram,
  options: { instances: number; timeScale: number },
): Promise<{ args: unknown[][]; values: unknown[]; units: number; wallMs: number }> {
  const root = new URL("../", import.meta.url);
  const solution = await loadWatchedSolution(
    await Deno.readTextFile(new URL(program.source, root)),
  );
  const args: unknown[][] = [];
  const values: unknown[] = [];
  let units = 0;
  let wallMs = 0;
  try {
    await getTask(program.task).evaluate({
      hash: solution.hash,
      call: async (name, callArgs, callOptions) => {
        const result = await solution.call(name, callArgs, callOptions);
        if (!result.ok) {
          throw new Error(
            `Cannot calibrate with '${program.name}' as a sandbox call failed: ${result.failure.message}`,
          );
        }
        const work = result.work ?? { instructions: 0, calls: 0, native: 0 };
        args.push(callArgs);
        values.push(result.value);
        units += work.instructions + UNITS_PER_CALL * work.calls + work.native;
        wallMs += result.wallMs ?? 0;
        return result;
      },
    }, { split: "test", instances: options.instances, timeScale: options.timeScale });
  } finally {
    await solution.close();
  }
  return { args, values, units, wallMs };
}

/** Runs the Python port on `calls` under `python`; per call, the least seconds and the answer. */
export async function runInCPython(
  python: string,
  module: string,
  calls: unknown[][],
  repeats: number,
): Promise<{ seconds: number[]; results: unknown[] }> {
  const dir = new URL("./calibration/python/", import.meta.url);
  const child = new Deno.Command(python, {
    args: ["-B", "runner.py"],
    cwd: dir,
    stdin: "piped",
    stdout: "piped",
    stderr: "piped",
  }).spawn();
  const writer = child.stdin.getWriter();
  await writer.write(new TextEncoder().encode(JSON.stringify({ program: module, calls, repeats })));
  await writer.close();
  const out = await child.output();
  if (!out.success) {
    throw new Error(
      `Cannot calibrate with '${module}' as ${python} failed: ${
        new TextDecoder().decode(out.stderr).trim()
      }`,
    );
  }
  return JSON.parse(new TextDecoder().decode(out.stdout));
}

/** Measures one program in the sandbox and under CPython on the same arguments. */
export async function calibrateProgram(
  program: CalibrationProgram,
  options: { instances: number; timeScale: number; repeats: number; python: string },
): Promise<CalibrationRow> {
  const sandbox = await runInSandbox(program, options);
  const cpython = await runInCPython(options.python, program.python, sandbox.args, options.repeats);
  const sameAnswers = program.random ||
    cpython.results.every((r, i) => JSON.stringify(r) === JSON.stringify(sandbox.values[i]));
  return {
    program: program.name,
    calls: sandbox.args.length,
    units: sandbox.units,
    sandboxWallMs: sandbox.wallMs,
    cpythonSeconds: cpython.seconds.reduce((s, x) => s + x, 0),
    sameAnswers,
  };
}

/**
 * The `VIRTUAL_PS_PER_UNIT` that makes a virtual second a CPython second: the geometric mean of
 * the programs' CPython picoseconds per unit, so that each program weighs the same.
 *
 * @example
 * ```ts
 * import { fitPsPerUnit } from "./calibrate_cpython.ts";
 * import { equal } from "node:assert/strict";
 * const row = { program: "p", calls: 1, sandboxWallMs: 0, sameAnswers: true };
 * // 1e9 units in 1 s is 1000 ps per unit; 1e9 units in 4 s is 4000: the mean is 2000.
 * equal(
 *   Math.round(fitPsPerUnit([
 *     { ...row, units: 1e9, cpythonSeconds: 1 },
 *     { ...row, units: 1e9, cpythonSeconds: 4 },
 *   ])),
 *   2000,
 * );
 * ```
 */
export function fitPsPerUnit(rows: readonly CalibrationRow[]): number {
  const logs = rows.map((r) => Math.log(r.cpythonSeconds * 1e12 / r.units));
  return Math.exp(logs.reduce((s, x) => s + x, 0) / logs.length);
}

if (import.meta.main) {
  const { values } = parseArgs({
    args: Deno.args,
    options: { ...CALIBRATION_FLAGS, python: { type: "string", default: "python3" } },
  });
  if (values.help) {
    console.log(HELP);
    Deno.exit(0);
  }
  try {
    const options = { ...calibrationOptions(values), python: values.python };
    const version = new TextDecoder().decode(
      (await new Deno.Command(options.python, { args: ["--version"] }).output()).stdout,
    ).trim();
    console.log(
      `Calibrating against ${version} (now ${VIRTUAL_PS_PER_UNIT} virtual ps per unit, ${UNITS_PER_CALL} units per call), least of ${options.repeats} CPython runs per call`,
    );
    const rows: CalibrationRow[] = [];
    for (const program of CALIBRATION_PROGRAMS) {
      const row = await calibrateProgram(program, options);
      rows.push(row);
      const perSecond = row.units / row.cpythonSeconds;
      console.log(
        `${row.program.padEnd(32)} calls ${String(row.calls).padStart(3)}  CPython ${
          row.cpythonSeconds.toFixed(4).padStart(8)
        } s  units ${String(row.units).padStart(11)}  units per CPython s ${
          (perSecond / 1e6).toFixed(1).padStart(7)
        } M  sandbox wall ${(row.sandboxWallMs / 1000).toFixed(4).padStart(8)} s  wall/CPython ${
          (row.sandboxWallMs / 1000 / row.cpythonSeconds).toFixed(2)
        }${row.sameAnswers ? "" : "  ANSWERS DIFFER"}`,
      );
    }
    const fitted = fitPsPerUnit(rows);
    console.log(
      `fitted VIRTUAL_PS_PER_UNIT = ${
        fitted.toFixed(0)
      } (one virtual second = one CPython second; now ${VIRTUAL_PS_PER_UNIT}, ratio ${
        (fitted / VIRTUAL_PS_PER_UNIT).toFixed(3)
      })`,
    );
    for (const r of rows) {
      console.log(
        `  ${r.program.padEnd(32)} fitted virtual ${
          (r.units * fitted / 1e12).toFixed(4).padStart(8)
        } s  CPython ${r.cpythonSeconds.toFixed(4).padStart(8)} s  CPython/fitted ${
          (r.cpythonSeconds / (r.units * fitted / 1e12)).toFixed(2)
        }`,
      );
    }
    if (rows.some((r) => !r.sameAnswers)) {
      console.error("calibrate: a Python port answered differently from its TypeScript version");
      Deno.exit(1);
    }
  } catch (error) {
    console.error(`calibrate: ${(error as Error).message}`);
    Deno.exit(1);
  }
}
