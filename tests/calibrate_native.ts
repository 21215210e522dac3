// deno-lint-ignore-file no-console -- an entry point: it prints the calibration table
/**
 * Measures what the meter charges for native work against what that work costs: runs, in one
 * process and one after another, a plain bytecode loop (the baseline) and one guest program per
 * class of native work (small allocations, sorting with a comparator and the default sort,
 * regular expression backtracking, promise storms, string building, JSON), each at two sizes
 * in fresh sandboxes, and prints the CPU and wall nanoseconds per unit of the meter between
 * the two sizes (so the fixed cost of a call and its marshalling cancels out) and their ratio
 * to the loop's. A class whose ratio is well above 1 does more work per unit than bytecode:
 * its charge is too low, and a program could spend its time there to dodge the meter.
 * Calibration only: not part of the suite. Record the figures in
 * `tests/calibration/README.md` and beside the charges (`NATIVE_UNITS` in
 * `sandbox/plugin/build_config.ts`).
 *
 * Run: `deno run --allow-read=. --allow-env=EXTISM_ENABLE_WASI_OUTPUT,__MINIMATCH_TESTING_PLATFORM__ tests/calibrate_native.ts [--repeats 5]`
 *
 * @module
 */
import { cpuUsage } from "node:process";
import { parseArgs } from "node:util";
import { loadProgram } from "../sandbox/program.ts";
import type { CallResult } from "../sandbox/call_result.ts";
import { UNITS_PER_CALL, VIRTUAL_PS_PER_UNIT } from "../sandbox/plugin/build_config.ts";
import { positive } from "./calibrate_clock.ts";

const HELP =
  `Usage: deno run --allow-read=. --allow-env=EXTISM_ENABLE_WASI_OUTPUT,__MINIMATCH_TESTING_PLATFORM__ tests/calibrate_native.ts [options]

Runs a plain bytecode loop and one program per class of native work (allocation, sort,
regular expressions, promises, strings, JSON) in the sandbox at two sizes each and prints
CPU and wall ns per unit of the meter, and each class's ratio to the loop's.

Options:
  --repeats N   runs of each program at each size; the least time counts (default 5)
  --only LIST   comma-separated program names (default: all)
  --help        show this help`;

/** One guest program: `main(n)` does `n` rounds of the work of its class. */
interface Probe {
  name: string;
  /** The size of the smaller run; the larger one is twice as big. */
  n: number;
  source: string;
}

