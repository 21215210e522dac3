import { equal, ok, rejects } from "node:assert/strict";
import { main } from "../cli/main.ts";
import { runCommand } from "../cli/run_command.ts";
import { evaluateCommand } from "../cli/evaluate_command.ts";
import { improveCommand } from "../cli/improve_command.ts";
import { selfImproveCommand } from "../cli/self_improve_command.ts";
import { replayCommand } from "../cli/replay_command.ts";
import { lmCheckCommand, lmServeCommand } from "../cli/lm_commands.ts";
import { auditCommand } from "../cli/audit_command.ts";
import { readAuditLog } from "../experiments/audit_summary.ts";
import { UsageError } from "../cli/_terminal.ts";

// These tests use the offline stand-in only: no endpoint or key from the environment.
for (const name of ["STOP_MODEL", "OPENAI_API_KEY", "OPENAI_BASE_URL"]) Deno.env.delete(name);

/** Runs `fn` with run directories going to a fresh temporary folder; returns what it made. */
async function inTempRuns(fn: () => Promise<number>): Promise<{ code: number; dirs: string[] }> {
  const root = await Deno.makeTempDir({ prefix: "stop-cli-test-" });
  const before = Deno.env.get("STOP_RUNS_DIR");
  Deno.env.set("STOP_RUNS_DIR", root);
  try {
    const code = await fn();
    const dirs: string[] = [];
    for await (const entry of Deno.readDir(root)) {
      if (entry.isDirectory) dirs.push(`${root}/${entry.name}`);
    }
    return { code, dirs };
  } finally {
    if (before === undefined) Deno.env.delete("STOP_RUNS_DIR");
    else Deno.env.set("STOP_RUNS_DIR", before);
  }
}

const readJson = async (path: string) => JSON.parse(await Deno.readTextFile(path));

Deno.test("main() answers help and unknown commands with the right exit codes", async () => {
  equal(await main(["--help"]), 0);
  equal(await main([]), 2);
  equal(await main(["frobnicate"]), 2);
  for (
    const command of [
      "run",
      "evaluate",
      "improve",
      "self-improve",
      "replay",
      "transfer",
      "sandbox-audit",
      "report",
      "audit",
      "lm-serve",
      "lm-check",
    ]
  ) {
    equal(await main([command, "--help"]), 0, `${command} --help`);
  }
});

Deno.test("commands refuse bad input with a UsageError that names the flag and the value", async (t) => {
  const cases: [string, () => Promise<number>, RegExp][] = [
    ["run: no file", () => runCommand([]), /exactly one program file/],
    [
      "run: zero timeout",
      () => runCommand(["x.ts", "--timeout-ms", "0"]),
      /'--timeout-ms' must be a number > 0: current value is '0'/,
    ],
    [
      "run: args not JSON",
      () => runCommand(["x.ts", "--args", "{"]),
      /'--args' must be a JSON array/,
    ],
    [
      "run: args not an array",
      () => runCommand(["x.ts", "--args", "{}"]),
      /'--args' must be a JSON array/,
    ],
    [
      "run: negative seed",
      () => runCommand(["x.ts", "--seed=-1"]),
      /'--seed' must be an integer >= 0/,
    ],
    [
      "run: missing file",
      () => runCommand(["does/not/exist.ts"]),
      /Cannot run 'does\/not\/exist.ts'/,
    ],
    ["evaluate: unknown task", () => evaluateCommand(["chess", "seed"]), /known tasks are lpn/],
    [
      "evaluate: bad split",
      () => evaluateCommand(["lpn", "seed", "--split", "train"]),
      /'--split' must be 'val' or 'test'/,
    ],
    [
      "evaluate: bad time scale",
      () => evaluateCommand(["lpn", "seed", "--time-scale", "0"]),
      /'--time-scale' must be a number > 0/,
    ],
    ["improve: no task", () => improveCommand([]), /exactly one task/],
    [
      "improve: negative budget",
      () => improveCommand(["lpn", "--lm-budget=-1"]),
      /'--lm-budget' must be an integer >= 0: current value is '-1'/,
    ],
    [
      "improve: fractional responses",
      () => improveCommand(["lpn", "--responses", "1.5"]),
      /'--responses' must be an integer >= 1/,
    ],
    [
      "improve: bad cost cap",
      () => improveCommand(["lpn", "--max-cost", "lots"]),
      /'--max-cost' must be a number >= 0/,
    ],
    [
      "self-improve: other task",
      () => selfImproveCommand(["--task", "maxcut"]),
      /defined on 'lpn'/,
    ],
    [
      "self-improve: resume a directory that is not a run",
      () => selfImproveCommand(["--resume", "runs/does-not-exist"]),
      /not a run directory: it has no config.json/,
    ],
    [
      "self-improve: resume with a shaping flag",
      () => selfImproveCommand(["--resume", "runs/x", "--iterations", "2"]),
      /Cannot resume with --iterations/,
    ],
    [
      "self-improve: replay of a fresh run",
      () => selfImproveCommand(["--replay"]),
      /stop replay <run-dir>/,
    ],
    [
      "self-improve: zero sandboxes",
      () => selfImproveCommand(["--sandboxes", "0"]),
      /'--sandboxes' must be an integer >= 1/,
    ],
    [
      "replay: no directory",
      () => replayCommand([]),
      /exactly one run directory/,
    ],
    [
      "self-improve: zero runs",
      () => selfImproveCommand(["--runs", "0"]),
      /'--runs' must be an integer >= 1/,
    ],
    [
      "lm-serve: fault rate",
      () => lmServeCommand(["--fault-rate", "2"]),
      /'--fault-rate' must be a number >= 0 and <= 1/,
    ],
    [
      "lm-serve: port",
      () => lmServeCommand(["--port", "70000"]),
      /'--port' must be an integer >= 0 and <= 65535/,
    ],
    [
      "lm-serve: profile",
      () => lmServeCommand(["--profile", "tgi"]),
      /'--profile' must be one of openai, vllm, ollama, llamacpp, reasoning, azure, r1, openrouter: current value is 'tgi'/,
    ],
    ["lm-check: no model", () => lmCheckCommand([]), /without a model/],
    [
      "lm-check: max tokens",
      () => lmCheckCommand(["--model", "m", "--max-tokens", "0"]),
      /'--max-tokens' must be an integer >= 1/,
    ],
    ["audit: no such run", () => auditCommand(["runs/does-not-exist"]), /Cannot read the audit/],
  ];
  for (const [name, fn, message] of cases) {
    await t.step(name, async () => {
      await rejects(
        fn,
        (error: unknown) => error instanceof UsageError && message.test(error.message),
      );
    });
  }
  equal(
    await main(["run", "--timeout-ms", "0", "x.ts"]),
    2,
    "main() turns a usage error into exit 2",
  );
});

