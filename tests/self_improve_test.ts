import { equal, ok } from "node:assert/strict";
import { AuditLog } from "../sandbox/audit_log.ts";
import { createOfflineLanguageModel } from "../stand_in/mod.ts";
import { MetaUtility } from "../utilities/meta_utility.ts";
import { getTask } from "../utilities/tasks.ts";
import { selfImprove } from "../improvers/self_improve.ts";

const lpn = getTask("lpn");
const strong = await Deno.readTextFile(
  new URL("../stand_in/programs/lpn/subset_brute_force.ts", import.meta.url),
);

/** A meta-utility whose improver runs are faked: "GOOD" improvers return a strong LPN program. */
function fakeMeta(audit: AuditLog, budget = 25) {
  return new MetaUtility({
    task: lpn,
    budget,
    runs: 2,
    audit,
    makeModel: () => createOfflineLanguageModel({ budget: 4 }),
    runImprover: (improver, seed) =>
      Promise.resolve(
        improver.includes("GOOD")
          ? { ok: true, program: strong }
          : improver.includes("BROKEN")
          ? { ok: false, failure: { kind: "runtime_error", message: "boom" } }
          : { ok: true, program: seed },
      ),
  });
}

Deno.test("MetaUtility.score() averages the val scores of what the improver returns", async () => {
  const audit = new AuditLog();
  const meta = fakeMeta(audit);
  const good = await meta.score("// GOOD improver");
  const seedLike = await meta.score("// plain improver");
  const broken = await meta.score("// BROKEN improver");
  equal(good, 1);
  ok(seedLike > 0.3 && seedLike < 0.7, `random guessing scored ${seedLike}`);
  equal(broken, 0);
  equal(meta.lastEvaluation?.runs.length, 2);
  equal(meta.uses, 3);
});

Deno.test("MetaUtility.score() returns 0 past its budget and records it", async () => {
  const audit = new AuditLog();
  const meta = fakeMeta(audit, 1);
  equal(await meta.score("// GOOD"), 1);
  equal(await meta.score("// GOOD"), 0);
  equal(audit.count("budget_exceeded"), 1);
});

Deno.test("selfImprove() accepts an improver that scores and rejects one that fails", async () => {
  const audit = new AuditLog();
  const proposals = ["// GOOD improver, version 1", "BROKEN"];
  const records = await selfImprove("// plain seed improver", {
    iterations: 2,
    metaUtility: () => fakeMeta(audit),
    model: () => createOfflineLanguageModel({ budget: 4 }),
    runImprover: (_improver, _initial, { t }) =>
      Promise.resolve(
        proposals[t - 1] === "BROKEN"
          ? { ok: false, failure: { kind: "runtime_error", message: "boom" }, guestMs: 1, logs: [] }
          : { ok: true, program: proposals[t - 1]!, guestMs: 1, logs: [] },
      ),
  });
  equal(records.length, 3);
  ok(records[0]!.metaUtility.val < 0.8);
  ok(records[1]!.accepted && records[1]!.metaUtility.val === 1);
  ok(!records[2]!.accepted && records[2]!.reason.includes("failed"));
  equal(records[2]!.improver, "// GOOD improver, version 1", "the previous improver is kept");
});

Deno.test("MetaUtility tells makeModel which evaluation and run each model object is for", async () => {
  const seen: string[] = [];
  const meta = new MetaUtility({
    task: lpn,
    runs: 2,
    concurrency: 1,
    makeModel: ({ evaluation, run }) => {
      seen.push(`e${evaluation}/run${run}`);
      return createOfflineLanguageModel({ budget: 4 });
    },
    runImprover: () =>
      Promise.resolve({ ok: false, failure: { kind: "runtime_error", message: "x" } }),
  });
  await meta.score("// first");
  await meta.evaluate("// second");
  equal(seen.join(" "), "e0/run0 e0/run1 e1/run0 e1/run1");
});
