/**
 * The sandbox's clock is virtual: a count of the guest's work. The plugin needs no WASI (so
 * no `ExperimentalWarning` from the host), and evaluations' scores, virtual times and timeout
 * verdicts (every task's seed, the stand-in's task programs), a program that times itself,
 * and an endless loop all come out the same idle and under a CPU load the test starts and
 * stops itself.
 */
import assert from "node:assert/strict";
import { compiledPlugin } from "../sandbox/plugin_instance.ts";
import { DEFAULT_LIMITS } from "../sandbox/limits.ts";
import { runProgram } from "../sandbox/program.ts";
import { TASK_CATALOG } from "../stand_in/catalog_tasks.ts";
import { getTask, loadWatchedSolution, TASK_IDS, type TaskId } from "../utilities/mod.ts";
import { underLoad } from "./cpu_load.ts";

const root = new URL("../", import.meta.url).pathname;

Deno.test("the sandbox plugin imports only the Extism host modules, nothing from WASI", async () => {
  const module = await compiledPlugin(DEFAULT_LIMITS.memoryBytes);
  const imports = WebAssembly.Module.imports(module);
  assert.ok(imports.length > 0);
  assert.deepEqual(
    [...new Set(imports.map((i) => i.module))].sort(),
    ["extism:host/env", "extism:host/user"],
  );
});

Deno.test("a sandbox starts and runs a program with nothing on stderr (no ExperimentalWarning)", async () => {
  const output = await new Deno.Command("deno", {
    args: [
      "run",
      "--no-prompt",
      "--allow-read=.",
      "--allow-env=EXTISM_ENABLE_WASI_OUTPUT,__MINIMATCH_TESTING_PLATFORM__",
      "tests/testdata/sandbox_one_call.ts",
    ],
    cwd: root,
    env: { NO_COLOR: "1" },
    stdin: "null",
  }).output();
  const stderr = new TextDecoder().decode(output.stderr);
  const stdout = new TextDecoder().decode(output.stdout);
  assert.ok(output.success, `the subprocess failed: ${stderr}`);
  assert.equal(JSON.parse(stdout).value, 42, stdout);
  assert.doesNotMatch(stderr, /ExperimentalWarning|WASI/);
  assert.equal(stderr, "");
});

/** Loops on its own clock for 90 ms, the way search programs budget their time. */
const CLOCK_PROGRAM = `export function main(): number[] {
  const start = Date.now(), t0 = performance.now();
  let n = 0;
  while (Date.now() < start + 90) n++;
  return [n, Date.now() - start, performance.now() - t0, new Date().getTime() - start];
}`;
const SPIN_PROGRAM = "export function main(): number { for (;;) {} }";

interface Scored {
  score: number;
  failure?: string;
  instances: { score: number; ms: number; error?: string }[];
}

interface Observation {
  /** Every task's seed on the whole test split (the max-cut seed's first timeout ends it). */
  seeds: Record<string, Scored>;
  /** The stand-in's task programs on the first instances of the test split. */
  standIn: Record<string, Scored>;
  clock: { value: unknown; guestMs: number }[];
  spin: { kind: string; guestMs: number };
}

/** Instances of the test split per stand-in program: enough for every kind of call. */
const STAND_IN_INSTANCES = 3;

/** Evaluates a program on the test split the way `stop evaluate` does. */
async function evaluate(id: TaskId, source: string, instances?: number): Promise<Scored> {
  const task = getTask(id);
  const solution = await loadWatchedSolution(source);
  let evaluation;
  try {
    evaluation = await task.evaluate(solution, {
      split: "test",
      ...(instances === undefined ? {} : { instances }),
    });
  } finally {
    await solution.close();
  }
  return {
    score: evaluation.score,
    ...(evaluation.failure === undefined ? {} : { failure: evaluation.failure }),
    instances: evaluation.instances.map((i) => ({
      score: i.score,
      ms: i.ms,
      ...(i.error === undefined ? {} : { error: i.error }),
    })),
  };
}

async function observe(): Promise<Observation> {
  const seeds: Record<string, Scored> = {};
  for (const id of TASK_IDS) seeds[id] = await evaluate(id, await getTask(id).seedSolution());
  const standIn: Record<string, Scored> = {};
  for (const entry of TASK_CATALOG) {
    // Endless programs are the spin program's case below; improvers are not task programs.
    if (entry.target === "improver" || entry.tags.includes("timeout")) continue;
    const source = await Deno.readTextFile(`${root}stand_in/programs/${entry.file}`);
    standIn[entry.id] = await evaluate(entry.target, source, STAND_IN_INSTANCES);
  }
  const clock = [];
  for (let i = 0; i < 2; i++) {
    const result = await runProgram(CLOCK_PROGRAM, "main", []);
    assert.ok(result.ok, JSON.stringify(result));
    clock.push({ value: result.value, guestMs: result.guestMs });
  }
  const spin = await runProgram(SPIN_PROGRAM, "main", [], { limits: { timeoutMs: 300 } });
  return {
    seeds,
    standIn,
    clock,
    spin: { kind: spin.ok ? "value" : spin.failure.kind, guestMs: spin.guestMs },
  };
}

Deno.test("the seeds, the stand-in's programs, a self-timed loop and an endless loop come out identical idle and under CPU load", async () => {
  const idle = await observe();
  const loaded = await underLoad(observe);

  // What is compared must be worth comparing: timeouts happen, the clock advances, the
  // self-timed loop iterates, and the endless loop ends in the virtual timeout.
  assert.deepEqual(Object.keys(idle.seeds), [...TASK_IDS]);
  assert.ok(
    idle.seeds.maxcut!.instances.some((i) => i.error?.startsWith("timeout: the program ran past")),
    `the max-cut seed had no timeout to compare: ${JSON.stringify(idle.seeds.maxcut)}`,
  );
  const threeSat = idle.seeds["3sat"]!.instances;
  assert.ok(threeSat.length === 30 && threeSat.every((i) => i.ms > 0));
  // The quadratic-assignment objective adds the (virtual) seconds taken: its score reads the clock.
  assert.ok(idle.seeds["quadratic-assignment"]!.instances.every((i) => i.ms > 1));
  assert.ok(Object.keys(idle.standIn).length >= 25, Object.keys(idle.standIn).join(", "));
  for (const [id, scored] of Object.entries(idle.standIn)) {
    assert.ok(scored.instances.length > 0 || scored.failure !== undefined, id);
  }
  const [n, elapsed, perfElapsed, dateElapsed] = idle.clock[0]!.value as number[];
  assert.ok(n! > 1000, `only ${n} iterations`);
  assert.ok(elapsed! >= 90 && elapsed! <= 91, `Date.now() advanced ${elapsed} ms`);
  // Date.now() counts whole milliseconds, so the loop's own span is within 1 ms of 90.
  assert.ok(perfElapsed! > 89 && perfElapsed! <= 91, `performance.now() advanced ${perfElapsed}`);
  assert.ok(dateElapsed! >= 90 && dateElapsed! <= 91, `new Date() advanced ${dateElapsed} ms`);
  assert.ok(idle.clock[0]!.guestMs > 89 && idle.clock[0]!.guestMs < 100);
  assert.deepEqual(idle.clock[1], idle.clock[0], "a fresh sandbox repeats the same iterations");
  assert.equal(idle.spin.kind, "timeout", "the virtual deadline, not the wall-clock backstop");
  assert.ok(idle.spin.guestMs >= 300 && idle.spin.guestMs < 310, `spin ran ${idle.spin.guestMs}`);

  assert.deepEqual(loaded, idle);
});
