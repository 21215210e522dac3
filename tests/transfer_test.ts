// deno-lint-ignore-file no-console -- the CLI's output is captured to compare it with its summary
import { deepEqual, equal, ok, rejects } from "node:assert/strict";
import { main } from "../cli/main.ts";
import {
  ImprovedImproverError,
  loadImprovedImprover,
  runTransfer,
  type TransferCell,
} from "../experiments/transfer.ts";
import { formatTransferTable } from "../experiments/format_transfer_table.ts";
import { transferCommand } from "../cli/transfer_command.ts";
import { PAPER_TABLE_1 } from "../experiments/paper_numbers.ts";
import { UsageError } from "../cli/_terminal.ts";
import { getTask } from "../utilities/tasks.ts";
import { Utility } from "../utilities/utility.ts";

// The offline stand-in only: no endpoint or key from the environment.
for (const name of ["STOP_MODEL", "OPENAI_API_KEY", "OPENAI_BASE_URL"]) Deno.env.delete(name);

const SEED_IMPROVER = "improvers/programs/seed_improver.ts";
/** An improver that hands back the solution it was given, untouched. */
const IDENTITY_IMPROVER =
  "export function improveAlgorithm(initialSolution: string): string { return initialSolution; }\n";
/** An improver that always fails. */
const BROKEN_IMPROVER =
  'export function improveAlgorithm(): string { throw new Error("broken on purpose"); }\n';
const TINY = ["--runs", "1", "--lm-budget", "1", "--responses", "2", "--utility-budget", "2"];

const readJson = async (path: string) => JSON.parse(await Deno.readTextFile(path));

/** A temporary folder removed when the test's scope ends (`await using`). */
async function tempRoot(): Promise<{ path: string } & AsyncDisposable> {
  const path = await Deno.makeTempDir({ prefix: "stop-transfer-test-" });
  return { path, [Symbol.asyncDispose]: () => Deno.remove(path, { recursive: true }) };
}

/** Runs `fn` with run directories in a fresh temporary folder and console output captured. */
async function inTempRuns(
  fn: () => Promise<number>,
  folder: string,
): Promise<{ code: number; dirs: string[]; stdout: string[]; stderr: string[] }> {
  const before = Deno.env.get("STOP_RUNS_DIR");
  const { log, error } = console;
  const stdout: string[] = [], stderr: string[] = [];
  Deno.env.set("STOP_RUNS_DIR", folder);
  console.log = (...args: unknown[]) => void stdout.push(args.map(String).join(" "));
  console.error = (...args: unknown[]) => void stderr.push(args.map(String).join(" "));
  try {
    const code = await fn();
    const dirs: string[] = [];
    for await (const entry of Deno.readDir(folder)) {
      if (entry.isDirectory && entry.name.includes("-transfer-")) {
        dirs.push(`${folder}/${entry.name}`);
      }
    }
    return { code, dirs, stdout, stderr };
  } finally {
    console.log = log;
    console.error = error;
    if (before === undefined) Deno.env.delete("STOP_RUNS_DIR");
    else Deno.env.set("STOP_RUNS_DIR", before);
  }
}

/** Writes a fake self-improve run directory; returns its path. */
async function fakeRun(
  root: string,
  name: string,
  options: {
    config?: unknown;
    summary?: unknown;
    files?: Record<string, string>;
  },
): Promise<string> {
  const dir = `${root}/${name}`;
  await Deno.mkdir(`${dir}/improvers`, { recursive: true });
  await Deno.writeTextFile(
    `${dir}/config.json`,
    JSON.stringify(options.config ?? { command: "self-improve", task: "lpn" }),
  );
  if (options.summary !== undefined) {
    await Deno.writeTextFile(`${dir}/summary.json`, JSON.stringify(options.summary));
  }
  for (const [path, text] of Object.entries(options.files ?? {})) {
    await Deno.writeTextFile(`${dir}/${path}`, text);
  }
  return dir;
}

