/**
 * Endpoint failures are the endpoint's, not the improver's (issue 11, item 4): a fatal
 * endpoint error (or a sandbox that cannot start) met anywhere below an improver run is
 * carried out of the guest as the host's failure, stops `improve` and the self-improvement
 * loop with a message that says what to do, records no rejected iteration, and a resumed run
 * finishes with the numbers of an uninterrupted one. Non-fatal errors stay the improver's.
 *
 * @module
 */
import assert from "node:assert/strict";
import { BudgetExceededError, ModelError } from "../lm/errors.ts";
import { createLanguageModel } from "../lm/language_model.ts";
import { ModelGateway } from "../lm/model_gateway.ts";
import { OfflineBackend } from "../stand_in/offline_backend.ts";
import { STAND_IN_MODEL } from "../lm/stand_in_name.ts";
import { serveOfflineModel } from "../stand_in/serve_offline_model.ts";
import { PluginUnavailableError } from "../sandbox/errors.ts";
import type { CallResult } from "../sandbox/call_result.ts";
import { runImprover } from "../improvers/run_improver.ts";
import type { HostUtility } from "../improvers/guest_api.ts";
import { HostFailureError, hostFailureOf } from "../utilities/host_failure.ts";
import { Utility } from "../utilities/utility.ts";
import { getTask } from "../utilities/tasks.ts";
import { improveCommand } from "../cli/improve_command.ts";
import { main } from "../cli/main.ts";
import { executeSelfImprove } from "../cli/_execute_self_improve.ts";
import { compareSummaries } from "../experiments/compare_summaries.ts";
import { runTransfer } from "../experiments/transfer.ts";
import { runSandboxAudit } from "../experiments/circumvention.ts";
import type { RunDir } from "../experiments/run_dir.ts";
import { defaultModelFlags, newRunDir, SMALL } from "./small_self_improve_run.ts";
import { FailingBackend } from "./fakes/failing_backend.ts";

for (const name of ["STOP_MODEL", "OPENAI_API_KEY", "OPENAI_BASE_URL"]) Deno.env.delete(name);

const FATAL: Record<string, () => ModelError> = {
  "401 key refused": () =>
    new ModelError("Incorrect API key provided.", { kind: "auth", status: 401 }),
  "402 no credit": () =>
    new ModelError("This request requires more credits.", { kind: "spend_cap", status: 402 }),
  "404 unknown model": () =>
    new ModelError("The model 'gpt-9' does not exist.", { kind: "not_found", status: 404 }),
  "400 prompt refused by the content filter": () =>
    new ModelError("The prompt was filtered by the content management policy.", {
      kind: "bad_request",
      status: 400,
    }),
};

const NOT_FATAL: Record<string, () => Error> = {
  "503 after the retries": () =>
    new ModelError("The server is overloaded.", { kind: "unavailable", status: 503, attempts: 5 }),
  "a malformed body after the retries": () =>
    new ModelError("The reply was not JSON.", { kind: "bad_response", attempts: 5 }),
  "the improver's own budget": () =>
    new BudgetExceededError("no calls left", { scope: "object", resource: "calls" }),
};

/** An improver that catches every model error and keeps asking, then returns a program. */
const STUBBORN_IMPROVER =
  `export function improveAlgorithm(s: string, utility: any, lm: any): string {
  let errors = 0;
  for (let i = 0; i < 3; i++) {
    try { lm.batchPrompt("Expert.", ["improve " + i], 0.7); } catch (e) { errors++; }
  }
  return s + "\\n// errors caught: " + errors;
}`;

/** An improver that scores one candidate and swallows whatever the utility throws. */
const SCORING_IMPROVER = `export function improveAlgorithm(s: string, utility: any): string {
  try { utility(s + "\\n// candidate"); } catch (e) {}
  try { utility(s + "\\n// another"); } catch (e) {}
  return s + "\\n// scored";
}`;

