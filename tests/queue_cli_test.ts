/**
 * `--queue URL` on the commands that score programs, `stop worker` and `stop queue status`:
 * help, argument errors, the URL's password kept out of every run file and message, the
 * network granted to the queue's host alone, and the same numbers through the queue's seam.
 */
import { deepEqual, equal, match, ok, rejects } from "node:assert/strict";
import { main } from "../cli/main.ts";
import { evaluateCommand } from "../cli/evaluate_command.ts";
import { improveCommand } from "../cli/improve_command.ts";
import { selfImproveCommand } from "../cli/self_improve_command.ts";
import { transferCommand } from "../cli/transfer_command.ts";
import { sandboxAuditCommand } from "../cli/sandbox_audit_command.ts";
import { workerCommand } from "../cli/worker_command.ts";
import { queueCommand } from "../cli/queue_command.ts";
import { parseQueueUrl, queueFlag } from "../cli/_queue_flag.ts";
import { CLI_ENV, cliPermissions } from "../experiments/run_permissions.ts";
import { UsageError } from "../cli/_terminal.ts";
import { captured } from "./fakes/captured_output.ts";
import { roundTripEvaluations } from "./fakes/round_trip_evaluations.ts";
import { inTempRuns } from "./fakes/temp_runs.ts";

for (const name of ["STOP_MODEL", "OPENAI_API_KEY", "OPENAI_BASE_URL"]) Deno.env.delete(name);

const PASSWORD = "Sup3r-Secret-Pw";
const URL_WITH_PASSWORD = `postgres://stop:${PASSWORD}@127.0.0.1:5999/jobs`;
const REDACTED = "postgres://stop@127.0.0.1:5999/jobs";

/** Every file under a folder, with its text. */
async function filesUnder(dir: string): Promise<Map<string, string>> {
  const out = new Map<string, string>();
  for await (const entry of Deno.readDir(dir)) {
    const path = `${dir}/${entry.name}`;
    if (entry.isDirectory) { for (const [p, t] of await filesUnder(path)) out.set(p, t); }
    else if (entry.isFile) out.set(path, await Deno.readTextFile(path));
  }
  return out;
}

Deno.test("a queue URL is redacted, its host:port found, its secrets scrubbed", () => {
  const cases: [string, string, string][] = [
    [URL_WITH_PASSWORD, REDACTED, "127.0.0.1:5999"],
    ["postgresql://db.lan/jobs", "postgresql://db.lan:5432/jobs", "db.lan:5432"],
    ["postgres://u@db.lan:6543/jobs", "postgres://u@db.lan:6543/jobs", "db.lan:6543"],
    ["postgres://u:p%40ss%2Fw@db.lan/jobs", "postgres://u@db.lan:5432/jobs", "db.lan:5432"],
    [
      "postgres://u@db.lan/jobs?sslmode=require&password=hidden1",
      "postgres://u@db.lan:5432/jobs",
      "db.lan:5432",
    ],
    ["postgres://u:pw@[::1]:5433/jobs", "postgres://u@[::1]:5433/jobs", "[::1]:5433"],
  ];
  for (const [url, redacted, host] of cases) {
    const queue = parseQueueUrl(url, "test");
    equal(queue.redacted, redacted, url);
    equal(queue.host, host, url);
    equal(queue.url, url);
  }
  const queue = parseQueueUrl(URL_WITH_PASSWORD, "test");
  equal(
    queue.scrub(`password ${PASSWORD} refused for ${URL_WITH_PASSWORD}`),
    "password *** refused for ***",
  );
  equal(
    parseQueueUrl("postgres://u:p%40ss@h/db", "t").scrub("got p@ss and p%40ss"),
    "got *** and ***",
  );
  equal(
    parseQueueUrl("postgres://u@h/db?password=hidden1&sslmode=require", "t").scrub(
      "hidden1 require",
    ),
    "*** require",
    "a secret query parameter is scrubbed; an innocent one is not",
  );
  equal(queue.scrub("nothing secret here"), "nothing secret here");
});