/** A finished run whose `best` is the identity improver while its lineage's highest is broken. */
function bestVersusLineage(root: string, name = "20260101-000000-self-improve-aaaaaa") {
  return fakeRun(root, name, {
    summary: {
      command: "self-improve",
      lineage: [
        {
          run: 0,
          t: 1,
          accepted: true,
          metaUtility: { val: 0.99, test: 0.99 },
          improver: "improvers/run0-t1.ts",
        },
      ],
      best: {
        run: 0,
        t: 2,
        improver: "improvers/run0-t2.ts",
        metaUtility: { val: 0.6, test: 0.5 },
      },
    },
    files: {
      "improvers/run0-t1.ts": BROKEN_IMPROVER,
      "improvers/run0-t2.ts": IDENTITY_IMPROVER,
    },
  });
}

async function seedTestScore(taskId: string): Promise<number> {
  const task = getTask(taskId);
  return await new Utility(task, { budget: 1, split: "test" }).score(await task.seedSolution());
}

Deno.test("transfer runs end to end through main(): summary.json in the brief's schema, matching the printed table", async () => {
  await using temp = await tempRoot();
  const { code, dirs, stdout, stderr } = await inTempRuns(() =>
    main([
      "transfer",
      "--improver",
      SEED_IMPROVER,
      "--tasks",
      "parity,string-grid",
      "--model",
      "offline",
      "--json",
      ...TINY,
    ]), temp.path);
  equal(code, 0);
  equal(dirs.length, 1);
  const dir = dirs[0]!;
  const summary = await readJson(`${dir}/summary.json`);
  deepEqual(Object.keys(summary).sort(), [
    "audit",
    "chatRequests",
    "command",
    "costUsd",
    "improved",
    "model",
    "rows",
    "runDir",
    "runs",
    "standIn",
    "wallMs",
  ]);
  equal(summary.command, "transfer");
  equal(summary.runDir, dir);
  equal(summary.standIn, true);
  equal(summary.model, "offline-stand-in");
  equal(summary.runs, 1);
  deepEqual(summary.improved, { from: SEED_IMPROVER, improver: "improved_improver.ts" });
  equal(
    await Deno.readTextFile(`${dir}/improved_improver.ts`),
    await Deno.readTextFile(SEED_IMPROVER),
  );
  equal((await readJson(`${dir}/config.json`)).command, "transfer");
  for (const file of ["audit.jsonl", "ledger.jsonl", "cache.jsonl"]) {
    ok((await Deno.stat(`${dir}/${file}`)).isFile, `${file} written`);
  }
  // Table 1's order, whatever order --tasks gave.
  deepEqual(summary.rows.map((r: { task: string }) => r.task), ["string-grid", "parity"]);
  for (const row of summary.rows) {
    equal(row.title, PAPER_TABLE_1[row.task as "parity"].title);
    deepEqual(row.paper, {
      seed: PAPER_TABLE_1[row.task as "parity"].seed,
      seedImprover: PAPER_TABLE_1[row.task as "parity"].seedImprover,
      improvedImprover: PAPER_TABLE_1[row.task as "parity"].improvedImprover,
    });
    for (const arm of ["seed", "seedImprover", "improvedImprover"]) {
      const cell = row[arm];
      equal(cell.n, 1, `${row.task} ${arm} n`);
      equal(cell.se, 0, `${row.task} ${arm} se with one run`);
      ok(cell.mean >= 0 && cell.mean <= 1, `${row.task} ${arm} mean ${cell.mean} in [0, 1]`);
    }
  }
  // u(seed) is the seed solution's own test score (string grid is deterministic).
  equal(summary.rows[0].seed.mean, await seedTestScore("string-grid"));
  equal(summary.rows[0].seedFailure, null);
  // Two improvers × two tasks × one run, each at most 1 call of at most 2 replies.
  ok(summary.chatRequests > 0 && summary.chatRequests <= 8, `${summary.chatRequests} requests`);
  equal(summary.costUsd, 0);
  // --json: the summary is the last line of standard output, the table went to standard error.
  deepEqual(JSON.parse(stdout.at(-1)!), summary);
  for (const line of formatTransferTable(summary.rows)) {
    ok(stderr.includes(line), `printed: ${line}`);
  }
  ok(stderr.some((l) => l.includes("String grid distance") && l.includes("(paper 43.9%)")));
  ok(stderr[0]!.startsWith("transfer (paper Table 1)"), "what is about to happen first");
  ok(stderr[1]!.includes("offline stand-in"), "stand-in banner on top");
  ok(stderr.at(-1)!.includes("offline stand-in"), "stand-in banner at the bottom");
  ok(stderr[2]!.startsWith("Worst case: 4 calls"), `forecast third: ${stderr[2]}`);
  equal(stderr.filter((l) => /^\[\d+\/6\] /.test(l)).length, 6, "one progress line per cell");
});

