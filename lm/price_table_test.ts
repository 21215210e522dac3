import { equal, throws } from "node:assert/strict";
import { DEFAULT_PRICES, parsePriceTable, priceFor } from "./price_table.ts";

Deno.test("priceFor() matches exact names, then the longest prefix, else nothing", () => {
  equal(priceFor("gpt-4o-mini", DEFAULT_PRICES)?.inputPerMillion, 0.15);
  equal(priceFor("gpt-4o-2024-08-06", DEFAULT_PRICES)?.inputPerMillion, 2.5);
  equal(priceFor("llama-3-70b", DEFAULT_PRICES), undefined);
});

Deno.test("parsePriceTable() overrides defaults and rejects bad prices", () => {
  const table = parsePriceTable({ "gpt-4o": { inputPerMillion: 1, outputPerMillion: 2 } });
  equal(priceFor("gpt-4o", table)?.outputPerMillion, 2);
  equal(priceFor("gpt-4.1", table)?.inputPerMillion, 2);
  throws(() => parsePriceTable([]), TypeError);
  throws(() => parsePriceTable({ m: { inputPerMillion: -1, outputPerMillion: 0 } }), /'m'/);
  throws(() => parsePriceTable({ m: { inputPerMillion: 1 } }), TypeError);
});
