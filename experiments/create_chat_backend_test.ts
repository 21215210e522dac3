import { equal, ok } from "node:assert/strict";
import { createChatBackend } from "./create_chat_backend.ts";
import { OfflineBackend } from "../stand_in/offline_backend.ts";
import { OpenAiClient } from "../lm/openai_client.ts";

Deno.test("createChatBackend() picks the stand-in unless a model is named", () => {
  ok(createChatBackend() instanceof OfflineBackend);
  ok(
    createChatBackend({ model: "offline", baseUrl: "http://127.0.0.1:1/v1" }) instanceof
      OfflineBackend,
  );
  const client = createChatBackend({
    env: { STOP_MODEL: "gpt-4o", OPENAI_BASE_URL: "http://127.0.0.1:1/v1", OPENAI_API_KEY: "k" },
  });
  ok(client instanceof OpenAiClient);
  equal(client.baseUrl, "http://127.0.0.1:1/v1");
  const flagged = createChatBackend({
    model: "gpt-4.1",
    baseUrl: "http://127.0.0.1:2/v1",
    env: { STOP_MODEL: "gpt-4o", OPENAI_BASE_URL: "http://127.0.0.1:1/v1" },
  });
  ok(flagged instanceof OpenAiClient);
  equal(flagged.model, "gpt-4.1");
  equal(flagged.baseUrl, "http://127.0.0.1:2/v1");
  equal((createChatBackend({ seed: 4 }) as OfflineBackend).seed, 4);
});

Deno.test("createChatBackend() uses Azure with an api-version from the flag or the environment", () => {
  const fromEnv = createChatBackend({
    model: "my-deployment",
    baseUrl: "https://res.openai.azure.com/openai",
    env: { OPENAI_API_VERSION: "2024-10-21", OPENAI_API_KEY: "k" },
  });
  ok(fromEnv instanceof OpenAiClient);
  equal(fromEnv.azure, true);
  const fromFlag = createChatBackend({
    model: "d",
    baseUrl: "http://127.0.0.1:3/openai",
    apiVersion: "2024-10-21",
  });
  equal((fromFlag as OpenAiClient).azure, true);
  const plain = createChatBackend({ model: "gpt-4o", baseUrl: "http://127.0.0.1:3/v1" });
  equal((plain as OpenAiClient).azure, false);
});
