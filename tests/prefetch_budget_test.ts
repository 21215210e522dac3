/**
 * Speculative scoring stays within documented limits (issue 12, item 4): an improver that asks
 * the model for programs, then asks the utility about programs the model never proposed,
 * makes the host run at most `budget + DEFAULT_PREFETCH_LIMIT` evaluations (not twice the
 * budget), and a meta-utility's speculative evaluations make at most the prefetch limit's
 * worth of model calls on top of the budget's. With prefetching off, exactly the budget.
 */
import assert from "node:assert/strict";
import { runImprover } from "../improvers/run_improver.ts";
import { describeCost } from "../lm/mod.ts";
import { createOfflineLanguageModel } from "../stand_in/mod.ts";
import type { LanguageModel } from "../lm/language_model.ts";
import { DEFAULT_PREFETCH_LIMIT, Utility } from "../utilities/utility.ts";
import { MetaUtility } from "../utilities/meta_utility.ts";
import { stringGridTask } from "../utilities/string_grid.ts";
import { stopRunCalls } from "../lm/cost_forecast.ts";
import { configModelFlags } from "../experiments/read_self_improve_run.ts";
import { executeSelfImprove } from "../cli/_execute_self_improve.ts";
import { speculativeUsage } from "../experiments/self_improve_run.ts";
import {
  DEFAULT_SELF_IMPROVE_CONFIG,
  type SelfImproveConfig,
} from "../experiments/self_improve_run.ts";

/**
 * An improver that fills its model budget with prompts (each reply's code is prefetched),
 * then asks the utility about `own` programs of its own making, none of them proposed.
 */
function askingImprover(own: number, prompts: number): string {
  return `export function improveAlgorithm(initial: string, utility: any, languageModel: any): string {
  for (let i = 0; i < ${prompts}; i++) {
    const message = "Improve this program (attempt " + i + ").\\n" + utility.str + "\\n" + initial;
    languageModel.batchPrompt("expert", [message, message, message, message, message, message], 0.7);
  }
  let best = initial, bestScore = -1;
  for (let i = 0; i < ${own}; i++) {
    const mine = "export function algorithm(x: any) { return x; } // variant " + i;
    const s = utility(mine);
    if (s > bestScore) { bestScore = s; best = mine; }
  }
  return best;
}`;
}

/** A model whose every reply is a different program (the most a prefetch could start). */
function distinctReplies(budget: number): LanguageModel {
  let uses = 0, replies = 0;
  const reply = () =>
    "Here it is.\n```ts\nexport function algorithm(x: any) { return x; } // reply " +
    replies++ + "\n```";
  const call = (n: number) => {
    if (uses >= budget) return Promise.reject(new Error("model budget spent"));
    uses++;
    return Promise.resolve(Array.from({ length: n }, reply));
  };
  return {
    budget,
    maxResponsesPerCall: 6,
    standIn: true,
    get uses() {
      return uses;
    },
    prompt: (_e, _m, n = 1) => call(n),
    batchPrompt: (_e, messages) => call(messages.length),
  };
}

/** A utility whose evaluations are counted (and fail fast, without a sandbox). */
function countingUtility(budget: number): { utility: Utility; loaded: string[] } {
  const loaded: string[] = [];
  const utility = new Utility(stringGridTask, {
    budget,
    load: (source) => {
      loaded.push(source);
      return Promise.reject(new Error("counted, not run"));
    },
  });
  return { utility, loaded };
}

async function runAsking(prefetch: boolean, budget = 25) {
  const { utility, loaded } = countingUtility(budget);
  const model = distinctReplies(4);
  const result = await runImprover(
    askingImprover(budget, 4),
    "export function algorithm(x: any) { return x; }",
    {
      utility,
      model,
      prefetch,
      limits: { timeoutMs: 60_000 },
    },
  );
  assert.ok(result.ok, JSON.stringify(result));
  await utility.settled();
  return { loaded, utility, model };
}

