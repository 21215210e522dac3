/**
 * `stop replay <run-dir>`: re-runs a finished self-improvement run from its cache alone, in a
 * new run directory, with the network refused, and checks that every number comes out the
 * same.
 *
 * @module
 */
import { parseArgs } from "node:util";
import { createRunDir } from "../experiments/run_dir.ts";
import { note, paint, printJson, say, UsageError } from "./_terminal.ts";
import { configModelFlags, readSelfImproveRun } from "../experiments/read_self_improve_run.ts";
import { executeSelfImprove } from "./_execute_self_improve.ts";
import type { SelfImproveSummary } from "../experiments/self_improve_run.ts";
import { compareSummaries } from "../experiments/compare_summaries.ts";

/** Usage text of the command. */
export const REPLAY_USAGE = `Usage: deno task stop replay <run-dir> [--json]

Re-runs a finished self-improvement run from its cache alone: a new run directory gets a copy
of the cache, every model call is answered from it (a miss is an error, and nothing is sent
to any network), and the new summary is compared with the original, number by number.
Exits 0 when the run was reproduced exactly, 1 when anything differs (the differences are
listed).

Options:
  --json   end with one JSON object on its own line ({ reproduced, differences, runDir })
  --help   show this help`;

/**
 * Runs the command.
 *
 * @param argv The arguments after `replay`.
 * @returns The exit code: 0 reproduced, 1 different.
 */
export async function replayCommand(argv: string[]): Promise<number> {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: {
      json: { type: "boolean", default: false },
      help: { type: "boolean", default: false },
    },
  });
  if (values.help) {
    say(REPLAY_USAGE);
    return 0;
  }
  if (positionals.length !== 1) {
    throw new UsageError("Cannot replay as exactly one run directory is needed");
  }
  const log = values.json ? note : say;
  const source = await readSelfImproveRun(positionals[0]!, { finished: true });
  const original = JSON.parse(
    await Deno.readTextFile(`${source.dir.path}/summary.json`),
  ) as SelfImproveSummary;
  const dir = await createRunDir("self-improve", {
    ...source.config,
    replayOf: source.dir.path,
  });
  try {
    await Deno.copyFile(`${source.dir.path}/cache.jsonl`, `${dir.path}/cache.jsonl`);
  } catch (error) {
    throw new UsageError(
      `Cannot replay '${source.dir.path}' as its cache is unreadable: ${(error as Error).message}`,
    );
  }
  // The endpoint's learned request shape (and Azure's api-version) goes with the cache.
  await Deno.copyFile(`${source.dir.path}/endpoint.json`, `${dir.path}/endpoint.json`).catch(
    (error) => {
      if (!(error instanceof Deno.errors.NotFound)) throw error;
    },
  );
  log(`replaying ${source.dir.path} from its cache (network refused) into ${dir.path}`);
  const replayed = await executeSelfImprove({
    dir,
    config: source.config,
    flags: configModelFlags(source.config, true),
    log,
    resuming: false,
  });
  const differences = compareSummaries(original, replayed);
  if (differences.length === 0) {
    log(paint("green", "reproduced exactly: every number above equals the original run's"));
  } else {
    log(paint("red", `not reproduced: ${differences.length} difference(s)`));
    for (const line of differences) log(`  ${line}`);
  }
  if (values.json) {
    printJson({ reproduced: differences.length === 0, differences, runDir: dir.path });
  }
  return differences.length === 0 ? 0 : 1;
}
