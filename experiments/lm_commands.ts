/**
 * `stop lm-serve` (the offline stand-in over the OpenAI protocol, on loopback) and
 * `stop lm-check` (check a model endpoint the way a user would before spending money).
 *
 * @module
 */
import { parseArgs } from "node:util";
import { checkEndpoint, serveOfflineModel, STAND_IN_BANNER } from "../lm/mod.ts";
import { note, paint, printJson, say, UsageError } from "./_terminal.ts";
import { numberFlag } from "./_flags.ts";

/** Usage of `lm-serve`. */
export const LM_SERVE_USAGE = `Usage: deno task stop lm-serve [options]

Serves the offline stand-in (${STAND_IN_BANNER}) at
http://127.0.0.1:<port>/v1/chat/completions and /v1/models, so that any OpenAI client can
drive it. Stops on Ctrl-C.

Options:
  --port P           port on 127.0.0.1 (0 picks a free one)       (default: 8787)
  --seed N           the stand-in's seed                           (default: 0)
  --fault-rate F     share of requests answered with an injected fault: 429 with and
                     without Retry-After, 500, stalls, truncated or malformed bodies,
                     empty choices (0..1)                          (default: 0)
  --help             show this help`;

/** Usage of `lm-check`. */
export const LM_CHECK_USAGE = `Usage: deno task stop lm-check [options]

Checks a model endpoint before a run spends money on it: key present, endpoint reachable,
model listed, whether 'n' is honoured, whether temperature is accepted, latency, tokens and
cost of a tiny prompt.

Options:
  --model NAME       model to check (or STOP_MODEL)
  --base-url URL     OpenAI-compatible endpoint (or OPENAI_BASE_URL); key from OPENAI_API_KEY
  --json             end with one JSON object on its own line
  --help             show this help`;

/**
 * Runs `lm-serve` until interrupted.
 *
 * @param argv The arguments after the command.
 * @returns The exit code.
 */
export async function lmServeCommand(argv: string[]): Promise<number> {
  const { values } = parseArgs({
    args: argv,
    options: {
      port: { type: "string", default: "8787" },
      seed: { type: "string", default: "0" },
      "fault-rate": { type: "string", default: "0" },
      help: { type: "boolean", default: false },
    },
  });
  if (values.help) {
    say(LM_SERVE_USAGE);
    return 0;
  }
  const port = numberFlag(values.port, {
    action: "serve",
    name: "port",
    integer: true,
    min: 0,
    max: 65535,
  });
  const seed = numberFlag(values.seed, { action: "serve", name: "seed", integer: true, min: 0 });
  const faultRate = numberFlag(values["fault-rate"], {
    action: "serve",
    name: "fault-rate",
    min: 0,
    max: 1,
  });
  const server = await serveOfflineModel({ port, seed, faultRate });
  say(`${paint("bold", "serving")} ${STAND_IN_BANNER}`);
  say(`  OPENAI_BASE_URL=${server.baseUrl}  (any key; model 'offline-stand-in')`);
  if (faultRate > 0) say(`  injecting faults in ${(faultRate * 100).toFixed(0)}% of requests`);
  note("press Ctrl-C to stop");
  await new Promise<void>((resolve) => {
    Deno.addSignalListener("SIGINT", () => resolve());
  });
  await server.shutdown();
  say(`served ${JSON.stringify(server.stats)}`);
  return 0;
}

/**
 * Runs `lm-check`.
 *
 * @param argv The arguments after the command.
 * @returns The exit code: 0 when the endpoint is usable.
 */
export async function lmCheckCommand(argv: string[]): Promise<number> {
  const { values } = parseArgs({
    args: argv,
    options: {
      model: { type: "string" },
      "base-url": { type: "string" },
      json: { type: "boolean", default: false },
      help: { type: "boolean", default: false },
    },
  });
  if (values.help) {
    say(LM_CHECK_USAGE);
    return 0;
  }
  const model = values.model ?? Deno.env.get("STOP_MODEL");
  if (model === undefined || model === "") {
    throw new UsageError(
      "Cannot check an endpoint without a model: pass '--model NAME' or set STOP_MODEL",
    );
  }
  const baseUrl = values["base-url"] ?? Deno.env.get("OPENAI_BASE_URL");
  const apiKey = Deno.env.get("OPENAI_API_KEY");
  const report = await checkEndpoint({
    model,
    ...(baseUrl === undefined ? {} : { baseUrl }),
    ...(apiKey === undefined ? {} : { apiKey }),
  });
  if (values.json) {
    printJson(report);
  } else {
    if (report.standIn) say(paint("yellow", `note: '${model}' is the ${STAND_IN_BANNER}`));
    for (const check of report.checks) {
      const mark = check.status === "ok"
        ? paint("green", "ok  ")
        : check.status === "warn"
        ? paint("yellow", "warn")
        : check.status === "fail"
        ? paint("red", "FAIL")
        : paint("dim", "skip");
      say(`${mark} ${check.name.padEnd(14)} ${check.message}`);
    }
    say(report.ok ? paint("green", "endpoint usable") : paint("red", "endpoint not usable"));
  }
  return report.ok ? 0 : 1;
}
