/**
 * The queue's database URL: checking it, and saying it without its password. The password
 * must never be printed or stored: every message that names the queue uses
 * `redactQueueUrl`, and text that may quote the URL (a driver's error) goes through
 * `scrubQueueSecret` first.
 *
 * @module
 */

/** What stands for a removed password. */
export const REDACTED = "***";

/**
 * The URL with its password replaced by `***` (in the user-info part and in a `password=`
 * query parameter); a URL that does not parse is replaced whole, since it may hold a password
 * anywhere.
 *
 * @example
 * ```ts
 * import { redactQueueUrl } from "./queue_url.ts";
 * import { equal } from "node:assert/strict";
 * equal(redactQueueUrl("postgres://stop:s3cret@db.example:5432/stop"), "postgres://stop:***@db.example:5432/stop");
 * equal(redactQueueUrl("postgres://db.example/stop?password=s3cret"), "postgres://db.example/stop?password=***");
 * ```
 *
 * @param url A `postgres://` or `postgresql://` URL.
 * @returns The URL without its password.
 */
export function redactQueueUrl(url: string): string {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return "<a queue URL that does not parse>";
  }
  if (parsed.password !== "") parsed.password = REDACTED;
  if (parsed.searchParams.has("password")) parsed.searchParams.set("password", REDACTED);
  return parsed.toString().replaceAll(encodeURIComponent(REDACTED), REDACTED);
}

/**
 * Removes the URL's password from a text (an error message of the driver, say), wherever it
 * appears, raw or percent-encoded, and the URL itself in favour of its redacted form.
 *
 * @example
 * ```ts
 * import { scrubQueueSecret } from "./queue_url.ts";
 * import { equal } from "node:assert/strict";
 * const url = "postgres://stop:s3cret@db:5432/stop";
 * equal(scrubQueueSecret(`cannot use ${url}: s3cret refused`, url), "cannot use postgres://stop:***@db:5432/stop: *** refused");
 * ```
 *
 * @param text Any text.
 * @param url The queue URL.
 * @returns The text without the password.
 */
export function scrubQueueSecret(text: string, url: string): string {
  let out = text.replaceAll(url, redactQueueUrl(url));
  for (const secret of queueSecrets(url)) out = out.replaceAll(secret, REDACTED);
  return out;
}

function queueSecrets(url: string): string[] {
  const secrets = new Set<string>();
  try {
    const parsed = new URL(url);
    for (const raw of [parsed.password, parsed.searchParams.get("password") ?? ""]) {
      if (raw === "") continue;
      secrets.add(raw);
      try {
        secrets.add(decodeURIComponent(raw));
      } catch {
        // a malformed escape: the raw form is removed already
      }
      secrets.add(encodeURIComponent(raw));
    }
  } catch {
    // nothing parses, so nothing can be picked out: the caller's message keeps no URL anyway
  }
  return [...secrets].filter((s) => s.length > 0).sort((a, b) => b.length - a.length);
}

/**
 * Checks that a string is a PostgreSQL URL the queue can use.
 *
 * @param url The URL.
 * @returns The URL unchanged.
 * @throws {TypeError} When it is not a `postgres://` or `postgresql://` URL with a host.
 */
export function checkQueueUrl(url: string): string {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw new TypeError(
      `Cannot use the queue URL '${
        redactQueueUrl(url)
      }': write it as postgres://user:password@host:port/database`,
    );
  }
  if (!["postgres:", "postgresql:"].includes(parsed.protocol) || parsed.hostname === "") {
    throw new TypeError(
      `Cannot use the queue URL '${
        redactQueueUrl(url)
      }': write it as postgres://user:password@host:port/database`,
    );
  }
  return url;
}
