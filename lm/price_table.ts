/**
 * Prices of models in dollars per million tokens, and the cost of a call.
 *
 * @module
 */

/** The price of one model. */
export interface ModelPrice {
  /** Dollars per million prompt tokens. */
  inputPerMillion: number;
  /** Dollars per million completion tokens. */
  outputPerMillion: number;
}

/** Prices by model name; a name also prices the dated variants that start with it. */
export type PriceTable = Readonly<Record<string, ModelPrice>>;

/**
 * List prices (USD per million tokens) of common OpenAI models at the time of writing. Check
 * them against your provider's page and override with `parsePriceTable`.
 */
export const DEFAULT_PRICES: PriceTable = {
  "offline-stand-in": { inputPerMillion: 0, outputPerMillion: 0 },
  "gpt-4": { inputPerMillion: 30, outputPerMillion: 60 },
  "gpt-4-turbo": { inputPerMillion: 10, outputPerMillion: 30 },
  "gpt-4o": { inputPerMillion: 2.5, outputPerMillion: 10 },
  "gpt-4o-mini": { inputPerMillion: 0.15, outputPerMillion: 0.6 },
  "gpt-4.1": { inputPerMillion: 2, outputPerMillion: 8 },
  "gpt-4.1-mini": { inputPerMillion: 0.4, outputPerMillion: 1.6 },
  "gpt-4.1-nano": { inputPerMillion: 0.1, outputPerMillion: 0.4 },
  "gpt-3.5-turbo": { inputPerMillion: 0.5, outputPerMillion: 1.5 },
  "gpt-5": { inputPerMillion: 1.25, outputPerMillion: 10 },
  "gpt-5-mini": { inputPerMillion: 0.25, outputPerMillion: 2 },
  "gpt-5-nano": { inputPerMillion: 0.05, outputPerMillion: 0.4 },
  "o1": { inputPerMillion: 15, outputPerMillion: 60 },
  "o3": { inputPerMillion: 2, outputPerMillion: 8 },
  "o3-mini": { inputPerMillion: 1.1, outputPerMillion: 4.4 },
  "o4-mini": { inputPerMillion: 1.1, outputPerMillion: 4.4 },
};

/**
 * Finds the price of a model: the exact name, else the longest table name it starts with
 * (`gpt-4o-2024-08-06` is priced as `gpt-4o`).
 *
 * @param model The model name.
 * @param table The price table.
 * @returns The price, or `undefined` when the model is not priced.
 *
 * @example
 * ```ts
 * import { DEFAULT_PRICES, priceFor } from "./price_table.ts";
 * import { equal } from "node:assert/strict";
 * equal(priceFor("gpt-4o-mini-2024-07-18", DEFAULT_PRICES)?.inputPerMillion, 0.15);
 * ```
 */
export function priceFor(
  model: string,
  table: PriceTable = DEFAULT_PRICES,
): ModelPrice | undefined {
  if (Object.hasOwn(table, model)) return table[model];
  let best: string | undefined;
  for (const name of Object.keys(table)) {
    if (model.startsWith(name) && (best === undefined || name.length > best.length)) best = name;
  }
  return best === undefined ? undefined : table[best];
}

/**
 * Computes the dollars of a call.
 *
 * @param price The model's price.
 * @param promptTokens Prompt tokens.
 * @param completionTokens Completion tokens.
 * @returns Dollars.
 *
 * @example
 * ```ts
 * import { costUsd } from "./price_table.ts";
 * import { equal } from "node:assert/strict";
 * equal(costUsd({ inputPerMillion: 1, outputPerMillion: 2 }, 1e6, 1e6), 3);
 * ```
 */
export function costUsd(price: ModelPrice, promptTokens: number, completionTokens: number): number {
  return (promptTokens * price.inputPerMillion + completionTokens * price.outputPerMillion) / 1e6;
}

/**
 * Validates user-supplied prices (e.g. the parsed JSON of a `--prices` file) and merges them
 * over `DEFAULT_PRICES`.
 *
 * @param value `{ "<model>": { "inputPerMillion": n, "outputPerMillion": n }, … }`.
 * @returns The merged table.
 * @throws {TypeError} When the value does not have that shape.
 *
 * @example
 * ```ts
 * import { parsePriceTable } from "./price_table.ts";
 * import { equal } from "node:assert/strict";
 * const table = parsePriceTable({ "my-llama": { inputPerMillion: 0, outputPerMillion: 0 } });
 * equal(table["my-llama"]?.outputPerMillion, 0);
 * ```
 */
export function parsePriceTable(value: unknown): PriceTable {
  if (typeof value !== "object" || value === null || Array.isArray(value)) {
    throw new TypeError(
      `Cannot read prices as they must be an object keyed by model: current value is ${
        JSON.stringify(value)
      }`,
    );
  }
  const table: Record<string, ModelPrice> = { ...DEFAULT_PRICES };
  for (const [model, price] of Object.entries(value)) {
    const p = price as Partial<Record<string, unknown>> | null;
    const input = p?.inputPerMillion;
    const output = p?.outputPerMillion;
    if (
      typeof input !== "number" || typeof output !== "number" || !Number.isFinite(input) ||
      !Number.isFinite(output) || input < 0 || output < 0
    ) {
      throw new TypeError(
        `Cannot read the price of '${model}' as it needs finite, non-negative 'inputPerMillion' and 'outputPerMillion': current value is ${
          JSON.stringify(price)
        }`,
      );
    }
    Object.defineProperty(table, model, {
      value: { inputPerMillion: input, outputPerMillion: output },
      enumerable: true,
      writable: true,
      configurable: true,
    });
  }
  return table;
}
