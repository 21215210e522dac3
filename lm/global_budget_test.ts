import { equal, throws } from "node:assert/strict";
import { GlobalBudget } from "./global_budget.ts";

Deno.test("GlobalBudget.reserve() counts calls in flight against the cap", () => {
  const budget = new GlobalBudget({ maxCalls: 2, maxTokens: 100 });
  const a = budget.reserve({ calls: 1, tokens: 40, usd: 0 });
  budget.reserve({ calls: 1, tokens: 40, usd: 0 });
  throws(() => budget.reserve({ calls: 1, tokens: 1, usd: 0 }), { resource: "calls" });
  budget.settle(a, { tokens: 5, usd: 0 });
  equal(budget.used.calls, 1);
  equal(budget.used.tokens, 5);
  equal(budget.held.tokens, 40);
});

Deno.test("GlobalBudget.reserve() refuses a worst case over the token cap", () => {
  const budget = new GlobalBudget({ maxTokens: 100 });
  throws(() => budget.reserve({ calls: 1, tokens: 101, usd: 0 }), {
    name: "BudgetExceededError",
    resource: "tokens",
  });
  const held = budget.reserve({ calls: 1, tokens: 100, usd: 0 });
  budget.release(held);
  equal(budget.used.calls, 0);
  equal(budget.held.tokens, 0);
});

Deno.test("GlobalBudget() rejects negative caps", () => {
  throws(() => new GlobalBudget({ maxCostUsd: -1 }), RangeError);
});
