/**
 * Checking a model endpoint the way a user would before spending money on it.
 *
 * @module
 */

import { ModelError } from "./errors.ts";
import { countReplyFates, describeReplyFates, ledgerFateFields } from "./ledger.ts";
import { STAND_IN_BANNER } from "./stand_in_name.ts";
import { OPENAI_BASE_URL, OpenAiClient, type RequestShape } from "./openai_client.ts";
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
  | "max_tokens"
  | "temperature"
  | "seed"
  | "reasoning"
  | "replies"
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
  /** No check failed: the endpoint can run the paper's budgets (the verdict). */
  ok: boolean;
  /** The verdict in one sentence. */
  verdict: string;
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
  /** The request shape the run will send (store it with the run). */
  shape?: RequestShape;
  /** Replies that carried no answer, by reason, out of `responses`. */
  withoutAnswer?: Record<string, number>;
  /** Whether the provider reported the cost itself (`usage.cost`). */
  costReported?: boolean;
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
  /** Replies per call the run asks for (`--responses`). @default 6 */
  responses?: number;
  /** Completion-token cap the run sends with every request. @default 4096 */
  maxTokens?: number;
  /** Characters of the test prompt (a run's prompt holds whole programs). @default 8000 */
  promptChars?: number;
  /**
   * The run's real first prompt (the seed improver's on the task's seed solution), sent
   * instead of the synthetic one of `promptChars` characters. @default the synthetic prompt
   */
  prompt?: { expertise: string; message: string };
  /** Azure OpenAI `api-version`. @default none */
  apiVersion?: string | undefined;
}

