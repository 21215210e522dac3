/**
 * Choosing the backend from flags and environment: the stand-in unless a model is named.
 *
 * @module
 */

import type { ChatBackend } from "../lm/chat_backend.ts";
import { OfflineBackend } from "../stand_in/offline_backend.ts";
import { STAND_IN_MODEL } from "../lm/stand_in_name.ts";
import { OpenAiClient, type OpenAiClientOptions } from "../lm/openai_client.ts";

/** The environment variables the model layer understands (the CLI reads and passes them). */
export interface ModelEnvironment {
  /** Base URL of an OpenAI-compatible endpoint. */
  OPENAI_BASE_URL?: string | undefined;
  /** The API key. */
  OPENAI_API_KEY?: string | undefined;
  /** The model name. */
  STOP_MODEL?: string | undefined;
  /** Azure OpenAI `api-version`. */
  OPENAI_API_VERSION?: string | undefined;
}

/** How to pick a backend. */
export interface ChatBackendConfig {
  /** `--model`: `offline` (or none) is the stand-in; any other name uses the endpoint. */
  model?: string | undefined;
  /** `--base-url`; overrides `OPENAI_BASE_URL`. */
  baseUrl?: string | undefined;
  /** The API key; overrides `OPENAI_API_KEY`. */
  apiKey?: string | undefined;
  /** `--api-version` (Azure OpenAI); overrides `OPENAI_API_VERSION`. */
  apiVersion?: string | undefined;
  /** Environment variables (never read from the process here). @default {} */
  env?: ModelEnvironment;
  /** Seed of the stand-in. @default 0 */
  seed?: number;
  /** Further client settings (timeouts, retries, concurrency). @default {} */
  client?: Omit<OpenAiClientOptions, "model" | "baseUrl" | "apiKey" | "apiVersion">;
}

/**
 * Returns the offline stand-in when no model is named (or the model is `offline`), else an
 * `OpenAiClient` for the named model at the configured endpoint. A key alone never selects a
 * paid model: the model must be named.
 *
 * @param config Flags and environment.
 * @returns The backend.
 *
 * @example
 * ```ts
 * import { createChatBackend } from "./create_chat_backend.ts";
 * import { equal } from "node:assert/strict";
 * equal(createChatBackend({ env: { OPENAI_API_KEY: "sk-x" } }).standIn, true);
 * equal(createChatBackend({ model: "gpt-4o", apiKey: "sk-x" }).model, "gpt-4o");
 * ```
 */
export function createChatBackend(config: ChatBackendConfig = {}): ChatBackend {
  const env = config.env ?? {};
  const model = config.model ?? env.STOP_MODEL;
  const baseUrl = config.baseUrl ?? env.OPENAI_BASE_URL;
  // 'offline' is always in process; the stand-in's own model name goes over HTTP when an
  // endpoint is named (e.g. `stop lm-serve`), so the real client can be exercised against it.
  const inProcess = model === undefined || model === "" || model === "offline" ||
    (model === STAND_IN_MODEL && (config.baseUrl === undefined || config.baseUrl === ""));
  if (inProcess) {
    return new OfflineBackend({ seed: config.seed ?? 0 });
  }
  const apiKey = config.apiKey ?? env.OPENAI_API_KEY;
  const apiVersion = config.apiVersion ?? env.OPENAI_API_VERSION;
  return new OpenAiClient({
    ...config.client,
    model,
    ...(baseUrl === undefined || baseUrl === "" ? {} : { baseUrl }),
    ...(apiKey === undefined ? {} : { apiKey }),
    ...(apiVersion === undefined || apiVersion === "" ? {} : { apiVersion }),
  });
}
