/**
 * Checking a model endpoint the way a user would before spending money on it.
 *
 * @module
 */

import { ModelError } from "./errors.ts";
import { STAND_IN_BANNER } from "./offline/stand_in.ts";
import { OPENAI_BASE_URL, OpenAiClient } from "./openai_client.ts";
import { costUsd, DEFAULT_PRICES, priceFor, type PriceTable } from "./price_table.ts";

/** How one check went. */
export type CheckStatus = "ok" | "warn" | "fail" | "skip";

/** What was checked. */
export type CheckName =
  | "key"
  | "reachable"
  | "model"
  | "completion"
  | "n"
  | "temperature"
  | "price"
  | "stand-in";

/** One check. */
export interface EndpointCheck {
  /** What was checked. */
  name: CheckName;
  /** How it went. */
  status: CheckStatus;
  /** What to tell the user (what is wrong and what to do). */
  message: string;
}

/** The result of `checkEndpoint`. */
export interface EndpointReport {
  /** No check failed. */
  ok: boolean;
  /** The endpoint. */
  baseUrl: string;
  /** The model. */
  model: string;
  /** Whether the endpoint serves the offline stand-in (not a language model). */
  standIn: boolean;
  /** The checks, in order. */
  checks: EndpointCheck[];
  /** Models the endpoint lists, when it lists them. */
  models?: string[];
  /** Milliseconds of the tiny completion, retries included. */
  latencyMs?: number;
  /** HTTP attempts of the tiny completion. */
  attempts?: number;
  /** Prompt tokens of the tiny completion. */
  promptTokens?: number;
  /** Completion tokens of the tiny completion. */
  completionTokens?: number;
  /** Dollars of the tiny completion; `null` when unpriced. */
  costUsd?: number | null;
  /** Whether the server honours `n`. */
  nHonoured?: boolean;
  /** Whether the model accepts `temperature`. */
  temperatureAccepted?: boolean;
}

/** What to check. */
export interface CheckEndpointOptions {
  /** The model name. */
  model: string;
  /** The endpoint. @default OPENAI_BASE_URL */
  baseUrl?: string | undefined;
  /** The API key. @default none */
  apiKey?: string | undefined;
  /** Prices. @default DEFAULT_PRICES */
  prices?: PriceTable;
  /** Deadline of each HTTP attempt. @default 30000 */
  timeoutMs?: number;
  /** Retries of retryable failures. @default 3 */
  maxRetries?: number;
  /** The `fetch` to use. @default globalThis.fetch */
  fetch?: typeof fetch;
  /** Waits between retries. @default a `setTimeout` promise */
  sleep?: (ms: number) => Promise<void>;
}

/**
 * Checks an endpoint: a key is present, the endpoint is reachable, the model is listed, a
 * tiny prompt (two replies of a few tokens) works, whether `n` is honoured and `temperature`
 * accepted, latency, tokens and cost. Never throws for endpoint problems: each becomes a
 * check with a message saying what is wrong and what to do.
 *
 * @param options Model, endpoint, key, prices and limits.
 * @returns The report (the CLI prints it).
 *
 * @example
 * ```ts
 * import { checkEndpoint } from "./check_endpoint.ts";
 * import { equal } from "node:assert/strict";
 * const report = await checkEndpoint({ model: "gpt-4o" }); // no key: nothing is sent
 * equal(report.ok, false);
 * equal(report.checks[0]?.name, "key");
 * ```
 */
