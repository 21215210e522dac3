/**
 * `stop lm-serve` (the offline stand-in over the OpenAI protocol, on loopback) and
 * `stop lm-check` (check a model endpoint the way a user would before spending money).
 *
 * @module
 */
import { parseArgs } from "node:util";
import { checkEndpoint, STAND_IN_BANNER } from "../lm/mod.ts";
import { serveOfflineModel, SERVER_PROFILES, type ServerProfileName } from "../stand_in/mod.ts";
import { note, paint, printJson, say, UsageError } from "./_terminal.ts";
import { numberFlag } from "./_flags.ts";
import { getTask } from "../utilities/tasks.ts";
import { firstImproverPrompt } from "../improvers/first_prompt.ts";

/** Usage of `lm-serve`. */
export const LM_SERVE_USAGE = `Usage: deno task stop lm-serve [options]

Serves the offline stand-in (${STAND_IN_BANNER}) at
http://127.0.0.1:<port>/v1/chat/completions and /v1/models, so that any OpenAI client can
drive it. Stops on Ctrl-C. With --profile it reproduces a real server's documented behaviour
(the replies still come from the stand-in):
  openai      plain OpenAI protocol (the default)
  vllm        a 4096-token context window, vLLM's flat error body when prompt + max_tokens
              exceed it
  ollama      ignores n: one choice back whatever n asks
  llamacpp    refuses n > 1 ("Only one completion choice is allowed"), 8192-token context
  reasoning   an o-series model: rejects max_tokens and non-default temperature with
              OpenAI's errors, spends 2048 reasoning tokens per reply (cut to an empty
              reply, finish_reason "length", when the budget is smaller)
  azure       Azure OpenAI: /openai/deployments/<name>/chat/completions, api-version
              required, api-key header, a prompt filter (400 content_filter) and about
              one reply in eight filtered (content null, finish_reason "content_filter")
  r1          DeepSeek-R1 without a reasoning parser: <think> with a larger Python draft
              before the answer, cut by max_tokens
  openrouter  cost in usage, every seventh choice failing upstream inside a 200, 402 with
              the affordable tokens (3000) when max_tokens asks for more

Options:
  --profile NAME     one of ${SERVER_PROFILES.join(", ")}   (default: openai)
  --legacy           llamacpp: refuse n with a 500, as builds before 2024 did
  --port P           port on 127.0.0.1 (0 picks a free one)       (default: 8787)
  --seed N           the stand-in's seed                           (default: 0)
  --fault-rate F     share of requests answered with an injected fault: 429 with and
                     without Retry-After, 500, stalls, truncated or malformed bodies,
                     empty choices (0..1)                          (default: 0)
  --help             show this help`;

/** Usage of `lm-check`. */
export const LM_CHECK_USAGE = `Usage: deno task stop lm-check [options]

Answers one question before a run spends money: can this endpoint run the paper's budgets?
Checks the key, that the endpoint answers and lists the model, then sends ONE request shaped
like the run's (--responses replies, --max-tokens, a prompt as long as a run's: this is paid)
and says what the run will do about each finding: how n is taken, whether max_tokens fits
the context window and the credit, whether temperature and seed are honoured, whether the
model reasons, how the replies ended (cut by the limit, filtered, failed upstream), and
whether the price is known. Ends with a yes/no verdict; exit code 0 for yes, 1 for no.

Options:
  --model NAME       model (deployment on Azure) to check (or STOP_MODEL)
  --base-url URL     OpenAI-compatible endpoint (or OPENAI_BASE_URL); key from OPENAI_API_KEY
  --api-version V    Azure OpenAI api-version (or OPENAI_API_VERSION)
  --responses N      replies per call, as the run will ask                (default: 6)
  --max-tokens N     completion-token cap per reply, as the run will send (default: 4096)
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
      profile: { type: "string", default: "openai" },
      legacy: { type: "boolean", default: false },
      help: { type: "boolean", default: false },
    },
  });
  if (values.help) {
    say(LM_SERVE_USAGE);
    return 0;
  }
  const profile = values.profile as ServerProfileName;
  if (!SERVER_PROFILES.includes(profile)) {
    throw new UsageError(
      `Cannot serve as '--profile' must be one of ${
        SERVER_PROFILES.join(", ")
      }: current value is '${values.profile}'`,
    );
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
  const server = await serveOfflineModel({
    port,
    seed,
    faultRate,
    profile,
    profileOptions: { legacy: values.legacy },
  });
  say(`${paint("bold", "serving")} ${STAND_IN_BANNER}, behaving as '${profile}'`);
  say(
    `  --base-url ${server.baseUrl} --model ${server.profile.model}${
      server.profile.azure ? " --api-version 2024-10-21  (any api-key)" : "  (any key)"
    }`,
  );
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
      "api-version": { type: "string" },
      responses: { type: "string", default: "6" },
      "max-tokens": { type: "string", default: "4096" },
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
  const apiVersion = values["api-version"] ?? Deno.env.get("OPENAI_API_VERSION");
  const responses = numberFlag(values.responses, {
    action: "check",
    name: "responses",
    integer: true,
    min: 1,
  });
  const maxTokens = numberFlag(values["max-tokens"], {
    action: "check",
    name: "max-tokens",
    integer: true,
    min: 1,
  });
  // The request is as long as the run's first: the seed improver's prompt on LPN's seed.
  const task = getTask("lpn");
  const prompt = await firstImproverPrompt(
    await Deno.readTextFile(new URL("../improvers/programs/seed_improver.ts", import.meta.url)),
    await task.seedSolution(),
    { description: task.description, responses },
  );
  const report = await checkEndpoint({
    model,
    responses,
    maxTokens,
    ...(prompt === undefined ? {} : { prompt }),
    ...(baseUrl === undefined ? {} : { baseUrl }),
    ...(apiKey === undefined ? {} : { apiKey }),
    ...(apiVersion === undefined || apiVersion === "" ? {} : { apiVersion }),
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
    say(
      report.ok
        ? paint("green", `verdict: ${report.verdict}`)
        : paint("red", `verdict: ${report.verdict}`),
    );
  }
  return report.ok ? 0 : 1;
}
