/**
 * The report's one table model, and its two renderings: a table is built once from the run
 * data (headers, alignment, cells with code and outcome marks, a title and notes), then
 * written as a GitHub-flavoured Markdown table or as an HTML table. Every cell holds plain
 * text: each renderer escapes it for its format, so no markup travels in the model.
 *
 * @module
 */
import { escapeHtml, mdCell } from "./_format.ts";

/** A piece of a cell's text. */
export interface Span {
  /** Plain text (escaped by the renderer). */
  text: string;
  /**
   * A literal token (a path, a host, a program id): code in both formats. In Markdown only
   * when the text can stand verbatim in a code span inside a table (no backtick, `|`, `<`,
   * `>`, `&` or line break, no space at either end); otherwise it is escaped like any text.
   */
  code?: boolean;
  /** An outcome: coloured in HTML. */
  mark?: "accepted" | "rejected";
  /** Starts a new line in the cell: a line break in HTML, `; ` in Markdown. */
  breakBefore?: boolean;
}

/** A cell: plain text, one span, or spans shown one after another. */
export type TableCell = string | Span | readonly Span[];

/** A column: its header and how its cells line up. */
export interface TableColumn {
  /** The header (plain text; empty for none). */
  header: string;
  /** Numbers: right-aligned, in both formats. @default {false} */
  numeric?: boolean;
}

/** A table of the report, as data. */
export interface ReportTable {
  /** A heading above the table (a level-3 heading in both formats). */
  title?: string;
  /** The columns. */
  columns: readonly TableColumn[];
  /** The rows, one cell per column. */
  rows: readonly (readonly TableCell[])[];
  /** Rows are named by their first cell (the run's facts): no header row in HTML. */
  rowHeaders?: boolean;
  /** Sentences shown under the table, one paragraph each. */
  notes?: readonly string[];
}

function spans(cell: TableCell): readonly Span[] {
  if (typeof cell === "string") return [{ text: cell }];
  return "text" in cell ? [cell as Span] : cell as readonly Span[];
}

/** Text a Markdown code span in a table cell shows as it is (escapes do not apply there). */
const VERBATIM = /^[^`|<>&\s](?:[^`|<>&\r\n]*[^`|<>&\s])?$/;

function markdownCell(cell: TableCell): string {
  return spans(cell).map((s) =>
    `${s.breakBefore ? "; " : ""}${
      s.code && VERBATIM.test(s.text) ? `\`${s.text}\`` : mdCell(s.text)
    }`
  ).join("");
}

/**
 * Writes a table as GitHub-flavoured Markdown: the title as a level-3 heading, a header row
 * (empty with `rowHeaders`), numeric columns right-aligned, every cell escaped by `mdCell`
 * (a code span stands verbatim in backticks when it can), then the notes.
 *
 * @example
 * ```ts
 * import { markdownTable } from "./_table.ts";
 * import { equal } from "node:assert/strict";
 * const table = { columns: [{ header: "kind" }, { header: "count", numeric: true }], rows: [["a|b", "2"]] };
 * equal(markdownTable(table), "| kind | count |\n| --- | ---: |\n| a\\|b | 2 |");
 * ```
 *
 * @param table The table.
 * @returns The Markdown text, paragraphs separated by a blank line, without a final newline.
 */
export function markdownTable(table: ReportTable): string {
  const line = (cells: readonly string[]) => `| ${cells.join(" | ")} |`;
  const head = table.columns.map((c) => table.rowHeaders ? "" : mdCell(c.header));
  const rule = table.columns.map((c) => c.numeric ? "---:" : "---");
  const parts = [
    [line(head), line(rule), ...table.rows.map((r) => line(r.map(markdownCell)))].join("\n"),
    ...(table.notes ?? []).map(mdCell),
  ];
  if (table.title !== undefined) parts.unshift(`### ${mdCell(table.title)}`);
  return parts.join("\n\n");
}

function htmlCell(cell: TableCell): string {
  return spans(cell).map((s) => {
    let text = escapeHtml(s.text);
    if (s.code) text = `<code>${text}</code>`;
    if (s.mark !== undefined) text = `<span class="${s.mark}">${text}</span>`;
    return `${s.breakBefore ? "<br>" : ""}${text}`;
  }).join("");
}

/**
 * Writes a table as HTML: the title as an `<h3>`, a header row (or, with `rowHeaders`, each
 * row's first cell as its header and the class `facts`), numeric cells with the class `num`
 * (right-aligned by the page's style), every text escaped, then the notes as paragraphs.
 *
 * @example
 * ```ts
 * import { htmlTable } from "./_table.ts";
 * import { equal } from "node:assert/strict";
 * const table = { columns: [{ header: "kind" }, { header: "count", numeric: true }], rows: [["<b>", "2"]] };
 * equal(
 *   htmlTable(table),
 *   '<table><thead><tr><th>kind</th><th>count</th></tr></thead><tbody>\n' +
 *     '<tr><td>&lt;b&gt;</td><td class="num">2</td></tr>\n</tbody></table>',
 * );
 * ```
 *
 * @param table The table.
 * @returns The HTML, elements separated by a newline.
 */
export function htmlTable(table: ReportTable): string {
  const cell = (c: TableCell, i: number) =>
    table.rowHeaders && i === 0
      ? `<th scope="row">${htmlCell(c)}</th>`
      : `<td${table.columns[i]?.numeric ? ' class="num"' : ""}>${htmlCell(c)}</td>`;
  const body = table.rows.map((r) => `<tr>${r.map(cell).join("")}</tr>`).join("\n");
  const head = table.rowHeaders
    ? ""
    : `<thead><tr>${
      table.columns.map((c) => `<th>${escapeHtml(c.header)}</th>`).join("")
    }</tr></thead>`;
  const parts = [
    `<table${table.rowHeaders ? ' class="facts"' : ""}>${head}<tbody>\n${body}\n</tbody></table>`,
    ...(table.notes ?? []).map((note) => `<p>${escapeHtml(note)}</p>`),
  ];
  if (table.title !== undefined) parts.unshift(`<h3>${escapeHtml(table.title)}</h3>`);
  return parts.join("\n");
}