Deno.test("transfer --from takes the run's best improver, not the lineage's highest", async () => {
  await using temp = await tempRoot();
  const root = temp.path;
  const from = await bestVersusLineage(root);
  const { code, dirs } = await inTempRuns(
    () => transferCommand(["--from", from, "--tasks", "string-grid", "--json", ...TINY]),
    root,
  );
  equal(code, 0);
  const summary = await readJson(`${dirs[0]}/summary.json`);
  equal(summary.improved.from, from);
  equal(await Deno.readTextFile(`${dirs[0]}/improved_improver.ts`), IDENTITY_IMPROVER);
  const [row] = summary.rows;
  // The identity improver hands back the seed solution: same test score, no failed run. The
  // lineage's broken improver would have scored 0 with one failed run.
  equal(row.improvedImprover.mean, row.seed.mean);
  equal(row.failedRuns.improvedImprover, 0);
});

Deno.test("loadImprovedImprover() refuses directories that are not finished self-improve runs", async (t) => {
  await using temp = await tempRoot();
  const root = temp.path;
  const cases: [string, () => Promise<string>, RegExp][] = [
    ["missing", () => Promise.resolve(`${root}/nothing-here`), /cannot be read/],
    ["not a run", async () => {
      await Deno.mkdir(`${root}/plain`);
      return `${root}/plain`;
    }, /not a run directory: config.json is missing/],
    [
      "foreign",
      () =>
        fakeRun(root, "foreign", {
          config: { command: "transfer" },
          summary: { command: "transfer", rows: [] },
        }),
      /not a self-improve run: current value of config.json 'command' is "transfer"/,
    ],
    ["unfinished", () => fakeRun(root, "unfinished", {}), /has not finished: summary.json/],
    [
      "no best, no lineage",
      () => fakeRun(root, "old", { summary: { iterations: [] } }),
      /names no improver/,
    ],
    [
      "escaping path",
      () =>
        fakeRun(root, "escape", {
          summary: { best: { improver: "../foreign/config.json", metaUtility: {} } },
        }),
      /must stay inside the run directory: current value is '..\/foreign\/config.json'/,
    ],
    [
      "missing improver file",
      () => fakeRun(root, "lost", { summary: { best: { improver: "improvers/gone.ts" } } }),
      /cannot be read: 'improvers\/gone.ts'/,
    ],
  ];
  for (const [name, make, message] of cases) {
    await t.step(name, async () => {
      const from = await make();
      await rejects(
        loadImprovedImprover({ from }),
        (e: unknown) => e instanceof ImprovedImproverError && message.test(e.message),
      );
    });
  }
  await t.step("the command refuses it with exit 2 and creates no run directory", async () => {
    const { code, dirs } = await inTempRuns(
      () => main(["transfer", "--from", `${root}/foreign`, ...TINY]),
      root,
    );
    equal(code, 2);
    equal(dirs.length, 0);
  });
});

