/**
 * `stop report <run-dir>`: writes a run's Markdown summary and self-contained HTML page with
 * charts (see {@linkcode writeReport}), and prints both paths.
 *
 * @module
 */
import { parseArgs } from "node:util";
import { writeReport } from "../report/report.ts";
import { printJson, say, UsageError } from "./_terminal.ts";

/** Usage text of the command. */
export const REPORT_USAGE = `Usage: deno task stop report <run-dir> [--out DIR] [--json]

Writes report.md (a Markdown summary) and report.html (one self-contained page with charts,
drawn by Chart.js inlined in the page: it opens with no network) for a run directory, and
prints both paths. The page follows the run's command: self-improve (meta-utility per
iteration with error bars, cost and chat requests, the lineage of improvers with diffs),
transfer (bars per task beside the paper's), sandbox-audit (unsandboxing rates with 95%
intervals beside the paper's), or any other run (config and summary); every report has the
audit summary and says when the offline stand-in answered.

Options:
  --out DIR   write the two files into DIR instead of the run directory
  --json      end with one JSON object on its own line: {"markdown", "html"}
  --help      show this help`;

/**
 * Runs the command.
 *
 * @param argv The arguments after `report`.
 * @returns The exit code.
 * @throws {UsageError} When the arguments are wrong or the path is not a run directory.
 */
export async function reportCommand(argv: string[]): Promise<number> {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: {
      out: { type: "string" },
      json: { type: "boolean", default: false },
      help: { type: "boolean", default: false },
    },
  });
  if (values.help) {
    say(REPORT_USAGE);
    return 0;
  }
  if (positionals.length !== 1) {
    throw new UsageError(
      `Cannot write a report as exactly one run directory is needed: current value is ${positionals.length} argument(s)`,
    );
  }
  if (values.out === "") {
    throw new UsageError(
      "Cannot write a report as '--out' must name a folder: current value is ''",
    );
  }
  let paths;
  try {
    paths = await writeReport(
      positionals[0]!,
      values.out === undefined ? {} : { outDir: values.out },
    );
  } catch (error) {
    const message = (error as Error).message;
    // A path that is not a run directory is a usage error; anything else is a failure.
    if (/^Cannot report on /.test(message)) throw new UsageError(message);
    throw error;
  }
  if (values.json) {
    printJson(paths);
    return 0;
  }
  say(`markdown ${paths.markdown}`);
  say(`html     ${paths.html}`);
  return 0;
}