Deno.test("a bad queue URL is refused with a reason that never shows its password", () => {
  const bad: [string, RegExp][] = [
    [`http://u:${PASSWORD}@db.lan/jobs`, /must start with postgres:\/\/ or postgresql:\/\//],
    [`postgres:///jobs?host=/var/run/postgresql&password=${PASSWORD}`, /names no host/],
    [`not a url ${PASSWORD}`, /is not a URL/],
    [`mysql://u:${PASSWORD}@db.lan/jobs`, /current scheme is 'mysql:'/],
  ];
  for (const [url, reason] of bad) {
    try {
      parseQueueUrl(url, "evaluate");
      ok(false, `accepted ${url}`);
    } catch (error) {
      ok(error instanceof UsageError, String(error));
      match(error.message, reason);
      ok(!error.message.includes(PASSWORD), error.message);
      match(error.message, /^Cannot evaluate as /);
    }
  }
  throws(() => queueFlag("", "evaluate", () => undefined), /'--queue' is empty/);
});

function throws(fn: () => unknown, pattern: RegExp): void {
  try {
    fn();
  } catch (error) {
    match((error as Error).message, pattern);
    return;
  }
  ok(false, "did not throw");
}

Deno.test("--queue wins over STOP_QUEUE_URL, which is used without it", () => {
  const env = (name: string) => name === "STOP_QUEUE_URL" ? "postgres://env@db.env/q" : undefined;
  equal(queueFlag(undefined, "x", env)?.redacted, "postgres://env@db.env:5432/q");
  equal(
    queueFlag("postgres://flag@db.flag/q", "x", env)?.redacted,
    "postgres://flag@db.flag:5432/q",
  );
  equal(queueFlag(undefined, "x", () => undefined), undefined);
  equal(queueFlag(undefined, "x", () => ""), undefined, "an empty variable is no queue");
});

Deno.test("the CLI may reach the queue's host:port and read STOP_QUEUE_URL, and the launcher passes it on", async () => {
  const p = cliPermissions({ projectRoot: "/p", runsRoot: "/p/runs", queueHost: "db.lan:5432" });
  deepEqual(p.net, ["127.0.0.1", "localhost", "db.lan:5432"]);
  const both = cliPermissions({
    projectRoot: "/p",
    runsRoot: "/p/runs",
    modelHost: "llm.lan:8000",
    queueHost: "db.lan:5432",
  });
  deepEqual(both.net, ["127.0.0.1", "localhost", "llm.lan:8000", "db.lan:5432"]);
  deepEqual(
    cliPermissions({ projectRoot: "/p", runsRoot: "/p/runs" }).net,
    ["127.0.0.1", "localhost"],
    "no queue: no database host",
  );
  ok(CLI_ENV.includes("STOP_QUEUE_URL"));
  const tasks = JSON.parse(await Deno.readTextFile(new URL("../deno.json", import.meta.url))).tasks;
  const launchers = Object.entries(tasks as Record<string, string>).filter(([, command]) =>
    command.includes("cli/launch.ts")
  );
  ok(launchers.length >= 4, "the stop and experiment tasks");
  for (const [name, command] of launchers) {
    match(command, /--allow-env=[^ ]*STOP_QUEUE_URL/, `deno task ${name}`);
  }
});

const SCORING: [string, (argv: string[]) => Promise<number>, string[]][] = [
  ["evaluate", evaluateCommand, ["lpn", "seed"]],
  ["improve", improveCommand, ["lpn"]],
  ["self-improve", selfImproveCommand, []],
  ["transfer", transferCommand, ["--improver", "improvers/programs/seed_improver.ts"]],
  ["sandbox-audit", sandboxAuditCommand, []],
];

Deno.test("every command that scores programs documents --queue and STOP_QUEUE_URL", async () => {
  for (const [name, command] of SCORING) {
    const { code, lines } = await captured(() => command(["--help"]));
    equal(code, 0, name);
    const help = lines.join("\n");
    match(help, /--queue URL/, name);
    match(help, /STOP_QUEUE_URL/, name);
  }
});

Deno.test("a queue that cannot be reached stops every scoring command before it creates a run directory, without showing the password", async () => {
  for (const [name, command, args] of SCORING) {
    const { dirs } = await inTempRuns(() =>
      rejects(command([...args, "--queue", URL_WITH_PASSWORD]), (error: Error) => {
        match(error.message, /Cannot open the job queue at /, name);
        ok(error.message.includes(REDACTED), `${name}: ${error.message}`);
        ok(!error.message.includes(PASSWORD), `${name}: ${error.message}`);
        return true;
      })
    );
    deepEqual(dirs, [], `${name} created no run directory`);
  }
  // Through the CLI's entry: an error (exit 1), not a usage error.
  equal(await main(["evaluate", "lpn", "seed", "--queue", URL_WITH_PASSWORD]), 1);
  equal(await main(["evaluate", "lpn", "seed", "--queue", "http://x/"]), 2);
});

Deno.test("a resumed self-improvement run takes --queue again (it is not a shaping flag)", async () => {
  const missing = `${await Deno.makeTempDir({ prefix: "stop-queue-resume-" })}/no-run`;
  await rejects(
    selfImproveCommand(["--resume", missing, "--queue", URL_WITH_PASSWORD]),
    (error: Error) => {
      match(error.message, /not a run directory/);
      return true;
    },
  );
});

Deno.test("evaluate and improve through the queue's seam give the local numbers, and no run file holds the password", async () => {
  const local = await inTempRuns(() =>
    captured(() => evaluateCommand(["lpn", "seed", "--split", "test", "--json"]))
  );
  const trip = roundTripEvaluations();
  const queued = await inTempRuns(() =>
    captured(() =>
      evaluateCommand(["lpn", "seed", "--split", "test", "--json", "--queue", URL_WITH_PASSWORD], {
        evaluations: trip.service,
      })
    )
  );
  equal(trip.ran, 1);
  const evaluation = async (dir: string) =>
    JSON.parse(await Deno.readTextFile(`${dir}/evaluation.json`));
  deepEqual(await evaluation(queued.dirs[0]!), await evaluation(local.dirs[0]!));
  const config = JSON.parse(await Deno.readTextFile(`${queued.dirs[0]}/config.json`));
  equal(config.queue, REDACTED);
  ok(!queued.value.lines.join("\n").includes(PASSWORD), "nothing printed holds it");

  const args = ["lpn", "--lm-budget", "1", "--responses", "2", "--utility-budget", "2", "--json"];
  const improvedLocal = await inTempRuns(() => captured(() => improveCommand(args)));
  const improveTrip = roundTripEvaluations();
  const improvedQueued = await inTempRuns(() =>
    captured(() =>
      improveCommand([...args, "--queue", URL_WITH_PASSWORD], { evaluations: improveTrip.service })
    )
  );
  ok(improveTrip.ran >= 2, `the improver's evaluations went through the seam (${improveTrip.ran})`);
  const summary = async (dir: string) => {
    const s = JSON.parse(await Deno.readTextFile(`${dir}/summary.json`));
    return { scores: s.scores, seedScore: s.seedScore, program: s.program, audit: s.audit };
  };
  deepEqual(
    await summary(improvedQueued.dirs[0]!),
    await summary(improvedLocal.dirs[0]!),
  );
  for (const dir of [...queued.dirs, ...improvedQueued.dirs]) {
    const files = await filesUnder(dir);
    ok(files.has(`${dir}/config.json`) && files.size > 2, `${dir} has its files`);
    for (const [path, text] of files) {
      ok(!text.includes(PASSWORD), `${path} holds the queue's password`);
    }
  }
});

Deno.test("stop worker: help, argument errors, and a clear error when the queue cannot be reached", async () => {
  const help = await captured(() => main(["worker", "--help"]));
  equal(help.code, 0);
  match(help.lines.join("\n"), /--queue URL[\s\S]*--sandboxes N/);
  const noEnv = { env: () => undefined };
  await rejects(
    workerCommand([], noEnv),
    /no queue is given: pass --queue URL or set STOP_QUEUE_URL/,
  );
  await rejects(
    workerCommand(["--queue", URL_WITH_PASSWORD, "--sandboxes", "0"], noEnv),
    /'--sandboxes' must be an integer >= 1: current value is '0'/,
  );
  await rejects(
    workerCommand(["extra", "--queue", URL_WITH_PASSWORD], noEnv),
    /unexpected argument 'extra'/,
  );
  await rejects(workerCommand(["--queue", "http://x/"], noEnv), UsageError);
  const { code, lines } = await captured(() =>
    rejects(
      workerCommand(["--sandboxes", "2"], { env: () => URL_WITH_PASSWORD }),
      (error: Error) => {
        match(error.message, /Cannot open the job queue at /);
        ok(!error.message.includes(PASSWORD));
        return true;
      },
    ).then(() => 0)
  );
  equal(code, 0);
  match(lines.join("\n"), new RegExp(`worker: taking evaluations from ${REDACTED} with 2 sandbox`));
  ok(!lines.join("\n").includes(PASSWORD));
  equal(await main(["worker"]), 2, "a usage error through the CLI");
});

Deno.test("stop queue status: help, argument errors, and a clear error when the queue cannot be reached", async () => {
  const help = await captured(() => main(["queue", "--help"]));
  equal(help.code, 0);
  match(help.lines.join("\n"), /queue status --queue URL/);
  const noEnv = { env: () => undefined };
  await rejects(queueCommand([], noEnv), /without a subcommand: use 'queue status'/);
  await rejects(queueCommand(["drain"], noEnv), /'queue drain': the only subcommand is 'status'/);
  await rejects(queueCommand(["status", "now"], noEnv), /unexpected argument 'now'/);
  await rejects(queueCommand(["status"], noEnv), /no queue is given/);
  await rejects(queueCommand(["status", "--queue", URL_WITH_PASSWORD], noEnv), (error: Error) => {
    match(error.message, /Cannot read the queue's status at /);
    ok(!error.message.includes(PASSWORD));
    return true;
  });
});
