/**
 * A run's report: `report.md` (Markdown summary) and `report.html` (a self-contained page with
 * charts drawn by Chart.js, inlined, so it opens with no network). The layout follows the run's
 * command: self-improve (meta-utility per iteration with error bars, cost and calls, lineage
 * with diffs), transfer (grouped bars beside the paper's), sandbox-audit (unsandboxing rates
 * with 95% intervals beside the paper's), or any other (config and summary); every report has
 * the audit summary, and a prominent banner when the offline stand-in answered.
 *
 * @example
 * ```ts
 * import { readRun, renderMarkdown } from "./report.ts";
 * import { ok } from "node:assert/strict";
 * const data = await readRun("tests/testdata/runs/transfer");
 * ok(renderMarkdown(data).includes("| String grid distance |"));
 * ```
 *
 * @module
 */
import { type ChartLibrary, loadChartLibrary } from "./assets.ts";
import { readRun } from "./_data.ts";
import { renderHtml } from "./_html.ts";
import { renderMarkdown } from "./_markdown.ts";

export { readRun, renderHtml, renderMarkdown };
export type { ChartLibrary };
export type {
  AuditSummary,
  Estimate,
  IterationRow,
  LineageRow,
  PaperRate,
  ReportData,
  RunKind,
  SandboxCell,
  Splits,
  TransferRow,
} from "./_data.ts";
export type { DiffHunk, DiffLine, LineDiff } from "./_diff.ts";

/** Where {@linkcode writeReport} wrote. */
export interface ReportPaths {
  /** Absolute path of `report.md`. */
  markdown: string;
  /** Absolute path of `report.html`. */
  html: string;
}

/** Options of {@linkcode writeReport}. */
export interface WriteReportOptions {
  /** Folder to write into (created if missing). @default {the run directory} */
  outDir?: string;
  /** The charting library to inline. @default {the cached one, see `deno task setup`} */
  library?: ChartLibrary;
}

/**
 * Reads a run directory and writes its Markdown and HTML reports.
 *
 * @param runDir The run directory (it must hold `config.json`).
 * @param options Where to write, and the charting library.
 * @returns The paths written.
 * @throws {Error} When the directory is not a run directory, the charting library is not
 * fetched, or the output folder cannot be written.
 */
export async function writeReport(
  runDir: string,
  options: WriteReportOptions = {},
): Promise<ReportPaths> {
  const data = await readRun(runDir);
  const library = options.library ?? await loadChartLibrary();
  const markdown = renderMarkdown(data);
  const html = await renderHtml(data, library);
  const out = options.outDir === undefined ? data.runDir : options.outDir.replace(/\/+$/, "");
  try {
    if (options.outDir !== undefined) await Deno.mkdir(out, { recursive: true });
    const dir = await Deno.realPath(out);
    const paths = { markdown: `${dir}/report.md`, html: `${dir}/report.html` };
    await Deno.writeTextFile(paths.markdown, markdown);
    await Deno.writeTextFile(paths.html, html);
    return paths;
  } catch (error) {
    if (error instanceof Deno.errors.NotCapable || error instanceof Deno.errors.PermissionDenied) {
      throw new Error(
        `Cannot write the report into '${out}' as this process may not write there (the CLI may write only under runs/): current value is '${out}'. Pass --out with a folder under runs/.`,
        { cause: error },
      );
    }
    throw error;
  }
}

/**
 * Writes a run's report at the end of a command and says where it is; a report that cannot
 * be written (e.g. the charting library was never fetched) is reported, not raised, since
 * the run itself is complete.
 *
 * @param runDir The finished run's directory.
 * @param log Prints one line.
 * @returns The paths, or undefined when no report could be written.
 */
export async function reportAtEnd(
  runDir: string,
  log: (line: string) => void,
): Promise<ReportPaths | undefined> {
  try {
    const paths = await writeReport(runDir);
    log(`report ${paths.html} (and report.md)`);
    return paths;
  } catch (error) {
    log(`no report: ${(error as Error).message}`);
    return undefined;
  }
}
