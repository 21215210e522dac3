/**
 * Number and text formatting shared by the Markdown and HTML reports, including the escaping
 * that keeps run-derived text (improver sources, reasons, audit details) inert.
 *
 * @module
 */

/**
 * A fraction as a percentage.
 *
 * @example
 * ```ts
 * import { pct } from "./_format.ts";
 * import { equal } from "node:assert/strict";
 * equal(pct(0.4567), "45.7%");
 * equal(pct(0.0042, 2), "0.42%");
 * ```
 *
 * @param x The fraction.
 * @param digits Decimals of the percentage.
 * @returns The text, e.g. "45.7%".
 */
export function pct(x: number, digits = 1): string {
  return `${(100 * x).toFixed(digits)}%`;
}

/**
 * A mean ± standard error as percentages.
 *
 * @param mean The mean (a fraction).
 * @param se Its standard error (a fraction).
 * @returns The text, e.g. "45.7% ± 1.2%".
 */
export function pctSe(mean: number, se: number): string {
  return `${pct(mean)} ± ${pct(se)}`;
}

/**
 * A cost in US dollars.
 *
 * @param usd The cost.
 * @returns The text, e.g. "$0.0123".
 */
export function usd(usd: number): string {
  return `$${usd.toFixed(usd !== 0 && Math.abs(usd) < 0.01 ? 4 : 2)}`;
}

/**
 * A duration in words.
 *
 * @example
 * ```ts
 * import { duration } from "./_format.ts";
 * import { equal } from "node:assert/strict";
 * equal(duration(4200), "4.2 s");
 * equal(duration(123_456), "2 min 3 s");
 * equal(duration(3_780_000), "1 h 3 min");
 * ```
 *
 * @param ms Milliseconds.
 * @returns The text.
 */
export function duration(ms: number): string {
  const s = ms / 1000;
  if (s < 60) return `${s.toFixed(1)} s`;
  const m = Math.floor(s / 60);
  if (m < 60) return `${m} min ${Math.round(s - 60 * m)} s`;
  return `${Math.floor(m / 60)} h ${m % 60} min`;
}

/**
 * Escapes text for HTML element content and quoted attribute values.
 *
 * @example
 * ```ts
 * import { escapeHtml } from "./_format.ts";
 * import { equal } from "node:assert/strict";
 * equal(escapeHtml(`</script><b a="1">&'`), "&lt;/script&gt;&lt;b a=&quot;1&quot;&gt;&amp;&#39;");
 * ```
 *
 * @param text Any text.
 * @returns The text with `& < > " '` as character references.
 */
export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => HTML_ESCAPES[c]!);
}

const HTML_ESCAPES: Record<string, string> = {
  "&": "&amp;",
  "<": "&lt;",
  ">": "&gt;",
  '"': "&quot;",
  "'": "&#39;",
};

/**
 * JSON for an HTML `<script type="application/json">` element: `<`, `>`, `&` and the line
 * separators become `\u` escapes, so no content can close the element.
 *
 * @example
 * ```ts
 * import { jsonForScript } from "./_format.ts";
 * import { deepEqual, equal } from "node:assert/strict";
 * const text = jsonForScript({ s: "</script>" });
 * equal(text.includes("<"), false);
 * deepEqual(JSON.parse(text), { s: "</script>" });
 * ```
 *
 * @param value A JSON value.
 * @returns Its JSON text, safe inside the element.
 */
export function jsonForScript(value: unknown): string {
  return JSON.stringify(value).replace(
    /[<>&\u2028\u2029]/g,
    (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, "0")}`,
  );
}

/**
 * Text for one Markdown table cell: one line, with the characters that would end the cell,
 * start markup or raw HTML escaped.
 *
 * @example
 * ```ts
 * import { mdCell } from "./_format.ts";
 * import { equal } from "node:assert/strict";
 * equal(mdCell("a | <b>\nc"), "a \\| &lt;b&gt; c");
 * ```
 *
 * @param text Any text.
 * @returns The cell text.
 */
export function mdCell(text: string): string {
  return text
    .replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;")
    .replace(/[\\`*_[\]|]/g, (c) => `\\${c}`)
    .replace(/\s*[\r\n]+\s*/g, " ");
}

/**
 * A fenced Markdown code block whose fence is longer than any run of backticks inside.
 *
 * @example
 * ```ts
 * import { mdFence } from "./_format.ts";
 * import { equal } from "node:assert/strict";
 * const three = "`".repeat(3), four = "`".repeat(4);
 * equal(mdFence(`a ${three} b`, "ts"), `${four}ts\na ${three} b\n${four}`);
 * ```
 *
 * @param text The code.
 * @param lang The info string (e.g. "diff").
 * @returns The block, without a trailing newline.
 */
export function mdFence(text: string, lang = ""): string {
  const longest = Math.max(0, ...[...text.matchAll(/`+/g)].map((m) => m[0].length));
  const fence = "`".repeat(Math.max(3, longest + 1));
  return `${fence}${lang}\n${text}\n${fence}`;
}

/**
 * A config or summary value shown in one line: strings as they are, others as JSON,
 * cut to `max` characters.
 *
 * @param value Any JSON value.
 * @param max Longest text kept.
 * @returns The text.
 */
export function showValue(value: unknown, max = 160): string {
  const text = typeof value === "string" ? value : JSON.stringify(value) ?? String(value);
  return text.length > max ? `${text.slice(0, max - 1)}…` : text;
}
