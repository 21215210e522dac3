/**
 * The worst case a run's budgets allow, in calls, tokens and dollars.
 *
 * @module
 */

import { costUsd, DEFAULT_PRICES, priceFor, type PriceTable } from "./price_table.ts";

/** What a forecast needs. */
export interface CostForecastOptions {
  /** Model calls the budgets allow at most (see `stopRunCalls`). */
  calls: number;
  /** Replies per call at most (`--responses`). */
  responsesPerCall: number;
  /** The model. */
  model: string;
  /** Completion tokens per reply at most (the client's max tokens). @default 4096 */
  maxTokens?: number;
  /** Prompt tokens of one request at most (prompts hold whole programs). @default 8000 */
  promptTokens?: number;
  /** Prices. @default DEFAULT_PRICES */
  prices?: PriceTable;
  /** Whether the model is the offline stand-in (cost 0). @default model === "offline-stand-in" */
  standIn?: boolean;
}

/** A worst-case forecast. */
export interface CostForecast {
  /** The model. */
  model: string;
  /** Calls at most. */
  calls: number;
  /** Replies at most. */
  replies: number;
  /** Prompt tokens at most (billed once per reply, in case the server ignores `n`). */
  promptTokens: number;
  /** Completion tokens at most. */
  completionTokens: number;
  /** Dollars at most; `null` when the model is unpriced. */
  costUsd: number | null;
  /** Whether the model is the offline stand-in. */
  standIn: boolean;
}

/**
 * Computes the worst case of a run from its budgets.
 *
 * @param options Calls, replies per call, model and token bounds.
 * @returns The forecast.
 * @throws {RangeError} When a count is negative.
 *
 * @example
 * ```ts
 * import { forecastCost } from "./cost_forecast.ts";
 * import { equal } from "node:assert/strict";
 * const forecast = forecastCost({ calls: 4, responsesPerCall: 6, model: "gpt-4o", maxTokens: 1000, promptTokens: 2000 });
 * equal(forecast.replies, 24);
 * equal(forecast.costUsd, (24 * 2000 * 2.5 + 24 * 1000 * 10) / 1e6);
 * ```
 */
export function forecastCost(options: CostForecastOptions): CostForecast {
  const { calls, responsesPerCall, model } = options;
  const maxTokens = options.maxTokens ?? 4096;
  const promptTokens = options.promptTokens ?? 8000;
  for (
    const [name, value] of Object.entries({ calls, responsesPerCall, maxTokens, promptTokens })
  ) {
    if (!(value >= 0)) {
      throw new RangeError(
        `Cannot forecast cost as '${name}' must be >= 0: current value is ${value}`,
      );
    }
  }
  const standIn = options.standIn ?? model === "offline-stand-in";
  const replies = calls * responsesPerCall;
  const prompt = replies * promptTokens;
  const completion = replies * maxTokens;
  const price = standIn
    ? { inputPerMillion: 0, outputPerMillion: 0 }
    : priceFor(model, options.prices ?? DEFAULT_PRICES);
  return {
    model,
    calls,
    replies,
    promptTokens: prompt,
    completionTokens: completion,
    costUsd: price === undefined ? null : costUsd(price, prompt, completion),
    standIn,
  };
}

/** Budgets of a STOP run. */
export interface StopRunBudgets {
  /** Self-improvement iterations. */
  iterations: number;
  /** Model calls per improver run (`--lm-budget`). @default 4 */
  lmBudget?: number;
  /** Meta-utility calls per improver run (`--meta-budget`). @default 25 */
  metaBudget?: number;
  /** Improver runs per meta-utility call (`--meta-tests`). @default 5 */
  metaTests?: number;
  /** Independent runs (`--runs`). @default 1 */
  runs?: number;
  /**
   * Speculative meta-utility evaluations per iteration at most: the prefetch limit
   * (`utilities/utility.ts`'s `DEFAULT_PREFETCH_LIMIT`) when prefetching, 0 with
   * `--no-prefetch`. @default 0
   */
  prefetchLimit?: number;
}

/**
 * The most model calls a STOP run can make: the scoring of the seed improver (`metaTests`
 * runs), then per iteration the improver's own calls, plus for each meta-utility call
 * `metaTests` runs of a candidate improver with a fresh budget, plus the final scoring of
 * the proposed improver (another `metaTests` runs), plus the speculative evaluations the
 * prefetch limit allows (`prefetchLimit` more meta-utility calls' worth; nothing speculative
 * takes one of the budget's slots, so they come on top).
 *
 * @param budgets The run's budgets.
 * @returns Calls at most.
 *
 * @example
 * ```ts
 * import { stopRunCalls } from "./cost_forecast.ts";
 * import { equal } from "node:assert/strict";
 * equal(stopRunCalls({ iterations: 1 }), 5 * 4 + 4 + 25 * 5 * 4 + 5 * 4);
 * equal(stopRunCalls({ iterations: 1, prefetchLimit: 6 }), 5 * 4 + 4 + (25 + 6) * 5 * 4 + 5 * 4);
 * ```
 */
export function stopRunCalls(budgets: StopRunBudgets): number {
  const { iterations, lmBudget = 4, metaBudget = 25, metaTests = 5, runs = 1 } = budgets;
  const prefetchLimit = budgets.prefetchLimit ?? 0;
  const perIteration = lmBudget + (metaBudget + prefetchLimit) * metaTests * lmBudget +
    metaTests * lmBudget;
  return runs * (metaTests * lmBudget + iterations * perIteration);
}

/**
 * Describes a forecast in one line for people.
 *
 * @param forecast The forecast.
 * @returns The text.
 *
 * @example
 * ```ts
 * import { forecastCost, formatCostForecast } from "./cost_forecast.ts";
 * import { match } from "node:assert/strict";
 * match(formatCostForecast(forecastCost({ calls: 1, responsesPerCall: 1, model: "offline-stand-in" })), /not a language model/);
 * ```
 */
export function formatCostForecast(forecast: CostForecast): string {
  const tokens = (n: number) =>
    n >= 1e6 ? `${(n / 1e6).toFixed(1)}M` : n >= 1e3 ? `${(n / 1e3).toFixed(1)}k` : `${n}`;
  const head = `Worst case: ${forecast.calls} calls, ${forecast.replies} replies, ${
    tokens(forecast.promptTokens)
  } prompt + ${tokens(forecast.completionTokens)} completion tokens`;
  if (forecast.standIn) {
    return `${head}, $0 (offline stand-in, a deterministic test harness, not a language model)`;
  }
  if (forecast.costUsd === null) {
    return `${head}; cost unknown: no price for '${forecast.model}' (add it to the price table)`;
  }
  return `${head}, at most $${forecast.costUsd.toFixed(2)} on '${forecast.model}' at list prices`;
}