Deno.test("an improver that asks for programs the model never proposed: evaluations within budget + prefetch limit", async () => {
  const { loaded, utility, model } = await runAsking(true);
  assert.equal(model.uses, 4, "the improver made its four model calls");
  assert.equal(utility.uses, 25);
  const own = loaded.filter((s) => s.includes("// variant "));
  assert.equal(own.length, 25, "every program the improver asked about was evaluated");
  const speculative = loaded.length - own.length;
  assert.ok(speculative > 0, "the model's replies were prefetched");
  assert.ok(
    loaded.length <= 25 + DEFAULT_PREFETCH_LIMIT,
    `${loaded.length} evaluations behind a budget of 25 (limit ${25 + DEFAULT_PREFETCH_LIMIT})`,
  );
  assert.deepEqual(utility.speculation, { started: speculative, used: 0 });
});

Deno.test("--no-prefetch: exactly the budget's evaluations", async () => {
  const { loaded, utility } = await runAsking(false);
  assert.equal(loaded.length, 25);
  assert.deepEqual(utility.speculation, { started: 0, used: 0 });
});

Deno.test("speculation takes no budget slot: all of a small budget goes to what the improver asks", async () => {
  const { loaded } = await runAsking(true, 3);
  assert.equal(loaded.filter((s) => s.includes("// variant ")).length, 3);
  assert.ok(loaded.length <= 3 + DEFAULT_PREFETCH_LIMIT, `${loaded.length} evaluations`);
});

Deno.test("a meta-utility's speculative evaluations cost at most the prefetch limit's worth of model calls", async () => {
  const runs = 5, lmBudget = 4, budget = 25;
  const models: LanguageModel[] = [];
  const meta = new MetaUtility({
    task: stringGridTask,
    budget,
    runs,
    lmBudget,
    makeModel: () => {
      const m = createOfflineLanguageModel({ seed: 1, budget: lmBudget, maxResponsesPerCall: 1 });
      models.push(m);
      return m;
    },
    // Each improver run spends its model budget, then fails (so nothing is scored downstream).
    runImprover: async (_improver, _initial, { model }) => {
      for (let i = 0; i < lmBudget; i++) await model.prompt("expert", `run ${i}`, 1, 0.7);
      return { ok: false, failure: { kind: "runtime_error", message: "done" } };
    },
  });
  const outer = createOfflineLanguageModel({ seed: 2, budget: 4, maxResponsesPerCall: 6 });
  const result = await runImprover(
    askingImprover(budget, 4),
    "export function algorithm(x: any) { return x; }",
    {
      utility: meta,
      model: outer,
      limits: { timeoutMs: 120_000 },
    },
  );
  assert.ok(result.ok, JSON.stringify(result));
  await meta.settled();
  const calls = models.reduce((n, m) => n + m.uses, 0);
  const limit = (budget + DEFAULT_PREFETCH_LIMIT) * runs * lmBudget;
  assert.ok(calls <= limit, `${calls} model calls, over the limit of ${limit}`);
  assert.ok(meta.speculation.started > 0 && meta.speculation.started <= DEFAULT_PREFETCH_LIMIT);
  assert.equal(calls, (budget + meta.speculation.started) * runs * lmBudget);
  // The forecast covers them: one iteration's meta-utility calls with the prefetch limit.
  const forecast = stopRunCalls({ iterations: 1, prefetchLimit: DEFAULT_PREFETCH_LIMIT });
  const withoutSpeculation = stopRunCalls({ iterations: 1 });
  assert.equal(forecast - withoutSpeculation, DEFAULT_PREFETCH_LIMIT * runs * lmBudget);
});