Deno.test("run writes the result, the program and the audit of a hostile program to its run directory", async () => {
  const hello = await inTempRuns(() =>
    runCommand(["examples/hello.ts", "--args", "[[1,2,3]]", "--json"])
  );
  equal(hello.code, 0);
  equal(hello.dirs.length, 1);
  const result = await readJson(`${hello.dirs[0]}/result.json`);
  ok(result.ok && result.value === 6);
  equal((await readJson(`${hello.dirs[0]}/config.json`)).command, "run");

  const hostile = await inTempRuns(() => runCommand(["examples/hostile.ts", "--json"]));
  equal(hostile.code, 0);
  const { events, skipped } = await readAuditLog(hostile.dirs[0]!);
  equal(skipped, 0);
  ok(events.filter((e) => e.kind === "capability_attempt").length >= 4);
  ok(events.some((e) => e.kind === "module_refused" && e.detail === "fs"));
  equal(await auditCommand([hostile.dirs[0]!, "--json"]), 0);

  const spin = await inTempRuns(() =>
    runCommand(["examples/hostile.ts", "--export", "spin", "--timeout-ms", "100", "--json"])
  );
  equal(spin.code, 1, "a failed program exits 1");
  equal((await readJson(`${spin.dirs[0]}/result.json`)).failure.kind, "timeout");
});

Deno.test("evaluate scores the seed solution and writes the evaluation", async () => {
  const { code, dirs } = await inTempRuns(() => evaluateCommand(["string-grid", "seed", "--json"]));
  equal(code, 0);
  const evaluation = await readJson(`${dirs[0]}/evaluation.json`);
  equal(evaluation.task, "string-grid");
  equal(evaluation.instances.length, 50);
  ok(evaluation.score > 0.3 && evaluation.score < 0.6, `seed scored ${evaluation.score}`);
});

Deno.test("improve runs one STOP step with the stand-in and says so in its summary", async () => {
  const { code, dirs } = await inTempRuns(() => improveCommand(["parity", "--json"]));
  const summary = await readJson(`${dirs[0]}/summary.json`);
  equal(code, summary.ok ? 0 : 1);
  equal(summary.standIn, true);
  equal(summary.lmCalls, 1);
  equal(summary.utilityCalls, 6);
  equal(summary.costUsd, 0);
  if (summary.ok) {
    ok(summary.scores.val >= 0 && summary.scores.val <= 1);
    equal(await Deno.readTextFile(`${dirs[0]}/improved.ts`), summary.program);
  }
  const ledger = (await Deno.readTextFile(`${dirs[0]}/ledger.jsonl`)).trim().split("\n").map((l) =>
    JSON.parse(l)
  );
  equal(
    ledger.filter((r) => r.kind === "intent").length,
    ledger.filter((r) => r.kind === "completion").length,
  );
});
