/**
 * `stop lm-check` sends the run's real first prompt (the seed improver's, on LPN's seed
 * solution), not a synthetic one, so its context-window check is the run's (issue 11).
 *
 * @module
 */
import assert from "node:assert/strict";
import type { ChatBackend, ChatRequest, ChatResult } from "../lm/chat_backend.ts";
import { OfflineBackend } from "../stand_in/offline_backend.ts";
import { serveOfflineModel } from "../stand_in/serve_offline_model.ts";
import { firstImproverPrompt } from "../improvers/first_prompt.ts";
import { lmCheckCommand } from "../cli/lm_commands.ts";
import { getTask } from "../utilities/tasks.ts";

const SEED_IMPROVER = new URL("../improvers/programs/seed_improver.ts", import.meta.url);

/** The stand-in, keeping every request it answers. */
class RecordingBackend implements ChatBackend {
  readonly #inner = new OfflineBackend();
  readonly model = this.#inner.model;
  readonly standIn = this.#inner.standIn;
  readonly requests: ChatRequest[] = [];
  complete(request: ChatRequest): Promise<ChatResult> {
    this.requests.push(request);
    return this.#inner.complete(request);
  }
}

Deno.test("firstImproverPrompt() is the seed improver's prompt: the seed's source and the scoring description", async () => {
  const task = getTask("lpn");
  const seed = await task.seedSolution();
  const prompt = await firstImproverPrompt(await Deno.readTextFile(SEED_IMPROVER), seed, {
    description: task.description,
  });
  assert.ok(prompt !== undefined);
  assert.ok(prompt.message.includes(seed));
  assert.ok(prompt.message.includes(task.description));
  assert.match(prompt.expertise, /expert/);
  // An improver that never asks the model has no first prompt.
  assert.equal(
    await firstImproverPrompt(
      "export function improveAlgorithm(s: string): string { return s; }",
      seed,
      { description: task.description },
    ),
    undefined,
  );
});

Deno.test("lm-check sends the run's first prompt, as long as a run's", async () => {
  const backend = new RecordingBackend();
  await using server = await serveOfflineModel({ backend });
  const task = getTask("lpn");
  const expected = await firstImproverPrompt(
    await Deno.readTextFile(SEED_IMPROVER),
    await task.seedSolution(),
    { description: task.description },
  );
  Deno.env.set("OPENAI_API_KEY", "sk-test-check");
  try {
    const code = await lmCheckCommand([
      "--model",
      backend.model,
      "--base-url",
      server.baseUrl,
      "--json",
    ]);
    assert.equal(code, 0);
  } finally {
    Deno.env.delete("OPENAI_API_KEY");
  }
  const asked = backend.requests.map((r) => r.messages.map((m) => m.content));
  assert.ok(asked.length >= 1);
  assert.deepEqual(asked[0], [expected!.expertise, expected!.message]);
});
