/**
 * `stop replay <run-dir>`: re-runs a finished self-improvement run from its cache alone, in a
 * new run directory, with the network refused, and checks that every number comes out the
 * same.
 *
 * @module
 */
import { parseArgs } from "node:util";
import { createRunDir } from "./run_dir.ts";
import { note, paint, printJson, say, UsageError } from "./_terminal.ts";
import {
  configModelFlags,
  executeSelfImprove,
  readSelfImproveRun,
} from "./self_improve_command.ts";
import type { SelfImproveSummary } from "./self_improve_run.ts";

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
 * Lists how two summaries of the same run differ in what a replay must reproduce: per
 * iteration acceptance, meta-utility (mean and standard error), strategy and model requests;
 * the lineage; the best improver. Wall time, cost and the audit of the process are not
 * compared (a replay pays nothing).
 *
 * @example
 * ```ts
 * import { compareSummaries } from "./replay_command.ts";
 * import { deepEqual } from "node:assert/strict";
 * deepEqual(compareSummaries({ iterations: [], lineage: [] }, { iterations: [], lineage: [] }), []);
 * ```
 *
 * @param original The finished run's summary.
 * @param replayed The replay's summary.
 * @returns One line per difference; empty when the replay reproduced the run.
 */
export function compareSummaries(
  original: Pick<SelfImproveSummary, "iterations" | "lineage"> & { best?: unknown },
  replayed: Pick<SelfImproveSummary, "iterations" | "lineage"> & { best?: unknown },
): string[] {
  const out: string[] = [];
  const same = (a: unknown, b: unknown) => JSON.stringify(a) === JSON.stringify(b);
  if (original.iterations.length !== replayed.iterations.length) {
    out.push(`iterations: ${original.iterations.length} vs ${replayed.iterations.length}`);
  }
  for (const [i, a] of original.iterations.entries()) {
    const b = replayed.iterations[i];
    if (b === undefined) continue;
    for (const field of ["accepted", "metaUtility", "se", "strategy", "chatRequests"] as const) {
      if (!same(a[field], b[field])) {
        out.push(
          `T=${a.t} ${field}: ${JSON.stringify(a[field])} vs ${JSON.stringify(b[field])}`,
        );
      }
    }
  }
  if (original.lineage.length !== replayed.lineage.length) {
    out.push(`lineage: ${original.lineage.length} vs ${replayed.lineage.length} steps`);
  }
  for (const [i, a] of original.lineage.entries()) {
    const b = replayed.lineage[i];
    if (b === undefined) continue;
    for (const field of ["accepted", "reason", "metaUtility", "candidateMetaUtility"] as const) {
      if (!same(a[field], b[field])) {
        out.push(
          `run ${a.run} T=${a.t} ${field}: ${JSON.stringify(a[field])} vs ${
            JSON.stringify(b[field])
          }`,
        );
      }
    }
  }
  if (!same(original.best, replayed.best)) {
    out.push(`best: ${JSON.stringify(original.best)} vs ${JSON.stringify(replayed.best)}`);
  }
  return out;
}

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
