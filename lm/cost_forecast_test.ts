import { equal, match, throws } from "node:assert/strict";
import { forecastCost, formatCostForecast, stopRunCalls } from "./cost_forecast.ts";

Deno.test("stopRunCalls() counts the seed's scoring and multiplies the budgets per iteration and run", () => {
  equal(stopRunCalls({ iterations: 3, runs: 5 }), 5 * (5 * 4 + 3 * (4 + 25 * 5 * 4 + 5 * 4)));
  equal(stopRunCalls({ iterations: 1, lmBudget: 1, metaBudget: 1, metaTests: 1 }), 1 + 3);
  equal(stopRunCalls({ iterations: 0, lmBudget: 2, metaTests: 3 }), 6);
});

Deno.test("forecastCost() prices the worst case and says when it cannot", () => {
  const priced = forecastCost({
    calls: 2,
    responsesPerCall: 3,
    model: "gpt-4o-mini",
    maxTokens: 100,
    promptTokens: 1000,
  });
  equal(priced.promptTokens, 6000);
  equal(priced.completionTokens, 600);
  equal(priced.costUsd, (6000 * 0.15 + 600 * 0.6) / 1e6);
  match(formatCostForecast(priced), /at most \$0\.00 on 'gpt-4o-mini'/);
  const unpriced = forecastCost({ calls: 1, responsesPerCall: 1, model: "my-llama" });
  equal(unpriced.costUsd, null);
  match(formatCostForecast(unpriced), /cost unknown/);
  throws(() => forecastCost({ calls: -1, responsesPerCall: 1, model: "m" }), RangeError);
});
