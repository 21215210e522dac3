import { deepEqual, equal, ok } from "node:assert/strict";
import {
  countReplyFates,
  describeReplyFates,
  Ledger,
  ledgerFateFields,
  type LedgerRecord,
  readLedger,
  summarizeLedger,
} from "./ledger.ts";

const record = (kind: LedgerRecord["kind"], callId: string, extra: Partial<LedgerRecord> = {}) => ({
  time: "2026-01-01T00:00:00.000Z",
  kind,
  callId,
  model: "gpt-4o",
  standIn: false,
  requestHash: "h",
  occurrence: 0,
  n: 1,
  temperature: 0.7,
  promptTokens: 0,
  completionTokens: 0,
  latencyMs: 0,
  costUsd: 0,
  cacheHit: false,
  error: null,
  ...extra,
});

Deno.test("summarizeLedger() counts an intent without completion as pending reserved spend", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const path = `${dir}/ledger.jsonl`;
    const ledger = await Ledger.open(path);
    await ledger.append(record("intent", "a", { reservedUsd: 0.5 }));
    await ledger.append(
      record("completion", "a", { promptTokens: 10, completionTokens: 5, costUsd: 0.01 }),
    );
    await ledger.append(record("intent", "b", { reservedUsd: 0.25 }));
    // The process dies here: no completion for "b", and half a line is left behind.
    await ledger.close();
    await Deno.writeTextFile(path, '{"kind":"completion","callId":"b","mod', { append: true });

    const records = await readLedger(path);
    equal(records.length, 3);
    const summary = summarizeLedger(records);
    equal(summary.answered, 1);
    equal(summary.costUsd, 0.01);
    equal(summary.pendingIntents, 1);
    equal(summary.pendingReservedUsd, 0.25);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("Ledger.append() calls onRecord and keeps records in order", async () => {
  const seen: string[] = [];
  const ledger = new Ledger({ onRecord: (r) => seen.push(r.kind) });
  await ledger.append(record("refused", "x", { error: "no budget" }));
  await ledger.append(record("cache_hit", "y", { cacheHit: true, promptTokens: 3 }));
  equal(seen.join(","), "refused,cache_hit");
  const summary = ledger.summary();
  equal(summary.refused, 1);
  equal(summary.cacheHits, 1);
  ok(summary.promptTokens === 3);
});

Deno.test("countReplyFates() counts replies without an answer by reason, old records aside", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const path = `${dir}/ledger.jsonl`;
    const ledger = await Ledger.open(path);
    // A record written before fates were kept: loads, is not counted.
    await ledger.append(record("completion", "old", { n: 6 }));
    await ledger.append(record("completion", "a", {
      n: 4,
      ...ledgerFateFields(["x", "", "", ""], [
        { finishReason: "stop" },
        { finishReason: "length" },
        { finishReason: "stop", reasoning: "all thinking, no answer" },
        { finishReason: "content_filter", error: "filtered: violence" },
      ]),
    }));
    await ledger.append(record("cache_hit", "b", {
      requestHash: "hb",
      cacheHit: true,
      ...ledgerFateFields(["", "y"], [{ finishReason: "refusal", refusal: "no" }, {
        finishReason: "unknown",
      }]),
    }));
    // The same request answered again from the cache (a resumed run) counts once.
    await ledger.append(record("cache_hit", "a2", {
      cacheHit: true,
      ...ledgerFateFields(["x", "", "", ""], [
        { finishReason: "stop" },
        { finishReason: "length" },
        { finishReason: "stop" },
        { finishReason: "content_filter" },
      ]),
    }));
    // A failed request's fates (none) and an upstream failure inside a 200.
    await ledger.append(record("completion", "c", { requestHash: "hc", error: "ModelError: 401" }));
    await ledger.append(record("completion", "d", {
      requestHash: "hd",
      ...ledgerFateFields([""], [{ finishReason: "error", error: "502: upstream" }]),
    }));
    await ledger.close();
    const fates = countReplyFates(await readLedger(path));
    deepEqual(fates, {
      replies: 7,
      withoutAnswer: { length: 1, empty: 1, content_filter: 1, refusal: 1, error: 1 },
    });
    deepEqual(describeReplyFates(fates), [
      "1 of 7 replies was cut by the token limit",
      "1 of 7 replies was filtered by the provider's content filter",
      "1 of 7 replies was refused by the model",
      "1 of 7 replies was lost to an upstream error",
      "1 of 7 replies was empty",
    ]);
    deepEqual(describeReplyFates({ replies: 24, withoutAnswer: { length: 3 } }), [
      "3 of 24 replies were cut by the token limit",
    ]);
    deepEqual(describeReplyFates({ replies: 24, withoutAnswer: {} }), []);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("readLedger() never takes a torn last line for a record, even one that parses", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const path = `${dir}/ledger.jsonl`;
    await Deno.writeTextFile(
      path,
      JSON.stringify(record("intent", "a")) + "\n" + JSON.stringify(record("completion", "a")),
    );
    deepEqual((await readLedger(path)).map((r) => r.kind), ["intent"]);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("Ledger.open() reports damaged lines, cuts a torn last line off and appends after it", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const path = `${dir}/ledger.jsonl`;
    await Deno.writeTextFile(
      path,
      JSON.stringify(record("intent", "a")) + "\n" + "not json\n" + '{"kind":"x"}\n' +
        JSON.stringify(record("intent", "b")) + "\n" + '{"kind":"compl',
    );
    const ledger = await Ledger.open(path);
    equal(ledger.skippedLines, 3, "two damaged lines and the torn one");
    equal(ledger.unfinishedIntent("h", 0)?.callId, "b");
    await ledger.append(record("completion", "b"));
    await ledger.close();
    deepEqual((await readLedger(path)).map((r) => `${r.kind}/${r.callId}`), [
      "intent/a",
      "intent/b",
      "completion/b",
    ]);
    ok(
      !(await Deno.readTextFile(path)).includes('{"kind":"compl{'),
      "no line is glued to the torn one",
    );
    const again = await Ledger.open(path);
    equal(again.skippedLines, 2, "the torn line is gone, the damage is still reported");
    await again.close();
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("summarizeLedger() totals the same dollars whatever order the calls finished in", () => {
  // Completions of concurrent calls reach the ledger in the order they finished; plain
  // addition of these costs gives 0.6000000000000001 in one order and 0.6 in the other.
  const costs = [0.1, 0.2, 0.3];
  const completions = (order: number[]) =>
    order.map((i) => record("completion", `c${i}`, { costUsd: costs[i]! }));
  const intents = (order: number[]) =>
    order.map((i) => record("intent", `p${i}`, { reservedUsd: costs[i]! }));
  const forward = summarizeLedger([...completions([0, 1, 2]), ...intents([0, 1, 2])]);
  const backward = summarizeLedger([...completions([2, 1, 0]), ...intents([2, 1, 0])]);
  equal(forward.costUsd, backward.costUsd);
  equal(forward.pendingReservedUsd, backward.pendingReservedUsd);
  equal(forward.answered, 3);
  equal(forward.pendingIntents, 3);
});