/**
 * Checks whether an endpoint can run the paper's budgets: a key is present, the endpoint is
 * reachable, the model is listed, then one request shaped like the run's (`responses`
 * replies, the run's `maxTokens`, a prompt as long as a run's, temperature and seed) tells
 * how `n` is taken, whether `max_tokens` fits the context window and the credit, whether
 * temperature and seed are honoured, whether the model reasons, how the replies ended, and
 * whether the price is known. Each check says what the run will do; `ok` is the verdict.
 * Never throws for endpoint problems.
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
  const responses = options.responses ?? 6;
  const maxTokens = options.maxTokens ?? 4096;
  const report: EndpointReport = {
    ok: true,
    verdict: "",
    baseUrl,
    model,
    standIn: false,
    checks: [],
  };
  // Setting a check twice replaces it (e.g. the key is present, then refused).
  const add = (name: CheckName, status: CheckStatus, message: string) => {
    const existing = report.checks.find((c) => c.name === name);
    if (existing === undefined) report.checks.push({ name, status, message });
    else Object.assign(existing, { status, message });
    report.ok = !report.checks.some((c) => c.status === "fail");
  };
  const skipRest = (why: string) => {
    for (
      const name of ["reachable", "model", "completion", "n", "max_tokens", "temperature"] as const
    ) {
      if (!report.checks.some((c) => c.name === name)) add(name, "skip", why);
    }
  };
  const finish = () => {
    report.verdict = report.ok
      ? `yes: this endpoint can run the paper's budgets (${responses} replies per call, max_tokens ${maxTokens}${
        report.shape?.maxTokensCap === undefined ? "" : ` lowered to ${report.shape.maxTokensCap}`
      })`
      : `no: ${
        report.checks.filter((c) => c.status === "fail").map((c) => `${c.name}: ${c.message}`)
          .join(" ")
      }`;
    return report;
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
    return finish();
  }
  const apiKey = options.apiKey;
  const hasKey = apiKey !== undefined && apiKey !== "";
  if (hasKey) {
    add("key", "ok", "An API key is set.");
  } else if (host === "api.openai.com") {
    add("key", "fail", "No API key: set OPENAI_API_KEY (nothing was sent).");
    skipRest("skipped: no API key");
    return finish();
  } else {
    add("key", "warn", "No API key is set; fine for local servers that need none.");
  }

  let retries = 0;
  let client: OpenAiClient;
  try {
    client = new OpenAiClient({
      model,
      baseUrl,
      ...(apiKey !== undefined && apiKey !== "" ? { apiKey } : {}),
      timeoutMs: options.timeoutMs ?? 120_000,
      maxRetries: options.maxRetries ?? 3,
      concurrency: responses,
      onRetry: () => retries++,
      ...(options.apiVersion === undefined ? {} : { apiVersion: options.apiVersion }),
      ...(options.fetch === undefined ? {} : { fetch: options.fetch }),
      ...(options.sleep === undefined ? {} : { sleep: options.sleep }),
    });
  } catch (error) {
    add("reachable", "fail", error instanceof Error ? error.message : String(error));
    skipRest("skipped: no usable endpoint settings");
    return finish();
  }

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
      return finish();
    }
    if (error instanceof ModelError && error.kind === "auth") {
      add("key", "fail", error.message);
      add("reachable", "ok", `${baseUrl} answers.`);
      skipRest("skipped: the key was refused");
      return finish();
    }
    add(
      "reachable",
      "warn",
      `${baseUrl} does not list models (${
        error instanceof Error ? error.message : String(error)
      }); some servers do not. If completions fail too, ${
        client.azure
          ? "check the base URL (https://RESOURCE.openai.azure.com/openai), the deployment (--model) and --api-version"
          : "check that the URL ends in /v1"
      }.`,
    );
  }

  try {
    const result = await client.complete({
      messages: [
        {
          role: "system",
          content: options.prompt?.expertise ?? "You are an expert TypeScript programmer.",
        },
        {
          role: "user",
          content: options.prompt?.message ?? checkPrompt(options.promptChars ?? 8000),
        },
      ],
      n: responses,
      temperature: 0.7,
      maxTokens,
      seed: 1,
    });
    report.standIn = result.standIn;
    report.latencyMs = result.latencyMs;
    report.attempts = result.attempts;
    report.promptTokens = result.usage.promptTokens;
    report.completionTokens = result.usage.completionTokens;
    report.shape = client.shape;
    const price = result.standIn ? { inputPerMillion: 0, outputPerMillion: 0 } : priceFor(
      model,
      options.prices ?? DEFAULT_PRICES,
    );
    report.costReported = result.costUsd !== undefined;
    report.costUsd = result.costUsd ??
      (price === undefined
        ? null
        : costUsd(price, result.usage.promptTokens, result.usage.completionTokens));
    report.nHonoured = client.nHonoured ?? true;
    report.temperatureAccepted = !client.temperatureRejected;
    const adapted = new Map(client.adaptations.map((a) => [a.kind, a.message]));
    const cost = report.costUsd === null
      ? "cost unknown"
      : `$${report.costUsd.toFixed(6)}${report.costReported ? " (reported by the provider)" : ""}`;
    add(
      "completion",
      retries > 0 ? "warn" : "ok",
      `A request shaped like the run's (${responses} replies, max_tokens ${maxTokens}, ${result.usage.promptTokens} prompt tokens) took ${
        Math.round(result.latencyMs)
      } ms and ${result.usage.completionTokens} completion tokens${
        result.usage.estimated ? " (estimated: the server sent no usage)" : ""
      }, ${cost}${retries > 0 ? `, after ${retries} retried failures (429/5xx/bad bodies)` : ""}.`,
    );
    if (listed === false) add("model", "warn", `'${model}' is not listed, but it answered.`);
    add(
      "n",
      report.nHonoured ? "ok" : "warn",
      report.nHonoured
        ? `The endpoint honours n: the run sends one request per call for ${responses} replies.`
        : `${
          capital(adapted.get("split_n") ?? "the endpoint ignores n")
        }: ${responses} requests per call.`,
    );
    const tokenNotes = [
      adapted.get("max_completion_tokens"),
      adapted.get("max_tokens"),
      adapted.get("fit_context"),
      adapted.get("fit_credit"),
      adapted.get("fit_output"),
    ].filter((m): m is string => m !== undefined);
    add(
      "max_tokens",
      adapted.has("fit_context") || adapted.has("fit_credit") || adapted.has("fit_output")
        ? "warn"
        : "ok",
      tokenNotes.length === 0
        ? `max_tokens ${maxTokens} fits: the run sends it as is.`
        : `${capital(tokenNotes.join("; "))}.`,
    );
    add(
      "temperature",
      report.temperatureAccepted ? "ok" : "warn",
      report.temperatureAccepted
        ? "Temperature is honoured."
        : "Temperature is not honoured: the run omits it, so every reply uses the model's default and temperature-varying improvers see no effect.",
    );
    if (adapted.has("omit_seed")) add("seed", "warn", `${adapted.get("omit_seed")}.`);
    const reasoned = result.fates.filter((f) => f.reasoning !== undefined).length;
    const hidden = result.usage.reasoningTokens ?? 0;
    add(
      "reasoning",
      "ok",
      [
        reasoned === 0
          ? "No reasoning came with the replies."
          : `${reasoned} of ${result.fates.length} replies came with reasoning: the run keeps it in the cache and ledger and hands improvers only the answer.`,
        hidden === 0
          ? ""
          : ` The model spent ${hidden} of ${result.usage.completionTokens} completion tokens on hidden reasoning, inside max_tokens.`,
      ].join(""),
    );
    const fates = countReplyFates([{
      kind: "completion",
      error: null,
      requestHash: "check",
      occurrence: 0,
      ...ledgerFateFields(result.choices, result.fates),
    }]);
    report.withoutAnswer = fates.withoutAnswer;
    const missing = Object.values(fates.withoutAnswer).reduce((s, c) => s + (c ?? 0), 0);
    const words = describeReplyFates(fates).join("; ");
    const cutByLength = fates.withoutAnswer.length ?? 0;
    add(
      "replies",
      missing === 0 ? "ok" : missing * 2 >= fates.replies ? "fail" : "warn",
      missing === 0
        ? `All ${fates.replies} replies ended normally with an answer.`
        : missing * 2 >= fates.replies
        ? `${words}: most replies carry no answer at these budgets${
          cutByLength > 0 ? "; raise the run's max tokens or pick a model that reasons less" : ""
        }.`
        : `${words}: the run counts such replies by reason in its summary and goes on.`,
    );
    if (result.standIn) add("stand-in", "warn", `This endpoint serves the ${STAND_IN_BANNER}.`);
    const listPrice = priceFor(model, options.prices ?? DEFAULT_PRICES);
    if (report.costReported) {
      add("price", "ok", "The provider reports each request's cost: the run records it.");
    } else if (listPrice === undefined) {
      add(
        "price",
        "warn",
        `No price is known for '${model}': costs are recorded as unknown (never $0) and a cost cap cannot be used until you add its price.`,
      );
    } else {
      add(
        "price",
        "ok",
        `'${model}' is priced at list prices ($${listPrice.inputPerMillion} in, $${listPrice.outputPerMillion} out per million tokens)${
          result.standIn ? "; the stand-in itself costs nothing" : ""
        }.`,
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
    report.shape = client.shape;
    skipRest("skipped: the run-shaped request failed");
  }
  return finish();
}

/**
 * A prompt shaped like a run's: an improvement request holding a program, `chars` long.
 */
function checkPrompt(chars: number): string {
  const head = [
    "Improve the following solution to the task below. Reply with an idea, then the whole",
    "improved program in one ```ts block.",
    "// Task: Learning parity with noise (lpn)",
    "```ts",
  ].join("\n");
  const line = "  // (solution text of a typical length, to test the context window)\n";
  const body = line.repeat(Math.max(0, Math.ceil((chars - head.length) / line.length)));
  return `${head}\nexport function algorithm(trainSamples, trainLabels, testSamples) {\n${body}}\n\`\`\``;
}

function capital(text: string): string {
  return text.charAt(0).toUpperCase() + text.slice(1);
}
