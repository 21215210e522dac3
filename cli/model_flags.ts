/**
 * The model flags every command that calls a model shares, and building the run's gateway
 * (ledger and cache in the run directory) from them.
 *
 * @module
 */
import {
  type ChatBackend,
  GlobalBudget,
  Ledger,
  ModelError,
  ModelGateway,
  type RequestShape,
  ResponseCache,
  STAND_IN_BANNER,
} from "../lm/mod.ts";
import { createChatBackend } from "../experiments/create_chat_backend.ts";
import type { AuditSink } from "../sandbox/audit_log.ts";
import { DEFAULT_MODEL_URL } from "../experiments/run_permissions.ts";
import { note, UsageError } from "./_terminal.ts";
import { numberFlag } from "./_flags.ts";

/** `parseArgs` options of the model flags. */
export const MODEL_OPTIONS = {
  model: { type: "string" },
  "base-url": { type: "string" },
  "api-version": { type: "string" },
  replay: { type: "boolean", default: false },
  "max-cost": { type: "string" },
  "max-requests": { type: "string", default: "8" },
  seed: { type: "string", default: "0" },
} as const;

/** Help lines of the model flags. */
export const MODEL_HELP = `Model options:
  --model NAME       model to call; 'offline' is the stand-in (a deterministic test
                     harness, not a language model)   (default: STOP_MODEL or offline)
  --base-url URL     OpenAI-compatible endpoint (or OPENAI_BASE_URL); key from OPENAI_API_KEY
  --api-version V    Azure OpenAI api-version (or OPENAI_API_VERSION), e.g. 2024-10-21
  --replay           answer from the run's cache only; a miss is an error
  --max-cost USD     refuse any call that could take spend past this cap
  --max-requests N   HTTP requests to the endpoint in flight at once   (default: 8)
  --seed N           seed of the stand-in, the sandbox and sampling  (default: 0)`;

/** Parsed model flags. */
export interface ModelFlags {
  model: string | undefined;
  baseUrl: string | undefined;
  /** Azure OpenAI api-version; a resumed run reads it from its endpoint.json. */
  apiVersion?: string | undefined;
  replay: boolean;
  maxCostUsd: number | undefined;
  maxRequests: number;
  seed: number;
}

/**
 * Validates the model flags.
 *
 * @param values The parsed flags.
 * @returns The typed flags.
 * @throws {UsageError} On a bad value.
 */
export function modelFlags(values: {
  model?: string | undefined;
  "base-url"?: string | undefined;
  "api-version"?: string | undefined;
  replay?: boolean | undefined;
  "max-cost"?: string | undefined;
  "max-requests"?: string | undefined;
  seed?: string | undefined;
}): ModelFlags {
  const seed = numberFlag(values.seed ?? "0", {
    action: "start",
    name: "seed",
    integer: true,
    min: 0,
  });
  const maxCostUsd = values["max-cost"] === undefined
    ? undefined
    : numberFlag(values["max-cost"], { action: "start", name: "max-cost", min: 0 });
  const maxRequests = numberFlag(values["max-requests"] ?? "8", {
    action: "start",
    name: "max-requests",
    integer: true,
    min: 1,
  });
  return {
    model: values.model ?? Deno.env.get("STOP_MODEL"),
    baseUrl: values["base-url"] ?? Deno.env.get("OPENAI_BASE_URL"),
    apiVersion: values["api-version"] ?? (Deno.env.get("OPENAI_API_VERSION") || undefined),
    replay: values.replay ?? false,
    maxCostUsd,
    maxRequests,
    seed,
  };
}

/**
 * Builds the run's gateway: backend from the flags, ledger and cache in the run directory,
 * a global budget with the cost cap.
 *
 * @param flags The model flags.
 * @param runDir The run directory.
 * @param options.maxCalls Global cap on calls. @param options.audit Where refusals are recorded.
 * @param options.backend Answers instead of the backend the flags name (a library caller's
 * own, or a test's fake). @default {the backend the flags name}
 * @returns The gateway and whether it is the offline stand-in.
 */
