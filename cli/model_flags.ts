/**
 * The model flags every command that calls a model shares, parsed into the runs library's
 * {@linkcode ModelFlags} (the gateway is built from them by `experiments/run_gateway.ts`).
 *
 * @module
 */
import { STAND_IN_BANNER, STAND_IN_METHOD } from "../lm/mod.ts";
import { type ModelFlags, openRunGateway } from "../experiments/run_gateway.ts";
import { note, paint } from "./_terminal.ts";
import { numberFlag } from "./_flags.ts";

export type { ModelFlags };

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
 * The closing line of a run the offline stand-in answered (in process, or over HTTP from
 * `stop lm-serve`, recognised per reply: see `ModelGateway.standIn`).
 *
 * @returns The line.
 */
export function standInNumbersNote(): string {
  return `these numbers come from the ${STAND_IN_BANNER}`;
}

/**
 * Opens the run's gateway (`experiments/run_gateway.ts`), printing the endpoint's adaptations
 * as they happen.
 *
 * @param flags The model flags.
 * @param runDir The run directory.
 * @param options Those of `openRunGateway`.
 * @returns The gateway, whether it is the offline stand-in, and the banner line.
 */
export function openGateway(
  flags: ModelFlags,
  runDir: string,
  options: Parameters<typeof openRunGateway>[2] = {},
): ReturnType<typeof openRunGateway> {
  return openRunGateway(flags, runDir, { notify: note, ...options });
}

/**
 * The line a command prints about its model: the model's name, or, for the offline stand-in,
 * the banner and how the stand-in is built, in yellow.
 *
 * @param opened What `openGateway` returned.
 * @returns The line.
 */
export function modelBannerLine(opened: { banner: string; standIn: boolean }): string {
  return opened.standIn ? paint("yellow", `${opened.banner}. ${STAND_IN_METHOD}`) : opened.banner;
}
