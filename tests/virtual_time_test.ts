/**
 * The sandbox's clock is virtual: a count of the guest's work. The plugin needs no WASI (so
 * no `ExperimentalWarning` from the host), and an evaluation's score, virtual times and
 * timeout verdicts, a program that times itself, and an endless loop all come out the same
 * idle and under a CPU load the test starts and stops itself.
 */
import assert from "node:assert/strict";
import { compiledPlugin } from "../sandbox/plugin_instance.ts";
import { DEFAULT_LIMITS } from "../sandbox/limits.ts";
import { runProgram } from "../sandbox/program.ts";
import { getTask, loadWatchedSolution } from "../utilities/mod.ts";
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
  /** The 3SAT seed on the test split: many calls of varied length. */
  threeSat: Scored;
  /** The max-cut seed on the test split: its first call runs past the limit. */
  maxCut: Scored;
  clock: { value: unknown; guestMs: number }[];
  spin: { kind: string; guestMs: number };
}

/** Evaluates a task's seed on the test split the way `stop evaluate` does. */
async function evaluateSeed(id: "3sat" | "maxcut"): Promise<Scored> {
  const task = getTask(id);
  const seed = await loadWatchedSolution(await task.seedSolution());
  let evaluation;
  try {
    evaluation = await task.evaluate(seed, { split: "test" });
  } finally {
    await seed.close();
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
  const threeSat = await evaluateSeed("3sat");
  const maxCut = await evaluateSeed("maxcut");
  const clock = [];
  for (let i = 0; i < 2; i++) {
    const result = await runProgram(CLOCK_PROGRAM, "main", []);
    assert.ok(result.ok, JSON.stringify(result));
    clock.push({ value: result.value, guestMs: result.guestMs });
  }
  const spin = await runProgram(SPIN_PROGRAM, "main", [], { limits: { timeoutMs: 300 } });
  return {
    threeSat,
    maxCut,
    clock,
    spin: { kind: spin.ok ? "value" : spin.failure.kind, guestMs: spin.guestMs },
  };
}

Deno.test("an evaluation, a self-timed loop and an endless loop come out identical idle and under CPU load", async () => {
  const idle = await observe();
  const loaded = await underLoad(observe);

  // What is compared must be worth comparing: timeouts happen, the clock advances, the
  // self-timed loop iterates, and the endless loop ends in the virtual timeout.
  assert.ok(
    idle.maxCut.instances.some((i) => i.error?.startsWith("timeout: the program ran past")),
    `the max-cut seed had no timeout to compare: ${JSON.stringify(idle.maxCut)}`,
  );
  assert.ok(idle.threeSat.instances.length >= 20 && idle.threeSat.instances.every((i) => i.ms > 0));
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