export async function checkEndpoint(options: CheckEndpointOptions): Promise<EndpointReport> {
  const baseUrl = options.baseUrl ?? OPENAI_BASE_URL;
  const model = options.model;
  const report: EndpointReport = { ok: true, baseUrl, model, standIn: false, checks: [] };
  // Setting a check twice replaces it (e.g. the key is present, then refused).
  const add = (name: CheckName, status: CheckStatus, message: string) => {
    const existing = report.checks.find((c) => c.name === name);
    if (existing === undefined) report.checks.push({ name, status, message });
    else Object.assign(existing, { status, message });
    report.ok = !report.checks.some((c) => c.status === "fail");
  };
  const skipRest = (why: string) => {
    for (const name of ["reachable", "model", "completion", "n", "temperature"] as const) {
      if (!report.checks.some((c) => c.name === name)) add(name, "skip", why);
    }
  };

  let host = "";
  try {
    host = new URL(baseUrl).hostname;
  } catch {
    add(
      "reachable",
      "fail",
      `The base URL '${baseUrl}' is not a URL: pass e.g. http://127.0.0.1:8080/v1`,
    );
    skipRest("skipped: no usable base URL");
    return report;
  }
  const apiKey = options.apiKey;
  const hasKey = apiKey !== undefined && apiKey !== "";
  if (hasKey) {
    add("key", "ok", "An API key is set.");
  } else if (host === "api.openai.com") {
    add("key", "fail", "No API key: set OPENAI_API_KEY (nothing was sent).");
    skipRest("skipped: no API key");
    return report;
  } else {
    add("key", "warn", "No API key is set; fine for local servers that need none.");
  }

  const client = new OpenAiClient({
    model,
    baseUrl,
    ...(apiKey !== undefined && apiKey !== "" ? { apiKey } : {}),
    timeoutMs: options.timeoutMs ?? 30_000,
    maxRetries: options.maxRetries ?? 3,
    concurrency: 2,
    ...(options.fetch === undefined ? {} : { fetch: options.fetch }),
    ...(options.sleep === undefined ? {} : { sleep: options.sleep }),
  });

  let listed: boolean | undefined;
  try {
    const models = await client.listModels();
    report.models = models;
    add("reachable", "ok", `${baseUrl} answers and lists ${models.length} models.`);
    listed = models.includes(model);
    if (listed) add("model", "ok", `'${model}' is listed.`);
    else {
      const shown = models.slice(0, 10).join(", ");
      add(
        "model",
        "fail",
        `'${model}' is not among the models ${baseUrl} lists (${shown}${
          models.length > 10 ? ", …" : ""
        }): check --model.`,
      );
    }
  } catch (error) {
    if (error instanceof ModelError && error.kind === "unavailable") {
      add("reachable", "fail", `${error.message}.`);
      skipRest("skipped: endpoint unreachable");
      return report;
    }
    if (error instanceof ModelError && error.kind === "auth") {
      add("key", "fail", error.message);
      add("reachable", "ok", `${baseUrl} answers.`);
      skipRest("skipped: the key was refused");
      return report;
    }
    add(
      "reachable",
      "warn",
      `${baseUrl} does not list models (${
        error instanceof Error ? error.message : String(error)
      }); some servers do not. If completions fail too, check that the URL ends in /v1.`,
    );
  }

  try {
    const result = await client.complete({
      messages: [
        { role: "system", content: "You are a terse assistant." },
        { role: "user", content: "Reply with the single word: ok" },
      ],
      n: 2,
      temperature: 0.7,
      maxTokens: 16,
    });
    report.standIn = result.standIn;
    report.latencyMs = result.latencyMs;
    report.attempts = result.attempts;
    report.promptTokens = result.usage.promptTokens;
    report.completionTokens = result.usage.completionTokens;
    const price = result.standIn ? { inputPerMillion: 0, outputPerMillion: 0 } : priceFor(
      model,
      options.prices ?? DEFAULT_PRICES,
    );
    report.costUsd = price === undefined
      ? null
      : costUsd(price, result.usage.promptTokens, result.usage.completionTokens);
    report.nHonoured = client.nHonoured ?? false;
    report.temperatureAccepted = !client.temperatureRejected;
    const retries = result.attempts - (report.nHonoured ? 1 : 2) -
      (client.temperatureRejected ? 1 : 0);
    add(
      "completion",
      retries > 0 ? "warn" : "ok",
      `A tiny prompt took ${
        Math.round(result.latencyMs)
      } ms, ${result.usage.promptTokens} prompt + ${result.usage.completionTokens} completion tokens${
        result.usage.estimated ? " (estimated: the server sent no usage)" : ""
      }, ${report.costUsd === null ? "cost unknown" : `$${report.costUsd.toFixed(6)}`}${
        retries > 0 ? `, after ${retries} retried failures (429/5xx/bad bodies)` : ""
      }.`,
    );
    if (listed === false) add("model", "warn", `'${model}' is not listed, but it answered.`);
    add(
      "n",
      report.nHonoured ? "ok" : "warn",
      report.nHonoured
        ? "The server honours n: one request per call."
        : "The server ignores n: calls will be split into parallel requests (prompt tokens are paid per reply).",
    );
    add(
      "temperature",
      report.temperatureAccepted ? "ok" : "warn",
      report.temperatureAccepted
        ? "The model accepts temperature."
        : "The model rejects temperature: it will be omitted, so temperature-varying improvers see no effect.",
    );
    if (result.standIn) add("stand-in", "warn", `This endpoint serves the ${STAND_IN_BANNER}.`);
    if (price === undefined) {
      add(
        "price",
        "warn",
        `No price is known for '${model}': costs are recorded as unknown and a cost cap cannot be used until you add its price.`,
      );
    }
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    const name: CheckName = error instanceof ModelError && error.kind === "auth"
      ? "key"
      : error instanceof ModelError && error.kind === "not_found"
      ? "model"
      : "completion";
    if (!report.checks.some((c) => c.name === name && c.status === "fail")) {
      add(name, "fail", message);
    }
    skipRest("skipped: the tiny prompt failed");
  }
  return report;
}