/** The baseline first, then a program per class. */
export const PROBES: readonly Probe[] = [
  {
    name: "loop (plain bytecode)",
    n: 4e6,
    source: `export function main(n: number): number {
      let s = 0;
      for (let i = 0; i < n; i++) s = (s + i * 7) % 1000003;
      return s;
    }`,
  },
  {
    name: "bytecode mix (no allocation)",
    n: 200,
    source: `const w = Array.from({ length: 100 }, (_, i) =>
      Array.from({ length: 100 }, (_, j) => ((i * 31 + j * 17) % 7) - 3));
    const side = Array.from({ length: 100 }, (_, i) => (i % 3 === 0 ? 1 : -1));
    function gain(v: number): number {
      let g = 0;
      const row = w[v]!;
      for (let u = 0; u < row.length; u++) if (side[u] !== side[v]) g += row[u]!;
      return g;
    }
    export function main(n: number): number {
      let best = 0;
      for (let k = 0; k < n; k++) {
        for (let v = 0; v < 100; v++) {
          const g = gain(v);
          if (g > best) { best = g; side[v] = -side[v]!; }
        }
      }
      return best;
    }`,
  },
  {
    name: "objects {a, b}",
    n: 4e5,
    source: `export function main(n: number): number {
      let s = 0;
      for (let i = 0; i < n; i++) { const o = { a: i, b: 1 }; s = (s + o.b) | 0; }
      return s;
    }`,
  },
  {
    name: "arrays [i, i]",
    n: 4e5,
    source: `export function main(n: number): number {
      let s = 0;
      for (let i = 0; i < n; i++) { const a = [i, 1]; s = (s + a[1]!) | 0; }
      return s;
    }`,
  },
  {
    name: "closures",
    n: 4e5,
    source: `export function main(n: number): number {
      let s = 0;
      for (let i = 0; i < n; i++) { const f = () => i; s = (s + (f === null ? 1 : 0)) | 0; }
      return s;
    }`,
  },
  {
    name: "short strings 'k' + i",
    n: 3e5,
    source: `export function main(n: number): number {
      let s = 0;
      for (let i = 0; i < n; i++) s = (s + ("k" + i).length) | 0;
      return s;
    }`,
  },
  {
    name: "floats to strings",
    n: 1e5,
    source: `export function main(n: number): number {
      let s = 0;
      for (let i = 0; i < n; i++) s = (s + String(i * 0.37).length) | 0;
      return s;
    }`,
  },
  {
    name: "kept objects (heap grows)",
    n: 2e5,
    source: `export function main(n: number): number {
      const keep = [];
      for (let i = 0; i < n; i++) keep.push({ a: i, next: keep[i - 1] });
      return keep.length;
    }`,
  },
  {
    name: "sort, comparator",
    n: 20,
    source: `export function main(n: number): number {
      const a = Array.from({ length: 1e4 }, (_, i) => (i * 7919) % 10007);
      let s = 0;
      for (let k = 0; k < n; k++) s += a.slice().sort((x, y) => x - y)[k]!;
      return s;
    }`,
  },
  {
    name: "sort, default (numbers)",
    n: 4,
    source: `export function main(n: number): number {
      const a = Array.from({ length: 1e4 }, (_, i) => (i * 7919) % 10007);
      let s = 0;
      for (let k = 0; k < n; k++) s += a.slice().sort()[k]!;
      return s;
    }`,
  },
  {
    name: "sort, default (strings)",
    n: 10,
    source: `export function main(n: number): number {
      const a = Array.from({ length: 1e4 }, (_, i) => "s" + ((i * 7919) % 10007));
      let s = 0;
      for (let k = 0; k < n; k++) s += a.slice().sort()[k]!.length;
      return s;
    }`,
  },
  {
    name: "regex backtracking",
    n: 20,
    source: `export function main(n: number): number {
      const s = "a".repeat(16) + "b";
      let m = 0;
      for (let k = 0; k < n; k++) if (/^(a+)+$/.test(s)) m++;
      return m;
    }`,
  },
  {
    name: "promise chain .then",
    n: 5e4,
    source: `export async function main(n: number): Promise<number> {
      let p = Promise.resolve(0);
      for (let i = 0; i < n; i++) p = p.then((x) => x + 1);
      return await p;
    }`,
  },
  {
    name: "await loop",
    n: 1e5,
    source: `export async function main(n: number): Promise<number> {
      let s = 0;
      for (let i = 0; i < n; i++) s += (await i) & 1;
      return s;
    }`,
  },
  {
    name: "promise storm (unsettled chain)",
    n: 2e4,
    source: `export function main(n: number): Promise<number> {
      return new Promise((resolve) => {
        let i = 0;
        const step = (): unknown => ++i < n ? Promise.resolve().then(step) : resolve(i);
        step();
      });
    }`,
  },
  {
    name: "array slice",
    n: 100,
    source: `export function main(n: number): number {
      const a = Array.from({ length: 1e4 }, (_, i) => i);
      let s = 0;
      for (let k = 0; k < n; k++) s += a.slice(1).length;
      return s;
    }`,
  },
  {
    name: "string split",
    n: 1e5,
    source: `export function main(n: number): number {
      return "abcdefgh".repeat(n).split("e").length;
    }`,
  },
  {
    name: "array join",
    n: 5e4,
    source: `export function main(n: number): number {
      const a = "abcdefgh".repeat(n).split("e");
      let m = 0;
      for (let k = 0; k < 8; k++) m += a.join("E").length;
      return m;
    }`,
  },
  {
    name: "string +=",
    n: 2e5,
    source: `export function main(n: number): number {
      let s = "";
      for (let i = 0; i < n; i++) s += "ab";
      return s.length;
    }`,
  },
  {
    name: "JSON stringify/parse",
    n: 4,
    source: `export function main(n: number): number {
      const v = Array.from({ length: 1e4 }, (_, i) => ({ i, s: "x" + i, a: [i, i] }));
      let s = 0;
      for (let k = 0; k < n; k++) s += JSON.parse(JSON.stringify(v)).length;
      return s;
    }`,
  },
];

