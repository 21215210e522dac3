import { deepEqual, equal, ok, throws } from "node:assert/strict";
import { AuditLog } from "../sandbox/audit_log.ts";
import { sourceRunner } from "../tests/utilities_fake_runner.ts";
import { stringGridTask } from "./string_grid.ts";
import { Utility } from "./utility.ts";

const RETURN_T = "export function algorithm(t: string, dist: number): string { return t; }";

Deno.test("Utility.score() evaluates in a freshly loaded program and closes it", async () => {
  let loaded = 0;
  let closed = 0;
  const utility = new Utility(stringGridTask, {
    load: async (source) => {
      loaded++;
      const runner = await sourceRunner(source);
      return { call: runner.call, close: () => (closed++, runner.close()) };
    },
  });
  const score = await utility.score(RETURN_T);
  ok(score > 0.3 && score < 0.6);
  equal(utility.lastEvaluation?.score, score);
  deepEqual([loaded, closed, utility.uses, utility.budget], [1, 1, 1, 25]);
  ok(utility.description.includes("// Task: String grid distance (string-grid)"));
});

Deno.test("Utility.score() returns 0 past the budget and records budget_exceeded", async () => {
  const audit = new AuditLog();
  let loaded = 0;
  const utility = new Utility(stringGridTask, {
    load: (source) => (loaded++, sourceRunner(source)),
    budget: 2,
    audit,
  });
  ok(await utility.score(RETURN_T) > 0);
  ok(await utility.score(RETURN_T) > 0);
  equal(await utility.score(RETURN_T), 0);
  equal(await utility.score(RETURN_T), 0);
  equal(utility.uses, 4);
  equal(loaded, 2);
  equal(audit.count("budget_exceeded"), 2);
});

Deno.test("Utility.score() returns 0 for a non-string or empty source and for a failing loader", async () => {
  const utility = new Utility(stringGridTask, {
    load: () => Promise.reject(new Error("no sandbox")),
  });
  equal(await utility.score(42), 0);
  equal(await utility.score("  "), 0);
  equal(await utility.score(RETURN_T), 0);
  equal(utility.uses, 3);
});

Deno.test("Utility rejects a negative budget", () => {
  throws(() => new Utility(stringGridTask, { load: sourceRunner, budget: -1 }), RangeError);
});
