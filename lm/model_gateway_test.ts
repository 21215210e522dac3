import { deepEqual, equal, notEqual, ok, rejects } from "node:assert/strict";
import { FakeBackend } from "./_fake_backend.ts";
import { ModelError } from "./errors.ts";
import { GlobalBudget } from "./global_budget.ts";
import { Ledger, readLedger } from "./ledger.ts";
import { ModelGateway } from "./model_gateway.ts";
import { ResponseCache } from "./response_cache.ts";

const call = (message: string, n = 1) => ({
  expertise: "e",
  messages: [message],
  n,
  temperature: 0.7,
});

Deno.test("ModelGateway.call() replays the k-th stored answer for the k-th identical request", async (t) => {
  const dir = await Deno.makeTempDir();
  try {
    const path = `${dir}/cache.jsonl`;
    const live = new FakeBackend();
    const liveCache = await ResponseCache.open(path);
    const first = new ModelGateway(live, { cache: liveCache });
    const a0 = await first.call(call("same"));
    const a1 = await first.call(call("same"));
    const b0 = await first.call(call("other"));
    await liveCache.close();
    notEqual(a0[0], a1[0]);

    await t.step("a new run sharing the file gets the answers in the same order", async () => {
      const backend = new FakeBackend();
      const cache = await ResponseCache.open(path);
      const gateway = new ModelGateway(backend, { cache });
      deepEqual(await gateway.call(call("same")), a0);
      deepEqual(await gateway.call(call("other")), b0);
      deepEqual(await gateway.call(call("same")), a1);
      equal(backend.requests.length, 0);
      const third = await gateway.call(call("same"));
      equal(backend.requests.length, 1, "the third occurrence is a miss and goes to the model");
      ok(third[0]?.startsWith("reply-"));
      equal(gateway.ledger.summary().cacheHits, 3);
      await cache.close();
    });

    await t.step("replay mode makes a miss a ReplayMissError and sends nothing", async () => {
      const backend = new FakeBackend();
      const cache = await ResponseCache.open(path);
      const gateway = new ModelGateway(backend, { cache, replay: true });
      deepEqual(await gateway.call(call("same")), a0);
      await rejects(gateway.call(call("never asked")), { name: "ReplayMissError" });
      equal(backend.requests.length, 0);
      equal(gateway.ledger.summary().refused, 1);
      await cache.close();
    });
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("ModelGateway.call() writes an intent before and a completion after a paid request", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const path = `${dir}/ledger.jsonl`;
    const ledger = await Ledger.open(path);
    const backend = new FakeBackend("gpt-4o");
    let intentsSeenByBackend = -1;
    const original = backend.complete.bind(backend);
    backend.complete = (request) => {
      intentsSeenByBackend = ledger.records.filter((r) => r.kind === "intent").length;
      return original(request);
    };
    const gateway = new ModelGateway(backend, { ledger, run: "r1" });
    await gateway.call(call("hello", 2));
    await ledger.close();
    equal(intentsSeenByBackend, 1);
    const records = await readLedger(path);
    deepEqual(records.map((r) => r.kind), ["intent", "completion"]);
    equal(records[0]?.callId, records[1]?.callId);
    const done = records[1]!;
    equal(done.model, "gpt-4o");
    equal(done.n, 2);
    equal(done.temperature, 0.7);
    equal(done.promptTokens, 100);
    equal(done.completionTokens, 20);
    equal(done.costUsd, (100 * 2.5 + 20 * 10) / 1e6);
    equal(done.cacheHit, false);
    equal(done.error, null);
    equal(done.run, "r1");
    equal(done.requestHash.length, 64);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("ModelGateway.call() records a failed request's completion with its error and settles at 0", async () => {
  const backend = new FakeBackend();
  backend.failWith = new ModelError("key refused", { kind: "auth", status: 401 });
  const globalBudget = new GlobalBudget({ maxCostUsd: 1 });
  const gateway = new ModelGateway(backend, { globalBudget });
  await rejects(gateway.call(call("x")), { name: "ModelError", kind: "auth" });
  const records = gateway.ledger.records;
  deepEqual(records.map((r) => r.kind), ["intent", "completion"]);
  ok(records[1]?.error?.includes("key refused"));
  equal(globalBudget.used.usd, 0);
  equal(globalBudget.held.usd, 0);
  equal(gateway.ledger.summary().errors, 1);
});

Deno.test("ModelGateway.call() refuses a call whose worst case could overshoot the cost cap", async () => {
  const backend = new FakeBackend("gpt-4o");
  const gateway0 = new ModelGateway(backend, { maxTokens: 1000 });
  const worst = gateway0.worstCase(
    [{ role: "system", content: "e" }, { role: "user", content: "x" }],
    1,
  ).usd!;
  // Room for one call's worst case plus a little: real calls cost 0.00035 here.
  const globalBudget = new GlobalBudget({ maxCostUsd: worst + 0.0005 });
  const gateway = new ModelGateway(backend, { globalBudget, maxTokens: 1000 });
  await gateway.call(call("x"));
  ok(globalBudget.used.usd < worst, "the real cost replaces the reservation");
  await gateway.call(call("x"));
  // Now the spend (2 real calls) plus another worst case exceeds the cap.
  const spent = globalBudget.used.usd;
  ok(spent + worst > worst + 0.0005);
  await rejects(gateway.call(call("x")), { name: "BudgetExceededError", resource: "dollars" });
  equal(backend.requests.length, 2);
  equal(globalBudget.used.usd, spent);
});

Deno.test("ModelGateway.call() refuses an unpriced model when a cost cap is set", async () => {
  const backend = new FakeBackend("my-local-llama");
  const gateway = new ModelGateway(backend, { globalBudget: new GlobalBudget({ maxCostUsd: 5 }) });
  await rejects(gateway.call(call("x")), /no price/);
  equal(backend.requests.length, 0);
});

Deno.test("ModelGateway.call() sends a seed derived from the gateway seed and occurrence", async () => {
  const backend = new FakeBackend();
  const gateway = new ModelGateway(backend, { seed: 5 });
  await gateway.call(call("a"));
  await gateway.call(call("a"));
  const again = new FakeBackend();
  await new ModelGateway(again, { seed: 5 }).call(call("a"));
  const [s0, s1] = backend.requests.map((r) => r.seed);
  ok(typeof s0 === "number");
  notEqual(s0, s1);
  equal(again.requests[0]?.seed, s0);
});

Deno.test("ModelGateway.call() counts occurrences per scope, whatever the scheduling", async () => {
  const backend = new FakeBackend();
  const gateway = new ModelGateway(backend, { seed: 1 });
  await gateway.call({ ...call("a"), scope: "run-2" });
  await gateway.call({ ...call("a"), scope: "run-1" });
  const other = new FakeBackend();
  const reordered = new ModelGateway(other, { seed: 1 });
  await reordered.call({ ...call("a"), scope: "run-1" });
  await reordered.call({ ...call("a"), scope: "run-2" });
  equal(backend.requests[1]?.seed, other.requests[0]?.seed);
  equal(backend.requests[0]?.seed, other.requests[1]?.seed);
  notEqual(backend.requests[0]?.seed, backend.requests[1]?.seed);
});

Deno.test("ModelGateway.call() records the completion of an answer stored by a process that stopped before recording it", async (t) => {
  const dir = await Deno.makeTempDir();
  try {
    // A first process pays for two requests (the same one twice) and one other.
    const ledgerPath = `${dir}/ledger.jsonl`;
    const cachePath = `${dir}/cache.jsonl`;
    {
      await using ledger = await Ledger.open(ledgerPath);
      await using cache = await ResponseCache.open(cachePath);
      const gateway = new ModelGateway(new FakeBackend(), { ledger, cache });
      await gateway.call(call("same"));
      await gateway.call(call("same"));
      await gateway.call(call("other"));
    }
    const full = await readLedger(ledgerPath);
    const completions = full.filter((r) => r.kind === "completion");
    equal(completions.length, 3);
    const lines = (await Deno.readTextFile(ledgerPath)).split("\n").filter((l) => l !== "");
    const cacheLines = (await Deno.readTextFile(cachePath)).split("\n").filter((l) => l !== "");
    const [sameFirst, sameSecond, other] = completions;
    /** What a kill between the cache's fsync and the ledger's leaves: no completion of the second "same". */
    const dropSecondCompletion = () =>
      Deno.writeTextFile(
        ledgerPath,
        lines.filter((l) =>
          JSON.parse(l).callId !== sameSecond!.callId || JSON.parse(l).kind === "intent"
        ).join("\n") + "\n",
      );
    /** A later process on the same files, making these calls. */
    const resume = async (messages: string[]): Promise<FakeBackend> => {
      const backend = new FakeBackend();
      await using ledger = await Ledger.open(ledgerPath);
      await using cache = await ResponseCache.open(cachePath);
      const gateway = new ModelGateway(backend, { ledger, cache });
      for (const m of messages) await gateway.call(call(m));
      return backend;
    };

    await t.step(
      "stopped after the answer was stored: the completion is recovered, nothing is asked",
      async () => {
        await dropSecondCompletion();
        const backend = await resume(["same", "same", "other"]);
        equal(backend.requests.length, 0, "every answer was stored: nothing is sent");
        const after = await readLedger(ledgerPath);
        const done = after.filter((r) => r.kind === "completion" && r.error === null);
        deepEqual(
          done.map((r) => `${r.requestHash}#${r.occurrence}`).sort(),
          completions.map((r) => `${r.requestHash}#${r.occurrence}`).sort(),
          "every paid request has its completion, once",
        );
        const recovered = done.filter((r) => r.recovered === true);
        equal(recovered.length, 1);
        equal(recovered[0]!.callId, sameSecond!.callId, "under the intent it completes");
        equal(
          after.filter((r) => r.kind === "cache_hit").length,
          2,
          "the answers whose completion was recorded are plain cache hits",
        );
        ok(sameFirst !== undefined && other !== undefined);
      },
    );

    await t.step("stopped before the answer was stored: the request is sent again", async () => {
      // The second "same" never reached the cache nor got a completion: its answer is unknown.
      await dropSecondCompletion();
      const answer = JSON.parse(lines.find((l) => JSON.parse(l).callId === sameSecond!.callId)!);
      await Deno.writeTextFile(
        cachePath,
        cacheLines.filter((l) =>
          JSON.parse(l).occurrence !== answer.occurrence ||
          JSON.parse(l).key !== answer.requestHash
        ).join("\n") + "\n",
      );
      const backend = await resume(["same", "same"]);
      equal(backend.requests.length, 1, "only the unanswered request is sent");
      const after = await readLedger(ledgerPath);
      ok(!after.some((r) => r.recovered === true), "nothing to recover");
    });
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
