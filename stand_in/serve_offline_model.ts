/**
 * A local OpenAI-protocol server (loopback only) that serves the offline stand-in, with
 * optional seeded fault injection.
 *
 * @module
 */

import type { ChatBackend, ChatMessage } from "../lm/chat_backend.ts";
import { OfflineBackend } from "./offline_backend.ts";
import { STAND_IN_MODEL } from "../lm/stand_in_name.ts";
import { seededRandom } from "../common/seeded_random.ts";
import {
  type ProfileChoice,
  type ProfileRequest,
  type ServerProfile,
  serverProfile,
  type ServerProfileName,
  type ServerProfileOptions,
} from "./server_profile.ts";
import { estimatePromptTokens, estimateTokens } from "../lm/token_estimate.ts";

/** A fault the server can inject into `/v1/chat/completions`. */
export type ServerFault =
  | "rate_limit_retry_after"
  | "rate_limit"
  | "server_error"
  | "stall"
  | "truncated_json"
  | "malformed_json"
  | "html"
  | "empty_choices"
  | "unauthorized";

/** The faults a client should survive by retrying (the default set). */
export const RETRYABLE_FAULTS: readonly ServerFault[] = [
  "rate_limit_retry_after",
  "rate_limit",
  "server_error",
  "stall",
  "truncated_json",
  "malformed_json",
  "html",
  "empty_choices",
];

/** Options of the server. */
export interface ServeOfflineModelOptions {
  /** TCP port on 127.0.0.1; 0 picks a free one. @default 0 */
  port?: number;
  /** What answers; its `model` is echoed. @default new OfflineBackend({ seed }) */
  backend?: ChatBackend;
  /** Seed of the default stand-in. @default 0 */
  seed?: number;
  /** Chance in [0, 1] that a completion request gets a fault instead of an answer. @default 0 */
  faultRate?: number;
  /** Seed of the fault sequence. @default 0 */
  faultSeed?: number;
  /** Faults drawn from, uniformly. @default RETRYABLE_FAULTS */
  faults?: readonly ServerFault[];
  /**
   * Faults for the first completion requests, in order (`null` = answer normally); the
   * seeded draw applies after the script runs out. @default []
   */
  script?: readonly (ServerFault | null)[];
  /** Seconds sent in `Retry-After` by the `rate_limit_retry_after` fault. @default 1 */
  retryAfterSeconds?: number;
  /** How long a `stall` fault holds the request before answering normally. @default 3000 */
  stallMs?: number;
  /** Added latency of every completion, in milliseconds. @default 0 */
  latencyMs?: number;
  /**
   * The first `gatherFirst` completion requests wait until all of them have arrived, then go
   * on together: a test that needs requests in flight at once gets them on any machine, not
   * only when no request happens to finish before the next is sent. A client that never has
   * that many in flight waits forever. @default 0
   */
  gatherFirst?: number;
  /** Honour `n`; when false only one choice is returned, as some servers do. @default true */
  honourN?: boolean;
  /** Model ids listed and accepted. @default [backend.model] */
  models?: readonly string[];
  /** When set, requests must carry `Authorization: Bearer <apiKey>`. @default none */
  apiKey?: string;
  /** Reject requests that set `temperature` (as some reasoning models do). @default false */
  rejectTemperature?: boolean;
  /** Which real server's behaviour to reproduce (see `server_profile.ts`). @default "openai" */
  profile?: ServerProfileName | ServerProfile;
  /** Settings of the profile (context window, credit, reasoning spend). @default {} */
  profileOptions?: ServerProfileOptions;
}

/** Counters of a running server. */
export interface ServerStats {
  /** Completion requests received. */
  requests: number;
  /** Completion requests answered normally. */
  answered: number;
  /** Faults injected, by kind. */
  faults: Partial<Record<ServerFault, number>>;
  /** Most completion requests in flight at once. */
  maxInFlight: number;
}

/** A running server. */
export interface OfflineModelServer {
  /** The port it listens on. */
  readonly port: number;
  /** Base URL for OpenAI clients, e.g. `http://127.0.0.1:8080/v1` (`…/openai` for Azure). */
  readonly baseUrl: string;
  /** The profile served. */
  readonly profile: ServerProfile;
  /** Live counters. */
  readonly stats: ServerStats;
  /** Stops accepting, ends stalls, waits for requests in flight. */
  shutdown(): Promise<void>;
  /** Same as `shutdown`. */
  [Symbol.asyncDispose](): Promise<void>;
}