export async function openGateway(
  flags: ModelFlags,
  runDir: string,
  options: { maxCalls?: number; audit?: AuditSink; run?: string; backend?: ChatBackend } = {},
): Promise<{ gateway: ModelGateway; standIn: boolean; banner: string }> {
  const apiKey = Deno.env.get("OPENAI_API_KEY");
  if (
    options.backend === undefined &&
    !flags.replay && flags.model !== undefined && flags.model !== "offline" &&
    flags.model !== "offline-stand-in"
  ) {
    const url = new URL(flags.baseUrl ?? DEFAULT_MODEL_URL);
    const port = url.port !== "" ? url.port : url.protocol === "https:" ? "443" : "80";
    const status = await Deno.permissions.query({ name: "net", host: `${url.hostname}:${port}` });
    if (status.state !== "granted") {
      throw new UsageError(
        `Cannot reach the model at '${url.host}' as this process may not connect there. ` +
          `Start it with 'deno task stop', which grants exactly the host of --base-url (or ` +
          `OPENAI_BASE_URL), or add --allow-net=${url.host} to your own 'deno run'.`,
      );
    }
  }
  // The request shape learned from the endpoint is kept with the run, so that a resumed run
  // sends what the endpoint accepts from its first request.
  const endpointFile = `${runDir}/endpoint.json`;
  const stored = await readEndpointFile(endpointFile);
  const apiVersion = flags.apiVersion ?? stored?.apiVersion;
  let created: ChatBackend;
  try {
    created = options.backend ?? createChatBackend({
      ...(flags.model === undefined ? {} : { model: flags.model }),
      ...(flags.baseUrl === undefined ? {} : { baseUrl: flags.baseUrl }),
      ...(apiKey === undefined ? {} : { apiKey }),
      ...(apiVersion === undefined ? {} : { apiVersion }),
      seed: flags.seed,
      client: {
        concurrency: flags.maxRequests,
        ...(stored?.shape === undefined ? {} : { shape: stored.shape }),
        onAdapt: (event) => {
          note(`endpoint: ${event.message}`);
          store();
        },
      },
    });
  } catch (error) {
    if (error instanceof TypeError) throw new UsageError(error.message);
    throw error;
  }
  // Written synchronously: adaptations are rare (once per kind) and must not be lost.
  const store = () => {
    const shape = "shape" in created ? (created as { shape: RequestShape }).shape : undefined;
    const record = {
      model: created.model,
      baseUrl: flags.baseUrl ?? null,
      ...(apiVersion === undefined ? {} : { apiVersion }),
      shape,
    };
    try {
      Deno.writeTextFileSync(endpointFile, `${JSON.stringify(record, null, 2)}\n`);
    } catch (error) {
      note(`endpoint: cannot store the request shape in ${endpointFile}: ${error}`);
    }
  };
  if (!created.standIn && !flags.replay) store();
  // In replay mode nothing may leave the process: the gateway answers from the cache and
  // refuses misses, and the backend behind it refuses too, should anything get through.
  const backend: ChatBackend = flags.replay
    ? {
      model: created.model,
      standIn: created.standIn,
      complete: () =>
        Promise.reject(
          new ModelError("Cannot send a request in replay mode: the network is refused", {
            kind: "bad_request",
            attempts: 0,
          }),
        ),
    }
    : created;
  const gateway = new ModelGateway(backend, {
    ledger: await Ledger.open(`${runDir}/ledger.jsonl`),
    cache: await ResponseCache.open(`${runDir}/cache.jsonl`),
    replay: flags.replay,
    globalBudget: new GlobalBudget({
      ...(options.maxCalls === undefined ? {} : { maxCalls: options.maxCalls }),
      ...(flags.maxCostUsd === undefined ? {} : { maxCostUsd: flags.maxCostUsd }),
    }),
    seed: flags.seed,
    ...(options.audit === undefined ? {} : { audit: options.audit }),
    ...(options.run === undefined ? {} : { run: options.run }),
  });
  const standIn = gateway.standIn;
  return {
    gateway,
    standIn,
    banner: standIn ? `model: ${STAND_IN_BANNER}` : `model: ${gateway.model}`,
  };
}

/**
 * The closing line of a run the offline stand-in answered (in process, or over HTTP from
 * `stop lm-serve`, recognised per reply: see `ModelGateway.standIn`).
 *
 * @returns The line.
 */
export function standInNumbersNote(): string {
  return `these numbers come from the ${STAND_IN_BANNER}`;
}

/** What `endpoint.json` in a run directory holds: the request shape learned from the endpoint. */
async function readEndpointFile(
  path: string,
): Promise<{ apiVersion?: string; shape?: RequestShape } | undefined> {
  let raw: unknown;
  try {
    raw = JSON.parse(await Deno.readTextFile(path));
  } catch (error) {
    if (error instanceof Deno.errors.NotFound) return undefined;
    throw new UsageError(`Cannot use '${path}' as it is unreadable: ${(error as Error).message}`);
  }
  if (typeof raw !== "object" || raw === null) return undefined;
  const r = raw as Record<string, unknown>;
  const shape = r.shape as Record<string, unknown> | undefined;
  const valid = typeof shape === "object" && shape !== null &&
    (shape.maxTokensParameter === "max_tokens" ||
      shape.maxTokensParameter === "max_completion_tokens") &&
    typeof shape.temperature === "boolean" && typeof shape.n === "boolean" &&
    typeof shape.seed === "boolean" &&
    (shape.maxTokensCap === undefined ||
      (Number.isInteger(shape.maxTokensCap) && (shape.maxTokensCap as number) > 0));
  return {
    ...(typeof r.apiVersion === "string" ? { apiVersion: r.apiVersion } : {}),
    ...(valid ? { shape: shape as unknown as RequestShape } : {}),
  };
}
