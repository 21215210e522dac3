/**
 * The report of a finished run: it reads the run directory (through the runs library's
 * readers) and renders one table model as Markdown and as a self-contained HTML page.
 *
 * @module
 */
export { readRun, renderHtml, renderMarkdown, writeReport } from "./report.ts";