Deno.test("loadImprovedImprover() without a source takes the newest finished run and never the seed", async () => {
  await using temp = await tempRoot();
  const root = temp.path;
  await rejects(
    loadImprovedImprover({ runsRoot: root }),
    (e: unknown) =>
      e instanceof ImprovedImproverError && /deno task experiment:lpn/.test(e.message) &&
      /--improver FILE/.test(e.message),
  );
  const empty = await inTempRuns(() => main(["transfer", ...TINY]), root);
  equal(empty.code, 2, "no self-improve run: a usage error, not a silent seed improver");
  equal(empty.dirs.length, 0);

  const older = await bestVersusLineage(root, "20260101-000000-self-improve-older1");
  await Deno.utime(`${older}/summary.json`, 1_000, 1_000);
  const newer = await fakeRun(root, "20250101-000000-self-improve-newer2", {
    summary: {
      command: "self-improve",
      lineage: [
        {
          run: 0,
          t: 0,
          accepted: true,
          metaUtility: { val: 0.5, test: 0.5 },
          improver: "improvers/run0-t0.ts",
        },
        {
          run: 0,
          t: 1,
          accepted: false,
          metaUtility: { val: 0.9, test: 0.9 },
          improver: "improvers/run0-t1.ts",
        },
        {
          run: 1,
          t: 1,
          accepted: true,
          metaUtility: { val: 0.7, test: 0.6 },
          improver: "improvers/run1-t1.ts",
        },
      ],
    },
    files: {
      "improvers/run0-t0.ts": "// t0\n" + IDENTITY_IMPROVER,
      "improvers/run0-t1.ts": "// rejected\n" + IDENTITY_IMPROVER,
      "improvers/run1-t1.ts": "// run 1, t 1\n" + IDENTITY_IMPROVER,
    },
  });
  // Newer by its summary's time, though older by name; an unfinished run is newer still.
  await fakeRun(root, "20270101-000000-self-improve-running", {});
  const picked = await loadImprovedImprover({ runsRoot: root });
  equal(picked.from, newer);
  equal(picked.choice, "lineage");
  equal(picked.run, 1);
  equal(picked.t, 1);
  deepEqual(picked.metaUtility, { val: 0.7, test: 0.6 });
  ok(picked.source.startsWith("// run 1, t 1"));
});

Deno.test("transfer refuses bad flags with a usage error naming flag and value", async (t) => {
  const cases: [string, string[], RegExp][] = [
    ["both sources", ["--from", "a", "--improver", "b"], /'--from' and '--improver' exclude/],
    ["not a transfer task", ["--tasks", "lpn"], /task 'lpn' as it is not a transfer task/],
    ["no task", ["--tasks", ","], /'--tasks' must name at least one task/],
    ["zero runs", ["--runs", "0"], /'--runs' must be an integer >= 1: current value is '0'/],
    ["zero concurrency", ["--concurrency", "0"], /'--concurrency' must be an integer >= 1/],
    ["bad time scale", ["--time-scale", "0"], /'--time-scale' must be a number > 0/],
    ["stray argument", ["lpn"], /unexpected argument 'lpn'/],
  ];
  for (const [name, argv, message] of cases) {
    await t.step(name, async () => {
      await rejects(
        transferCommand(argv),
        (e: unknown) => e instanceof UsageError && message.test(e.message),
      );
    });
  }
});

Deno.test("runTransfer() on a fake run directory: cells, failed improver runs count 0", async () => {
  await using temp = await tempRoot();
  const root = temp.path;
  const from = await fakeRun(root, "broken", {
    summary: { command: "self-improve", best: { run: 0, t: 1, improver: "improvers/broken.ts" } },
    files: { "improvers/broken.ts": BROKEN_IMPROVER },
  });
  const cells: TransferCell[] = [];
  const rows = await runTransfer({
    improved: { from },
    runs: 2,
    tasks: ["string-grid"],
    lmBudget: 1,
    responsesPerCall: 2,
    utilityBudget: 2,
    concurrency: 2,
    onCell: (cell) => void cells.push(cell),
  });
  equal(cells.length, 6);
  deepEqual(cells.map((c) => c.done), [1, 2, 3, 4, 5, 6]);
  ok(cells.every((c) => c.total === 6));
  equal(rows.length, 1);
  const [row] = rows;
  equal(row!.task, "string-grid");
  equal(row!.scale.length > 0, true);
  // Every broken run is a failure that contributes 0.
  deepEqual(row!.improvedImprover, { mean: 0, se: 0, n: 2 });
  equal(row!.failedRuns.improvedImprover, 2);
  ok(
    cells.filter((c) => c.arm === "improvedImprover").every((c) =>
      /broken on purpose/.test(c.failure ?? "")
    ),
  );
  // The seed improver ran through the stand-in and the seed solution was scored per run.
  equal(row!.failedRuns.seedImprover, 0);
  equal(row!.seedImprover.n, 2);
  deepEqual(row!.seed, { mean: await seedTestScore("string-grid"), se: 0, n: 2 });
  ok(cells.filter((c) => c.arm === "seedImprover").every((c) => c.lmCalls === 1));
});