/**
 * Starts the stand-in on 127.0.0.1 over the OpenAI protocol: `POST /v1/chat/completions`
 * (with `n`, `usage` and the model echoed) and `GET /v1/models`. With `faultRate > 0`, a
 * seeded draw gives each completion request a fault instead: 429 with or without
 * `Retry-After`, 500, a stall, truncated or malformed JSON, an HTML page, empty choices, or
 * 401.
 *
 * @param options Port, backend, faults and quirks.
 * @returns The running server.
 * @throws {RangeError} When `faultRate` is outside [0, 1].
 *
 * @example
 * ```ts
 * import { serveOfflineModel } from "./serve_offline_model.ts";
 * import { equal } from "node:assert/strict";
 * await using server = await serveOfflineModel({ port: 0 });
 * const response = await fetch(`${server.baseUrl}/models`);
 * equal((await response.json()).data[0].id, "offline-stand-in");
 * ```
 */
export function serveOfflineModel(
  options: ServeOfflineModelOptions = {},
): Promise<OfflineModelServer> {
  const faultRate = options.faultRate ?? 0;
  if (!(faultRate >= 0 && faultRate <= 1)) {
    return Promise.reject(
      new RangeError(
        `Cannot start the stand-in server as 'faultRate' must be in [0, 1]: current value is ${faultRate}`,
      ),
    );
  }
  const backend = options.backend ?? new OfflineBackend({ seed: options.seed ?? 0 });
  const profile = typeof options.profile === "object"
    ? options.profile
    : serverProfile(options.profile ?? "openai", options.profileOptions ?? {});
  const models = options.models ?? [backend.model, profile.model];
  const faults = options.faults ?? RETRYABLE_FAULTS;
  const script = options.script ?? [];
  const random = seededRandom("stop-server-faults", options.faultSeed ?? 0);
  const stats: ServerStats = { requests: 0, answered: 0, faults: {}, maxInFlight: 0 };
  const shutdown = new AbortController();
  let inFlight = 0;
  let counter = 0;
  let gathered = 0;
  const together = Promise.withResolvers<void>(); // released by the last gathered request
  shutdown.signal.addEventListener("abort", () => together.resolve());

  // Waits end early on shutdown. (A client that gives up is not noticed: reading
  // `request.signal` switches Deno to a deprecated behaviour.)
  const wait = (ms: number) =>
    new Promise<void>((resolve) => {
      if (ms <= 0 || shutdown.signal.aborted) return resolve();
      const done = () => {
        clearTimeout(timer);
        shutdown.signal.removeEventListener("abort", done);
        resolve();
      };
      const timer = setTimeout(done, ms);
      shutdown.signal.addEventListener("abort", done);
    });

  const json = (status: number, body: unknown, headers: Record<string, string> = {}) =>
    new Response(JSON.stringify(body), {
      status,
      headers: { "content-type": "application/json", ...headers },
    });
  const apiError = (
    status: number,
    message: string,
    extra: { type?: string; code?: string; param?: string } = {},
    headers: Record<string, string> = {},
  ) =>
    json(status, {
      error: {
        message,
        type: extra.type ?? "invalid_request_error",
        param: extra.param ?? null,
        code: extra.code ?? null,
      },
    }, headers);

  const completion = async (request: Request, deployment?: string): Promise<Response> => {
    const index = stats.requests++;
    const refused = unauthorized(request);
    if (refused !== undefined) return refused;
    let body: Record<string, unknown>;
    try {
      const parsed: unknown = await request.json();
      if (typeof parsed !== "object" || parsed === null || Array.isArray(parsed)) throw new Error();
      body = parsed as Record<string, unknown>;
    } catch {
      return apiError(400, "The request body is not a JSON object.");
    }
    const messages = body.messages;
    if (
      !Array.isArray(messages) || messages.length === 0 ||
      !messages.every((m) =>
        typeof m === "object" && m !== null && typeof m.content === "string" &&
        ["system", "user", "assistant", "developer"].includes(m.role)
      )
    ) {
      return apiError(400, "'messages' must be a non-empty array of {role, content}.", {
        param: "messages",
      });
    }
    if (deployment !== undefined) body.model = deployment;
    if (typeof body.model !== "string" || !models.includes(body.model)) {
      if (profile.azure) {
        return json(404, {
          error: {
            code: "DeploymentNotFound",
            message:
              "The API deployment for this resource does not exist. If you created the deployment within the last 5 minutes, please wait a moment and try again.",
          },
        });
      }
      return apiError(404, `The model \`${String(body.model)}\` does not exist.`, {
        code: "model_not_found",
        param: "model",
      });
    }
    const n = body.n ?? 1;
    if (typeof n !== "number" || !Number.isInteger(n) || n < 1 || n > 128) {
      return apiError(400, "'n' must be an integer in [1, 128].", { param: "n" });
    }
    const temperature = body.temperature;
    if (temperature !== undefined && temperature !== null) {
      if (options.rejectTemperature) {
        return apiError(
          400,
          "Unsupported parameter: 'temperature' is not supported with this model.",
          { param: "temperature", code: "unsupported_parameter" },
        );
      }
      if (typeof temperature !== "number" || temperature < 0 || temperature > 2) {
        return apiError(400, "'temperature' must be a number in [0, 2].", { param: "temperature" });
      }
    }
    const seed = typeof body.seed === "number" && Number.isInteger(body.seed)
      ? body.seed
      : undefined;
    const maxTokens = body.max_tokens ?? body.max_completion_tokens;
    const asked: ProfileRequest = {
      body,
      n,
      promptTokens: estimatePromptTokens(messages as ChatMessage[]),
      maxTokens: typeof maxTokens === "number" ? maxTokens : undefined,
      text: (messages as ChatMessage[]).map((m) => m.content).join("\n"),
    };
    const rejection = profile.reject(asked);
    if (rejection !== undefined) return json(rejection.status, rejection.body);

    let fault: ServerFault | undefined;
    if (index < script.length) {
      fault = script[index] ?? undefined;
    } else if (faultRate > 0 && faults.length > 0 && random() < faultRate) {
      fault = faults[Math.floor(random() * faults.length)] ?? faults[0];
    }
    if (fault !== undefined) stats.faults[fault] = (stats.faults[fault] ?? 0) + 1;
    switch (fault) {
      case "rate_limit_retry_after":
        return apiError(429, "Rate limit reached (injected fault).", {
          type: "requests",
          code: "rate_limit_exceeded",
        }, { "retry-after": String(options.retryAfterSeconds ?? 1) });
      case "rate_limit":
        return apiError(429, "Rate limit reached (injected fault).", {
          type: "requests",
          code: "rate_limit_exceeded",
        });
      case "server_error":
        return apiError(500, "The server had an error (injected fault).", { type: "server_error" });
      case "malformed_json":
        return new Response("{ this is not json (injected fault)", {
          headers: { "content-type": "application/json" },
        });
      case "html":
        return new Response("<html><body><h1>502 Bad Gateway</h1>(injected fault)</body></html>", {
          headers: { "content-type": "text/html" },
        });
      case "unauthorized":
        return apiError(401, "Incorrect API key provided (injected fault).", {
          code: "invalid_api_key",
        });
      case "stall":
        await wait(options.stallMs ?? 3000);
        if (shutdown.signal.aborted) {
          return apiError(503, "Stalled request abandoned.", { type: "server_error" });
        }
        break;
      default:
        break;
    }
    await wait(options.latencyMs ?? 0);
    const result = await backend.complete({
      messages: messages as ChatMessage[],
      n: options.honourN === false || !profile.honourN ? 1 : n,
      ...(typeof temperature === "number" ? { temperature } : {}),
      ...(typeof maxTokens === "number" ? { maxTokens } : {}),
      ...(seed === undefined ? {} : { seed }),
    });
    counter++;
    const shaped: ProfileChoice[] = result.choices.map((content, i) =>
      profile.shape(content, asked, (seed ?? counter) * 131 + i)
    );
    const completionTokens = shaped.reduce((sum, choice) => {
      const content = choice.message.content;
      return sum +
        profile.completionTokens(
          choice,
          estimateTokens(typeof content === "string" ? content : ""),
        );
    }, 0);
    const payload = {
      id: `chatcmpl-stand-in-${counter}`,
      object: "chat.completion",
      created: 0,
      model: result.model,
      system_fingerprint: result.standIn ? STAND_IN_MODEL : null,
      choices: fault === "empty_choices" ? [] : shaped.map((choice, index) => ({
        index,
        message: choice.message,
        finish_reason: choice.finish_reason,
        logprobs: null,
        ...choice.extra,
      })),
      usage: {
        prompt_tokens: result.usage.promptTokens,
        completion_tokens: completionTokens,
        total_tokens: result.usage.promptTokens + completionTokens,
        ...profile.usage(result.usage.promptTokens, completionTokens),
      },
    };
    if (fault === "truncated_json") {
      const text = JSON.stringify(payload);
      return new Response(text.slice(0, Math.floor(text.length / 2)), {
        headers: { "content-type": "application/json" },
      });
    }
    if (fault === undefined || fault === "stall") stats.answered++;
    return json(200, payload);
  };

  // Azure: key in an `api-key` header, `api-version` on every request; others: Bearer.
  const unauthorized = (request: Request): Response | undefined => {
    if (profile.azure) {
      const key = request.headers.get("api-key");
      if (key === null || (options.apiKey !== undefined && key !== options.apiKey)) {
        return json(401, {
          error: {
            code: "401",
            message:
              "Access denied due to invalid subscription key or wrong API endpoint. Make sure to provide a valid key for an active subscription and use a correct regional API endpoint for your resource.",
          },
        });
      }
      return undefined;
    }
    if (
      options.apiKey !== undefined &&
      request.headers.get("authorization") !== `Bearer ${options.apiKey}`
    ) {
      return apiError(401, "Incorrect API key provided.", { code: "invalid_api_key" });
    }
    return undefined;
  };

  /** The route of a request: models listing, a completion (with Azure's deployment), or none. */
  const route = (method: string, url: URL): { kind: "models" | "chat"; deployment?: string } | {
    kind: "none";
  } => {
    const path = url.pathname.replace(/\/+$/, "");
    if (profile.azure) {
      if (!url.searchParams.has("api-version")) return { kind: "none" };
      if (method === "GET" && path === "/openai/models") return { kind: "models" };
      const match = /^\/openai\/deployments\/([^/]+)\/chat\/completions$/.exec(path);
      if (method === "POST" && match !== null) {
        return { kind: "chat", deployment: decodeURIComponent(match[1]!) };
      }
      return { kind: "none" };
    }
    if (method === "GET" && path === "/v1/models") return { kind: "models" };
    if (method === "POST" && path === "/v1/chat/completions") return { kind: "chat" };
    return { kind: "none" };
  };

  const handler = async (request: Request): Promise<Response> => {
    const url = new URL(request.url);
    const path = url.pathname.replace(/\/+$/, "");
    const where = route(request.method, url);
    if (where.kind === "models") {
      const refused = unauthorized(request);
      if (refused !== undefined) return refused;
      return json(200, {
        object: "list",
        data: models.map((id) => ({ id, object: "model", created: 0, owned_by: "stop" })),
      });
    }
    if (where.kind === "chat") {
      inFlight++;
      stats.maxInFlight = Math.max(stats.maxInFlight, inFlight);
      try {
        if (gathered < (options.gatherFirst ?? 0)) {
          if (++gathered === options.gatherFirst) together.resolve();
          await together.promise;
        }
        return await completion(request, "deployment" in where ? where.deployment : undefined);
      } catch (error) {
        return apiError(
          500,
          `The stand-in failed: ${error instanceof Error ? error.message : error}`,
          {
            type: "server_error",
          },
        );
      } finally {
        inFlight--;
      }
    }
    if (profile.azure) return json(404, { error: { code: "404", message: "Resource not found" } });
    return apiError(404, `No route for ${request.method} ${path}. Try POST /v1/chat/completions.`);
  };

  return new Promise((resolve, reject) => {
    let server: Deno.HttpServer<Deno.NetAddr>;
    try {
      server = Deno.serve({
        hostname: "127.0.0.1",
        port: options.port ?? 0,
        onListen: ({ port }) => {
          let stopping: Promise<void> | undefined;
          const stop = () => {
            shutdown.abort();
            stopping ??= server.shutdown();
            return stopping;
          };
          resolve({
            port,
            baseUrl: `http://127.0.0.1:${port}/${profile.azure ? "openai" : "v1"}`,
            profile,
            stats,
            shutdown: stop,
            [Symbol.asyncDispose]: stop,
          });
        },
      }, handler);
    } catch (error) {
      reject(error);
    }
  });
}
