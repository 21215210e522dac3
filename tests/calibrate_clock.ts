// deno-lint-ignore-file no-console -- an entry point: it prints the calibration table
/**
 * Calibrates the sandbox's virtual clock against this machine's wall clock: runs the seed
 * solutions and the offline stand-in's task programs in the real sandbox, several times, and
 * prints, per program, the virtual milliseconds its calls took (identical every run) beside
 * the least wall-clock milliseconds they took. The ratio of the totals, times the current
 * `VIRTUAL_NS_PER_POLL`, is the constant under which a virtual millisecond is, on average, a
 * wall millisecond of this machine when idle. Record the figures beside the constant.
 *
 * Run: `deno run -P=bench tests/calibrate_clock.ts [--repeats 3] [--instances 6]`
 *
 * @module
 */
import { parseArgs } from "node:util";
import { TASK_CATALOG } from "../lm/offline/catalog_tasks.ts";
import type { CallResult } from "../sandbox/call_result.ts";
import { VIRTUAL_NS_PER_POLL } from "../sandbox/plugin/build_config.ts";
import { getTask, loadWatchedSolution, TASK_IDS, type TaskId } from "../utilities/mod.ts";

const HELP = `Usage: deno run -P=bench tests/calibrate_clock.ts [options]

Runs the seeds and the stand-in's task programs in the sandbox and prints virtual
against wall-clock time per program, and the virtual-ns-per-poll constant under which
they would match on this machine.

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
  virtualMs: number;
  wallMs: number;
  deterministic: boolean;
}

function positive(name: string, text: string): number {
  const value = Number(text);
  if (!Number.isFinite(value) || value <= 0) {
    throw new RangeError(
      `Cannot calibrate as '--${name}' must be a positive number: current value is '${text}'`,
    );
  }
  return value;
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
    if (virtual === undefined) virtual = guest;
    else if (guest.length !== virtual.length || guest.some((ms, i) => ms !== virtual![i])) {
      deterministic = false;
    }
    seen.forEach((r, i) => wall[i] = Math.min(wall[i] ?? Infinity, r.wallMs ?? Infinity));
  }
  const sum = (xs: number[]) => xs.reduce((s, x) => s + x, 0);
  return {
    calls: virtual?.length ?? 0,
    virtualMs: sum(virtual ?? []),
    wallMs: sum(wall.filter(Number.isFinite)),
    deterministic,
  };
}

if (import.meta.main) {
  const { values } = parseArgs({
    args: Deno.args,
    options: {
      repeats: { type: "string", default: "3" },
      instances: { type: "string", default: "6" },
      tasks: { type: "string", default: TASK_IDS.join(",") },
      "time-scale": { type: "string", default: "20" },
      help: { type: "boolean", default: false },
    },
  });
  if (values.help) {
    console.log(HELP);
    Deno.exit(0);
  }
  try {
    const options = {
      repeats: positive("repeats", values.repeats),
      instances: positive("instances", values.instances),
      timeScale: positive("time-scale", values["time-scale"]),
    };
    const tasks = values.tasks.split(",").map((id) => getTask(id.trim()).id);
    console.log(
      `Calibrating the virtual clock (${VIRTUAL_NS_PER_POLL} virtual ns per poll) over ${options.repeats} runs of each program`,
    );
    const rows: Row[] = [];
    for (const task of tasks) {
      const programs: [string, string][] = [["seed", await getTask(task).seedSolution()]];
      for (const entry of TASK_CATALOG) {
        if (entry.target !== task || entry.tags.includes("timeout")) continue;
        const url = new URL(`../lm/offline/programs/${entry.file}`, import.meta.url);
        programs.push([entry.id, await Deno.readTextFile(url)]);
      }
      for (const [program, source] of programs) {
        const row = { task, program, ...(await measure(task, source, options)) };
        rows.push(row);
        const ratio = row.virtualMs > 0 ? (row.wallMs / row.virtualMs).toFixed(2) : "-";
        console.log(
          `${task.padEnd(21)} ${program.padEnd(38)} calls ${String(row.calls).padStart(3)}` +
            `  virtual ${row.virtualMs.toFixed(1).padStart(9)} ms  wall ${
              row.wallMs.toFixed(1).padStart(9)
            } ms  wall/virtual ${ratio}${row.deterministic ? "" : "  NOT DETERMINISTIC"}`,
        );
      }
    }
    const timed = rows.filter((r) => r.virtualMs >= 1);
    const total = (key: "virtualMs" | "wallMs") => timed.reduce((s, r) => s + r[key], 0);
    const ratios = timed.map((r) => r.wallMs / r.virtualMs).sort((a, b) => a - b);
    const median = ratios[Math.floor(ratios.length / 2)] ?? 1;
    const overall = total("wallMs") / Math.max(total("virtualMs"), 1e-9);
    console.log(
      `total: virtual ${total("virtualMs").toFixed(1)} ms, least wall ${
        total("wallMs").toFixed(1)
      } ms; wall/virtual ${overall.toFixed(3)} overall, ${
        median.toFixed(3)
      } median of ${ratios.length} programs`,
    );
    console.log(
      `a virtual ms equal to an idle wall ms here: VIRTUAL_NS_PER_POLL = ${
        (VIRTUAL_NS_PER_POLL * overall).toFixed(1)
      } (overall) or ${(VIRTUAL_NS_PER_POLL * median).toFixed(1)} (median)`,
    );
    if (rows.some((r) => !r.deterministic)) {
      console.error("calibrate: some virtual times differed between runs: the meter is broken");
      Deno.exit(1);
    }
  } catch (error) {
    console.error(`calibrate: ${(error as Error).message}`);
    Deno.exit(1);
  }
}
