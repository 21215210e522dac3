/**
 * Reading the error bodies that OpenAI-compatible servers actually send.
 *
 * @module
 */

/** What an error body says, whatever its shape. */
export interface ErrorBody {
  /** The human message; never empty (falls back to a preview of the body or the status). */
  message: string;
  /** The error's type, when given (`invalid_request_error`, `BadRequestError`, …). */
  type?: string;
  /** The error's code, as text (`unsupported_parameter`, `content_filter`, `400`, …). */
  code?: string;
  /** The parameter the error is about, when given. */
  param?: string;
  /** Azure's inner error code (`ResponsibleAIPolicyViolation`), when given. */
  innerCode?: string;
  /** The categories a content filter flagged, when it says. */
  filtered?: string[];
  /** A provider's upstream detail (OpenRouter's `metadata.raw`, `provider_name`), when given. */
  upstream?: string;
  /** Context window and prompt tokens, when the server states them as fields (llama.cpp). */
  contextTokens?: number;
  /** Prompt tokens, when stated as a field. */
  promptTokens?: number;
}

/**
 * Reads an error body: OpenAI's `{"error":{"message","type","param","code"}}`, llama.cpp's
 * (same envelope, numeric `code`, sometimes `n_ctx`/`n_prompt_tokens`), Azure's with
 * `innererror` and `content_filter_result`, OpenRouter's with `metadata`, vLLM's flat
 * `{"object":"error","message",…}`, `{"error":"text"}`, `{"detail":…}`, and plain text or
 * HTML (a short preview).
 *
 * @param status The HTTP status.
 * @param text The body.
 * @returns What it says.
 *
 * @example
 * ```ts
 * import { readErrorBody } from "./error_body.ts";
 * import { equal } from "node:assert/strict";
 * const flat = '{"object":"error","message":"too long","type":"BadRequestError","param":null,"code":400}';
 * equal(readErrorBody(400, flat).message, "too long");
 * equal(readErrorBody(502, "<html><h1>Bad Gateway</h1></html>").message, "Bad Gateway");
 * ```
 */
export function readErrorBody(status: number, text: string): ErrorBody {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    return { message: preview(text) || `status ${status} with no body` };
  }
  if (!isRecord(parsed)) return { message: preview(text) || `status ${status} with no body` };
  const envelope = parsed.error;
  if (typeof envelope === "string" && envelope !== "") return { message: envelope };
  const source = isRecord(envelope) ? envelope : parsed;
  const message = textOf(source.message) ?? textOf(source.detail) ?? textOf(parsed.detail) ??
    textOf(source.msg) ?? preview(text);
  const body: ErrorBody = { message: message === "" ? `status ${status}` : message };
  const type = textOf(source.type);
  const code = textOf(source.code);
  const param = textOf(source.param);
  if (type !== undefined) body.type = type;
  if (code !== undefined) body.code = code;
  if (param !== undefined) body.param = param;
  const inner = isRecord(source.innererror) ? source.innererror : undefined;
  const innerCode = textOf(inner?.code);
  if (innerCode !== undefined) body.innerCode = innerCode;
  const filter = inner?.content_filter_result ?? source.content_filter_result;
  if (isRecord(filter)) {
    const flagged = Object.entries(filter)
      .filter(([, v]) => isRecord(v) && v.filtered === true)
      .map(([k]) => k);
    if (flagged.length > 0) body.filtered = flagged;
  }
  const metadata = isRecord(source.metadata) ? source.metadata : undefined;
  if (metadata !== undefined) {
    const parts = [textOf(metadata.provider_name), preview(textOf(metadata.raw) ?? "")]
      .filter((p): p is string => p !== undefined && p !== "");
    if (parts.length > 0) body.upstream = parts.join(": ");
  }
  if (typeof source.n_ctx === "number") body.contextTokens = source.n_ctx;
  if (typeof source.n_prompt_tokens === "number") body.promptTokens = source.n_prompt_tokens;
  return body;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

function textOf(value: unknown): string | undefined {
  if (typeof value === "string") return value;
  if (typeof value === "number" && Number.isFinite(value)) return String(value);
  if (Array.isArray(value) || isRecord(value)) return JSON.stringify(value).slice(0, 300);
  return undefined;
}

/** A short one-line preview of a body: tags dropped, spaces collapsed, 200 characters. */
function preview(text: string): string {
  const plain = text.slice(0, 20_000).replace(/<(script|style)[\s\S]*?<\/\1>/gi, " ").replace(
    /<[^>]*>/g,
    " ",
  )
    .replace(/\s+/g, " ").trim();
  return plain.length > 200 ? `${plain.slice(0, 200)}…` : plain;
}