interface Run {
  units: number;
  instructions: number;
  calls: number;
  native: number;
  cpuNs: number;
  wallNs: number;
}

function unitsOf(result: CallResult): Omit<Run, "cpuNs" | "wallNs"> {
  if (!result.ok) {
    throw new Error(
      `Cannot measure as a probe failed: current value is '${result.failure.kind}: ${result.failure.message}'`,
    );
  }
  const w = result.work ?? { instructions: 0, calls: 0, native: 0 };
  return { ...w, units: w.instructions + UNITS_PER_CALL * w.calls + w.native };
}

/** Least CPU and wall time of `repeats` fresh runs of `main(n)`; the units of every run must agree. */
async function measure(probe: Probe, n: number, repeats: number): Promise<Run> {
  let best: Run | undefined;
  for (let r = 0; r < repeats; r++) {
    await using program = await loadProgram(probe.source, { limits: { timeoutMs: 600_000 } });
    const cpu0 = cpuUsage();
    const result = await program.call("main", [n]);
    const cpu = cpuUsage(cpu0);
    const units = unitsOf(result);
    const run = {
      ...units,
      cpuNs: (cpu.user + cpu.system) * 1000,
      wallNs: (result.wallMs ?? 0) * 1e6,
    };
    if (best !== undefined && best.units !== run.units) {
      throw new Error(
        `Cannot measure as '${probe.name}' counted different units on two runs: current value is ${best.units} and ${run.units}`,
      );
    }
    best = best === undefined ? run : {
      ...run,
      cpuNs: Math.min(best.cpuNs, run.cpuNs),
      wallNs: Math.min(best.wallNs, run.wallNs),
    };
  }
  return best!;
}

if (import.meta.main) {
  const { values } = parseArgs({
    args: Deno.args,
    options: {
      repeats: { type: "string", default: "5" },
      only: { type: "string" },
      help: { type: "boolean", default: false },
    },
  });
  if (values.help) {
    console.log(HELP);
    Deno.exit(0);
  }
  try {
    const repeats = positive("repeats", values.repeats);
    const only = values.only?.split(",").map((s) => s.trim());
    const probes = PROBES.filter((p, i) => i === 0 || !only || only.includes(p.name));
    console.log(
      `Native charges against plain bytecode (${VIRTUAL_PS_PER_UNIT} virtual ps per unit, ${UNITS_PER_CALL} units per call), least of ${repeats} runs at n and 2n; ns per unit between them`,
    );
    // A warm-up: the engine compiles the plugin's code in background threads at first, which
    // the process's CPU time would count and the first runs would pay for.
    await measure(PROBES[0]!, PROBES[0]!.n, repeats);
    let base: { cpu: number; wall: number } | undefined;
    for (const probe of probes) {
      const small = await measure(probe, probe.n, repeats);
      const large = await measure(probe, 2 * probe.n, repeats);
      const du = large.units - small.units;
      const cpu = (large.cpuNs - small.cpuNs) / du;
      const wall = (large.wallNs - small.wallNs) / du;
      base ??= { cpu, wall };
      const share = (x: number) => `${(100 * x / large.units).toFixed(0).padStart(3)}%`;
      console.log(
        `${probe.name.padEnd(32)} units ${String(large.units).padStart(11)} (instr ${
          share(large.instructions)
        }, calls ${share(UNITS_PER_CALL * large.calls)}, native ${share(large.native)})` +
          `  virtual ${(large.units * VIRTUAL_PS_PER_UNIT / 1e9).toFixed(1).padStart(7)} ms` +
          `  CPU ${cpu.toFixed(2).padStart(6)} ns/unit (${(cpu / base.cpu).toFixed(2)}×)` +
          `  wall ${wall.toFixed(2).padStart(6)} ns/unit (${(wall / base.wall).toFixed(2)}×)`,
      );
    }
  } catch (error) {
    console.error(`calibrate_native: ${(error as Error).message}`);
    Deno.exit(1);
  }
}