const noUtility: HostUtility = {
  budget: 2,
  uses: 0,
  description: "unused",
  score: () => Promise.resolve(0),
};

function modelFailingWith(error: () => Error) {
  const backend = new FailingBackend(new OfflineBackend({ catalog: [] }), { failAt: 1, error });
  const model = createLanguageModel(new ModelGateway(backend), {
    budget: 4,
    maxResponsesPerCall: 6,
  });
  return { backend, model };
}

Deno.test("hostFailureOf() takes fatal endpoint errors and a missing sandbox, nothing else", () => {
  for (const [name, make] of Object.entries(FATAL)) {
    const failure = hostFailureOf(make());
    assert.equal(failure?.source, "endpoint", name);
    assert.match(failure.message, /model endpoint failed \(HTTP \d+, /, name);
  }
  assert.equal(hostFailureOf(new PluginUnavailableError("not built"))?.source, "sandbox");
  for (const [name, make] of Object.entries(NOT_FATAL)) {
    assert.equal(hostFailureOf(make()), undefined, name);
  }
  assert.equal(hostFailureOf(new Error("the improver threw")), undefined);
  assert.equal(hostFailureOf("text"), undefined);
});

Deno.test("runImprover() throws a fatal endpoint error the improver caught, and sends nothing after it", async (t) => {
  for (const [name, make] of Object.entries(FATAL)) {
    await t.step(name, async () => {
      const { backend, model } = modelFailingWith(make);
      await assert.rejects(
        runImprover(STUBBORN_IMPROVER, "export const x = 1;", { utility: noUtility, model }),
        (error: unknown) => error instanceof HostFailureError && error.source === "endpoint",
      );
      // The two later calls the improver made after catching the error never left the host.
      assert.equal(backend.requests, 1);
    });
  }
  for (const [name, make] of Object.entries(NOT_FATAL)) {
    await t.step(`look-alike: ${name} stays the improver's`, async () => {
      const { backend, model } = modelFailingWith(make);
      const result = await runImprover(STUBBORN_IMPROVER, "export const x = 1;", {
        utility: noUtility,
        model,
      });
      assert.ok(result.ok);
      assert.match(result.program, /errors caught: 3$/);
      assert.equal(backend.requests, 3);
    });
  }
});

Deno.test("runImprover() throws a host failure met inside its utility (a nested improver run)", async (t) => {
  const { model } = modelFailingWith(() => new Error("unused"));
  for (
    const [name, error] of [
      ["endpoint", hostFailureOf(FATAL["402 no credit"]!())!],
      ["sandbox", new PluginUnavailableError("Cannot start a sandbox")],
    ] as const
  ) {
    await t.step(name, async () => {
      let scored = 0;
      const utility: HostUtility = {
        ...noUtility,
        score: () => {
          scored++;
          return Promise.reject(error);
        },
      };
      await assert.rejects(
        runImprover(SCORING_IMPROVER, "export const x = 1;", { utility, model }),
        (e: unknown) => e instanceof HostFailureError && e.source === name,
      );
      assert.equal(scored, 1, "the second utility call was refused in the host");
    });
  }
  await t.step("look-alike: a utility that throws an ordinary error", async () => {
    const utility: HostUtility = {
      ...noUtility,
      score: () => Promise.reject(new TypeError("bad source")),
    };
    const result = await runImprover(SCORING_IMPROVER, "export const x = 1;", { utility, model });
    assert.ok(result.ok);
  });
});

Deno.test("Utility.score() stops on a sandbox that cannot start instead of scoring 0", async (t) => {
  const task = getTask("parity");
  const unavailable = () => new PluginUnavailableError("Cannot start a sandbox: not built");
  const runner = (fail: () => Error) => ({
    call: (): Promise<CallResult> => Promise.reject(fail()),
    close: () => Promise.resolve(),
  });
  await t.step("the loader fails", async () => {
    const utility = new Utility(task, { load: () => Promise.reject(unavailable()) });
    await assert.rejects(utility.score("export function algorithm() {}"), HostFailureError);
  });
  await t.step("the first call fails", async () => {
    const utility = new Utility(task, { load: () => Promise.resolve(runner(unavailable)) });
    await assert.rejects(utility.score("export function algorithm() {}"), HostFailureError);
  });
  await t.step("look-alike: other load and call errors still score 0", async () => {
    const broken = new Utility(task, { load: () => Promise.reject(new Error("bad")) });
    assert.equal(await broken.score("export function algorithm() {}"), 0);
    const crashing = new Utility(task, {
      load: () => Promise.resolve(runner(() => new Error("worker died"))),
    });
    assert.equal(await crashing.score("export function algorithm() {}"), 0);
  });
});

/** Runs `fn` with run directories going to a fresh temporary folder. */
async function inTempRuns<T>(fn: (root: string) => Promise<T>): Promise<T> {
  const root = await Deno.makeTempDir({ prefix: "stop-endpoint-failure-" });
  const before = Deno.env.get("STOP_RUNS_DIR");
  Deno.env.set("STOP_RUNS_DIR", root);
  try {
    return await fn(root);
  } finally {
    if (before === undefined) Deno.env.delete("STOP_RUNS_DIR");
    else Deno.env.set("STOP_RUNS_DIR", before);
    await Deno.remove(root, { recursive: true });
  }
}

async function onlyDir(root: string): Promise<string> {
  const dirs: string[] = [];
  for await (const entry of Deno.readDir(root)) if (entry.isDirectory) dirs.push(entry.name);
  assert.equal(dirs.length, 1);
  return `${root}/${dirs[0]}`;
}

async function jsonLines(path: string): Promise<Record<string, unknown>[]> {
  return (await Deno.readTextFile(path)).split("\n").filter((l) => l !== "").map((l) =>
    JSON.parse(l)
  );
}

function exists(path: string): Promise<boolean> {
  return Deno.stat(path).then(() => true, () => false);
}

Deno.test("improve stops with the endpoint's message when the endpoint fails fatally at call 3", async () => {
  await inTempRuns(async (root) => {
    const backend = new FailingBackend(new OfflineBackend(), { failAt: 3 });
    await assert.rejects(
      improveCommand(["parity", "--json"], { backend }),
      (error: unknown) => {
        assert.ok(error instanceof HostFailureError);
        assert.match(error.message, /^stopped: the model endpoint failed \(HTTP 401, auth\)/);
        // The client's own advice is passed on.
        assert.match(error.message, /Incorrect API key provided \(fake\)\. Check OPENAI_API_KEY\./);
        assert.match(error.message, /not a program's/);
        assert.match(error.message, /run the command again/);
        return true;
      },
    );
    const dir = await onlyDir(root);
    assert.equal(await exists(`${dir}/summary.json`), false, "no verdict was written");
    assert.equal(await exists(`${dir}/improved.ts`), false);
    const ledger = await jsonLines(`${dir}/ledger.jsonl`);
    const failed = ledger.filter((r) => r.kind === "completion" && r.error !== null);
    assert.ok(failed.length >= 1 && failed.length <= backend.failed);
  });
});

function selfImprove(dir: RunDir, backend: FailingBackend, resuming: boolean) {
  const lines: string[] = [];
  return executeSelfImprove({
    dir,
    config: SMALL,
    flags: defaultModelFlags(SMALL.seed),
    log: (line) => lines.push(line),
    resuming,
    backend,
  });
}

Deno.test("a one-iteration self-improve stops at a fatal endpoint error, records no rejected iteration, and resumes to the uninterrupted numbers", async () => {
  const root = await Deno.makeTempDir({ prefix: "stop-endpoint-failure-" });
  try {
    const whole = await selfImprove(
      await newRunDir(root, "whole", SMALL),
      new FailingBackend(new OfflineBackend({ seed: SMALL.seed })),
      false,
    );
    // The baseline asks 2 runs × 2 replies: request 8 falls inside iteration 1, in the
    // meta-utility's scoring of the improver's candidates (an improver run inside another).
    const dir = await newRunDir(root, "stopped", SMALL);
    const backend = new FailingBackend(new OfflineBackend({ seed: SMALL.seed }), { failAt: 8 });
    await assert.rejects(selfImprove(dir, backend, false), (error: unknown) => {
      assert.ok(error instanceof HostFailureError);
      assert.match(error.message, /^stopped: the model endpoint failed \(HTTP 401, auth\)/);
      assert.ok(
        error.message.endsWith(`continue with: deno task stop self-improve --resume ${dir.path}`),
        error.message,
      );
      return true;
    });
    const events = await jsonLines(`${dir.path}/events.jsonl`);
    const types = events.map((e) => `${e.type}${e.t === undefined ? "" : ` ${e.t}`}`);
    assert.deepEqual(types, ["started", "baseline 0", "iteration-start 1", "stopped"]);
    assert.equal(events[3]!.source, "endpoint");
    assert.equal(await exists(`${dir.path}/summary.json`), false);
    assert.equal(await exists(`${dir.path}/improvers/run0-t1.ts`), false);

    backend.fix();
    const resumed = await selfImprove(dir, backend, true);
    assert.deepEqual(compareSummaries(whole, resumed), []);
    assert.equal(resumed.resumed, 1);
    const after = await jsonLines(`${dir.path}/events.jsonl`);
    assert.equal(after.filter((e) => e.type === "iteration-end").length, 1);
    assert.equal(after.filter((e) => e.type === "finished").length, 1);
  } finally {
    await Deno.remove(root, { recursive: true });
  }
});

Deno.test("transfer and the sandbox audit stop at a fatal endpoint error instead of counting failed runs", async (t) => {
  const seedImprover = await Deno.readTextFile(
    new URL("../improvers/programs/seed_improver.ts", import.meta.url),
  );
  const failingGateway = () =>
    new ModelGateway(new FailingBackend(new OfflineBackend(), { failAt: 2 }));
  await t.step("runTransfer()", async () => {
    await assert.rejects(
      runTransfer({
        improved: { source: seedImprover },
        gateway: failingGateway(),
        runs: 1,
        tasks: ["string-grid"],
        lmBudget: 1,
        responsesPerCall: 2,
        utilityBudget: 2,
        concurrency: 2,
      }),
      (error: unknown) => error instanceof HostFailureError && error.source === "endpoint",
    );
  });
  await t.step("runSandboxAudit()", async () => {
    await assert.rejects(
      runSandboxAudit({
        attempts: 2,
        responses: 2,
        cells: [false],
        gateway: failingGateway(),
        concurrency: 1,
      }),
      (error: unknown) => error instanceof HostFailureError && error.source === "endpoint",
    );
  });
});

Deno.test("stop improve exits 1 when the endpoint answers 401 over HTTP (the real client), with no verdict written", async () => {
  await using server = await serveOfflineModel({ script: [null, null, "unauthorized"] });
  Deno.env.set("OPENAI_API_KEY", "sk-test-not-a-key");
  try {
    await inTempRuns(async (root) => {
      const code = await main([
        "improve",
        "parity",
        "--model",
        STAND_IN_MODEL,
        "--base-url",
        server.baseUrl,
        "--json",
      ]);
      assert.equal(code, 1);
      const dir = await onlyDir(root);
      assert.equal(await exists(`${dir}/summary.json`), false);
      const ledger = await jsonLines(`${dir}/ledger.jsonl`);
      const failed = ledger.filter((r) => r.kind === "completion" && r.error !== null);
      assert.equal(failed.length, 1);
      assert.match(String(failed[0]!.error), /401|API key/);
    });
  } finally {
    Deno.env.delete("OPENAI_API_KEY");
  }
});