Deno.test("a self-improvement run reports its speculative spend apart from its own", async () => {
  const root = await Deno.makeTempDir({ prefix: "stop-speculative-" });
  try {
    const config: SelfImproveConfig = {
      ...DEFAULT_SELF_IMPROVE_CONFIG,
      iterations: 1,
      responses: 2,
      lmBudget: 2,
      utilityBudget: 2,
      metaBudget: 3,
      metaTests: 2,
      sandboxes: 2,
    };
    const path = `${root}/run`;
    await Deno.mkdir(path);
    await Deno.writeTextFile(
      `${path}/config.json`,
      JSON.stringify({ command: "self-improve", ...config }),
    );
    const lines: string[] = [];
    const summary = await executeSelfImprove({
      dir: { id: "run", path },
      config,
      flags: configModelFlags(config, false),
      log: (line) => lines.push(line),
      resuming: false,
    });
    const s = summary.speculative;
    assert.ok(s.evaluations > 0, "the outer improver's replies were prefetched");
    assert.ok(s.evaluations <= DEFAULT_PREFETCH_LIMIT * config.iterations);
    assert.ok(s.evaluationsUsed <= s.evaluations);
    assert.ok(s.chatRequestsUsed <= s.chatRequests && s.chatRequests <= summary.chatRequests);
    assert.ok(s.chatRequests <= s.evaluations * config.metaTests * config.lmBudget);
    const line = lines.find((l) => l.startsWith("speculative: "));
    assert.equal(
      line,
      `speculative: ${s.chatRequests} calls, ${
        describeCost(s)
      }, used: ${s.chatRequestsUsed} (${s.evaluationsUsed} of ${s.evaluations} prefetched meta-utility evaluations)`,
    );
    assert.ok(lines.some((l) => l.includes("speculative scoring included")), "in the forecast");
  } finally {
    await Deno.remove(root, { recursive: true });
  }
});

Deno.test("speculativeUsage() counts speculative requests of unknown price apart, never as $0", () => {
  const record = (scope: string, costUsd: number | null, error: string | null = null) => ({
    time: "2026-11-28T00:00:00Z",
    kind: "completion" as const,
    callId: crypto.randomUUID(),
    scope,
    model: "unpriced-model",
    standIn: false,
    requestHash: scope,
    occurrence: 0,
    n: 6,
    temperature: 0.7,
    promptTokens: 10,
    completionTokens: 10,
    latencyMs: 1,
    costUsd,
    cacheHit: false,
    error,
  });
  const events = [{
    time: "2026-11-28T00:00:00Z",
    type: "iteration-end",
    run: 0,
    t: 1,
    speculation: { keys: [{ key: "a.0", used: true }, { key: "b.0", used: false }] },
  }];
  const usage = speculativeUsage([
    record("r0/t1/ea.0/run0", 0.5),
    record("r0/t1/eb.0/run0", null),
    record("r0/t1/eb.0/run1", null, "503 after retries"), // failed: not paid, not unpriced
    record("r0/t1/own/run0", null), // not speculative
  ], events);
  assert.equal(usage.paid, 2);
  assert.equal(usage.unpriced, 1);
  assert.equal(usage.costUsd, 0.5);
  assert.equal(
    describeCost(usage),
    "$0.5000 + unknown (1 unpriced requests)",
    "the unknown part is said, not folded into the dollars",
  );
});

Deno.test("speculativeUsage() totals the same dollars whatever order the calls finished in", () => {
  const record = (scope: string, costUsd: number) => ({
    time: "2026-11-28T00:00:00Z",
    kind: "completion" as const,
    callId: scope,
    scope,
    model: "m",
    standIn: false,
    requestHash: scope,
    occurrence: 0,
    n: 1,
    temperature: 0.7,
    promptTokens: 1,
    completionTokens: 1,
    latencyMs: 1,
    costUsd,
    cacheHit: false,
    error: null,
  });
  const events = [{
    time: "2026-11-28T00:00:00Z",
    type: "iteration-end",
    run: 0,
    t: 1,
    speculation: { keys: [{ key: "a.0", used: true }] },
  }];
  // Plain addition of these gives 0.6000000000000001 one way and 0.6 the other.
  const records = [0.1, 0.2, 0.3].map((usd, i) => record(`r0/t1/ea.0/run${i}`, usd));
  const forward = speculativeUsage(records, events);
  const backward = speculativeUsage([...records].reverse(), events);
  assert.equal(forward.costUsd, backward.costUsd);
  assert.equal(forward.costUsdUsed, backward.costUsdUsed);
  assert.equal(forward.paid, 3);
});
