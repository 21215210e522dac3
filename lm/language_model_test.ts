import { deepEqual, equal, ok, rejects } from "node:assert/strict";
import { FakeBackend } from "./_fake_backend.ts";
import type { LmAuditKind } from "./audit_hook.ts";
import { BudgetExceededError } from "./errors.ts";
import { GlobalBudget } from "./global_budget.ts";
import { createLanguageModel } from "./language_model.ts";
import { ModelGateway } from "./model_gateway.ts";

function auditSpy() {
  const events: { kind: LmAuditKind; detail: string }[] = [];
  return { events, record: (event: { kind: LmAuditKind; detail: string }) => events.push(event) };
}

Deno.test("createLanguageModel() refuses calls past its budget without sending and audits them", async () => {
  const backend = new FakeBackend();
  const audit = auditSpy();
  const gateway = new ModelGateway(backend, { audit });
  const model = createLanguageModel(gateway, { budget: 2 });
  await model.prompt("expert", "a");
  await model.batchPrompt("expert", ["b", "c"]);
  const error = await rejects(model.prompt("expert", "d"), BudgetExceededError).then(() =>
    undefined
  );
  equal(error, undefined);
  equal(backend.requests.length, 3);
  equal(model.uses, 2);
  equal(audit.events.length, 1);
  equal(audit.events[0]?.kind, "budget_exceeded");
  ok(audit.events[0]?.detail.includes("budget of 2"));
  const refused = gateway.ledger.records.filter((r) => r.kind === "refused");
  equal(refused.length, 1, "the refusal is in the ledger");
  equal(refused[0]?.costUsd, 0);
  ok(refused[0]?.error?.includes("budget of 2"));
});

Deno.test("prompt() asks one message n times and batchPrompt() asks each message once", async () => {
  const backend = new FakeBackend();
  const model = createLanguageModel(new ModelGateway(backend), { budget: 4 });
  const replies = await model.prompt("expert", "m", 3, 0.5);
  equal(replies.length, 3);
  equal(backend.requests[0]?.n, 3);
  equal(backend.requests[0]?.temperature, 0.5);
  deepEqual(backend.requests[0]?.messages.map((m) => m.role), ["system", "user"]);
  equal(backend.requests[0]?.messages[0]?.content, "expert");
  const batch = await model.batchPrompt("expert", ["x", "y"]);
  equal(batch.length, 2);
  deepEqual(backend.requests.slice(1).map((r) => [r.n, r.messages[1]?.content]), [[1, "x"], [
    1,
    "y",
  ]]);
  equal(backend.requests[1]?.temperature, 0.7);
});

Deno.test("prompt() refuses more replies than maxResponsesPerCall, at no cost", async () => {
  const backend = new FakeBackend();
  const audit = auditSpy();
  const model = createLanguageModel(new ModelGateway(backend), {
    maxResponsesPerCall: 2,
    audit,
  });
  await rejects(model.prompt("e", "m", 3), { name: "BudgetExceededError", resource: "responses" });
  await rejects(model.batchPrompt("e", ["a", "b", "c"]), { resource: "responses" });
  equal(backend.requests.length, 0);
  equal(model.uses, 0);
  equal(audit.events.length, 2);
});

Deno.test("createLanguageModel() objects share the run's global call cap; refused calls cost 0", async () => {
  const backend = new FakeBackend();
  const audit = auditSpy();
  const globalBudget = new GlobalBudget({ maxCalls: 3 });
  const gateway = new ModelGateway(backend, { globalBudget, audit });
  const first = createLanguageModel(gateway, { budget: 2 });
  const second = createLanguageModel(gateway, { budget: 2 });
  await first.prompt("e", "a");
  await first.prompt("e", "b");
  await second.prompt("e", "c");
  await rejects(second.prompt("e", "d"), { name: "BudgetExceededError", scope: "run" });
  equal(second.uses, 1, "a refused call does not use the object's budget");
  equal(backend.requests.length, 3);
  equal(globalBudget.used.calls, 3);
  const summary = gateway.ledger.summary();
  equal(summary.refused, 1);
  equal(summary.answered, 3);
  const refused = gateway.ledger.records.find((r) => r.kind === "refused");
  equal(refused?.costUsd, 0);
  equal(refused?.promptTokens, 0);
  equal(audit.events.length, 1);
});

Deno.test("createLanguageModel() rejects bad arguments with built-in errors", async () => {
  const model = createLanguageModel(new ModelGateway(new FakeBackend()));
  await rejects(model.prompt("e", "m", 0), RangeError);
  await rejects(model.prompt("e", "m", 1, 5), RangeError);
  await rejects(model.prompt("e", 3 as unknown as string), TypeError);
  equal(model.uses, 0);
  deepEqual(await model.batchPrompt("e", []), []);
});

Deno.test("createLanguageModel() refuses a huge prompt before sending it", async () => {
  const backend = new FakeBackend();
  const audit = auditSpy();
  const model = createLanguageModel(new ModelGateway(backend), { maxPromptChars: 100, audit });
  await rejects(model.prompt("e", "x".repeat(200)), {
    name: "BudgetExceededError",
    resource: "tokens",
  });
  await rejects(model.batchPrompt("e", ["x".repeat(60), "y".repeat(60)]), { resource: "tokens" });
  equal(backend.requests.length, 0);
  equal(model.uses, 0);
  equal(audit.events.length, 2);
});
