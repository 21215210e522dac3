import { equal, ok } from "node:assert/strict";
import { CATALOG, catalogFor, readCatalogProgram } from "./catalog.ts";
import type { CatalogTarget } from "./catalog_types.ts";

const TARGETS: CatalogTarget[] = [
  "lpn",
  "parity",
  "string-grid",
  "quadratic-assignment",
  "3sat",
  "maxcut",
  "improver",
];

Deno.test("CATALOG entries have unique ids, readable programs and no triple backticks", async () => {
  equal(new Set(CATALOG.map((e) => e.id)).size, CATALOG.length);
  for (const entry of CATALOG) {
    ok(entry.id.startsWith(`${entry.target}/`), entry.id);
    ok(entry.idea.trim().length > 0, `${entry.id} has an idea`);
    const source = await readCatalogProgram(entry);
    ok(source.trim().length > 0, `${entry.id} has a program`);
    ok(!source.includes("```"), `${entry.id} has no fence inside`);
  }
});

Deno.test("CATALOG covers every task and the improver with a spread of qualities", () => {
  for (const target of TARGETS) {
    const entries = catalogFor(target);
    ok(entries.length > 0, `the library has programs for ${target}`);
    ok(entries.some((e) => e.quality === "broken"), `${target} has a broken program`);
    ok(
      entries.some((e) => e.quality === "strong" || e.quality === "fair"),
      `${target} has a good program`,
    );
  }
});

Deno.test("CATALOG improvers cover the paper's strategies and misbehaviours", () => {
  const tags = new Set(catalogFor("improver").flatMap((e) => e.tags));
  for (
    const tag of [
      "beam-search",
      "genetic",
      "simulated-annealing",
      "temperature",
      "bandit",
      "decomposition",
      "ignores-budget",
      "disables-sandbox",
      "escape-attempt",
      "reward-hack",
    ]
  ) {
    ok(tags.has(tag), `an improver is tagged ${tag}`);
  }
});
