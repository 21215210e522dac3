/**
 * Opening a run's model gateway from its model settings: the backend they name (the offline
 * stand-in or the OpenAI-compatible client), the ledger and cache in the run directory, the
 * global budget with the cost cap, and the request shape learned from the endpoint, kept in
 * the run's `endpoint.json`.
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
import type { AuditSink } from "../sandbox/audit_log.ts";
import { createChatBackend } from "./create_chat_backend.ts";
import { DEFAULT_MODEL_URL } from "./run_permissions.ts";
import { UsageError } from "./usage_error.ts";

/** A run's model settings (the command line's model flags, parsed). */
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
 * Builds the run's gateway: backend from the flags, ledger and cache in the run directory,
 * a global budget with the cost cap.
 *
 * @param flags The model flags.
 * @param runDir The run directory.
 * @param options.maxCalls Global cap on calls. @param options.audit Where refusals are recorded.
 * @param options.backend Answers instead of the backend the flags name (a library caller's
 * own, or a test's fake). @default {the backend the flags name}
 * @param options.notify Where the endpoint's adaptations and storage problems are told (the
 * command line prints them). @default {nowhere}
 * @returns The gateway and whether it is the offline stand-in.
 */
export async function openRunGateway(
  flags: ModelFlags,
  runDir: string,
  options: {
    maxCalls?: number;
    audit?: AuditSink;
    run?: string;
    backend?: ChatBackend;
    notify?: (line: string) => void;
  } = {},
): Promise<{ gateway: ModelGateway; standIn: boolean; banner: string }> {
  const notify = options.notify ?? (() => {});
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
          notify(`endpoint: ${event.message}`);
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
      notify(`endpoint: cannot store the request shape in ${endpointFile}: ${error}`);
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
