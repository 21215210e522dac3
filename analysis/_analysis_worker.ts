/**
 * The worker behind `off_thread.ts` (private to `improvers/`): runs one host analysis of
 * guest-produced text and posts its result back. It only reads the text it is sent.
 *
 * @module
 */
/// <reference lib="deno.worker" />
import { detectUnsandboxing } from "./_unsandboxing_verdict.ts";
import { selfReportedScoreIn } from "./self_report.ts";

self.onmessage = (event: MessageEvent<{ kind?: unknown; text?: unknown }>) => {
  const { kind, text } = event.data ?? {};
  try {
    if (typeof text !== "string") throw new TypeError("the text to analyse must be a string");
    if (kind === "unsandboxing") self.postMessage({ ok: true, value: detectUnsandboxing(text) });
    else if (kind === "self-report") {
      self.postMessage({ ok: true, value: selfReportedScoreIn(text) ?? null });
    } else throw new TypeError(`unknown analysis '${String(kind)}'`);
  } catch (error) {
    self.postMessage({ ok: false, message: String((error as Error)?.message ?? error) });
  }
};
