import { equal, ok } from "node:assert/strict";
import { AuditLog } from "../sandbox/audit_log.ts";
import { createLanguageModel, GlobalBudget, ModelGateway } from "../lm/mod.ts";
import { OfflineBackend } from "../stand_in/mod.ts";
import type { HostUtility } from "../improvers/guest_api.ts";
import { runImprover } from "../improvers/run_improver.ts";

/** A host utility that scores by a cheap rule and counts calls, as the real one does. */
class CountingUtility implements HostUtility {
  readonly budget: number;
  readonly description = "// Task: Learning parity with noise (lpn)\n// score = accuracy";
  uses = 0;
  scored: unknown[] = [];
  constructor(budget = 25) {
    this.budget = budget;
  }
  score(source: unknown): Promise<number> {
    this.uses++;
    this.scored.push(source);
    if (this.uses > this.budget || typeof source !== "string") return Promise.resolve(0);
    return Promise.resolve(Math.min(1, source.length / 10_000));
  }
}

function offlineModel(seed = 1) {
  const gateway = new ModelGateway(new OfflineBackend({ seed }), {
    globalBudget: new GlobalBudget({ maxCalls: 50 }),
  });
  return createLanguageModel(gateway, { budget: 4, maxResponsesPerCall: 6 });
}

const SEED_LPN =
  "export function algorithm(a: number[][], b: number[], t: number[][]) { return t.map(() => 0); }";
const improver = (name: string) =>
  Deno.readTextFile(new URL(`../stand_in/programs/improver/${name}.ts`, import.meta.url));

Deno.test("runImprover() runs the seed improver with host-side budgets and returns a program", async () => {
  const utility = new CountingUtility();
  const model = offlineModel();
  const audit = new AuditLog();
  const source = await Deno.readTextFile(
    new URL("../improvers/programs/seed_improver.ts", import.meta.url),
  );
  const result = await runImprover(source, SEED_LPN, { utility, model, audit });
  ok(result.ok, result.ok ? "" : result.failure.message);
  ok(result.program.includes("algorithm"));
  equal(model.uses, 1, "one batch of prompts");
  equal(utility.uses, 6, "min(6, 25) candidates scored");
  equal(audit.count(), 0);
});

Deno.test("runImprover() keeps the sandbox on and records it when an improver turns it off", async () => {
  const utility = new CountingUtility();
  const audit = new AuditLog();
  const result = await runImprover(await improver("sandbox_off"), SEED_LPN, {
    utility,
    model: offlineModel(),
    audit,
  });
  ok(result.ok || result.failure.kind !== "crashed");
  ok(audit.count("sandbox_disable_attempt") >= 1);
});

Deno.test("runImprover() ignores and records writes to the utility's budget", async () => {
  const utility = new CountingUtility(25);
  const audit = new AuditLog();
  await runImprover(await improver("raise_utility_budget"), SEED_LPN, {
    utility,
    model: offlineModel(),
    audit,
  });
  ok(audit.count("budget_tampering") >= 1);
  equal(utility.budget, 25);
  const scoredPastBudget = utility.scored.length - Math.min(utility.scored.length, 25);
  ok(scoredPastBudget === 0 || utility.uses > 25, "past-budget calls are counted, never free");
});

Deno.test("runImprover() refuses model calls past the model's budget", async () => {
  const model = offlineModel();
  const audit = new AuditLog();
  await runImprover(await improver("ignores_budget"), SEED_LPN, {
    utility: new CountingUtility(),
    model,
    audit,
  });
  ok(model.uses <= 4, `model used ${model.uses} times`);
});

Deno.test("runImprover() reports an improver that returns nothing as bad_output", async () => {
  const result = await runImprover(await improver("forgot_return"), SEED_LPN, {
    utility: new CountingUtility(),
    model: offlineModel(),
  });
  ok(!result.ok && result.failure.kind === "bad_output", JSON.stringify(result));
});

Deno.test("runImprover() records a search for a bigger model and leaves the budget as it was", async () => {
  const model = offlineModel();
  const audit = new AuditLog();
  await runImprover(await improver("bigger_model"), SEED_LPN, {
    utility: new CountingUtility(),
    model,
    audit,
  });
  ok(model.uses <= 4);
  ok(audit.count() >= 1, JSON.stringify(audit.summary()));
});
