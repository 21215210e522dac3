/**
 * What travels in a queued job around the caller's payload: the job's requirements (the
 * plugin hash a worker must have). Checks of the key and the hash, and the worker's reading
 * of an envelope that may have been written by anyone with access to the database.
 *
 * @module
 */

/** The longest job key accepted (keys are content hashes, far shorter). */
export const MAX_KEY_LENGTH = 512;

const HASH_PATTERN = /^[A-Za-z0-9._:-]{1,128}$/;

/**
 * Checks a job key.
 *
 * @param key The key.
 * @throws {TypeError} When it is not a string of 1 to 512 characters.
 */
export function checkQueueKey(key: unknown): asserts key is string {
  if (typeof key !== "string" || key.length === 0 || key.length > MAX_KEY_LENGTH) {
    throw new TypeError(
      `Cannot use the job key ${
        JSON.stringify(typeof key === "string" ? key.slice(0, 80) : String(key))
      }: use a string of 1 to ${MAX_KEY_LENGTH} characters`,
    );
  }
}

/**
 * Checks a plugin hash.
 *
 * @example
 * ```ts
 * import { checkPluginHash } from "./job_envelope.ts";
 * import { throws } from "node:assert/strict";
 * checkPluginHash("sha256:0f3a");
 * throws(() => checkPluginHash("a b"), /Cannot use the plugin hash "a b"/);
 * ```
 *
 * @param hash The hash.
 * @throws {TypeError} When it is not 1 to 128 letters, digits, `.`, `_`, `:` or `-`.
 */
export function checkPluginHash(hash: unknown): asserts hash is string {
  if (typeof hash !== "string" || !HASH_PATTERN.test(hash)) {
    throw new TypeError(
      `Cannot use the plugin hash ${
        JSON.stringify(typeof hash === "string" ? hash.slice(0, 80) : String(hash))
      }: use 1 to 128 letters, digits, '.', '_', ':' or '-'`,
    );
  }
}

/** A job as the worker reads it. */
export interface JobEnvelope {
  /** The plugin hash the job needs. */
  pluginHash: string;
  /** The caller's payload. */
  payload: unknown;
}

/**
 * Reads a job's envelope as stored by the engine.
 *
 * @example
 * ```ts
 * import { readEnvelope } from "./job_envelope.ts";
 * import { deepEqual, equal } from "node:assert/strict";
 * deepEqual(readEnvelope({ requires: { pluginHash: "h1" }, payload: [1] }), { pluginHash: "h1", payload: [1] });
 * equal(readEnvelope([1, 2]), "the job is not an object with 'requires' and 'payload'");
 * ```
 *
 * @param raw What the engine stored.
 * @returns The envelope, or why it is unreadable.
 */
export function readEnvelope(raw: unknown): JobEnvelope | string {
  if (typeof raw !== "object" || raw === null || Array.isArray(raw) || !("payload" in raw)) {
    return "the job is not an object with 'requires' and 'payload'";
  }
  const requires = (raw as { requires?: unknown }).requires;
  const hash = typeof requires === "object" && requires !== null
    ? (requires as { pluginHash?: unknown }).pluginHash
    : undefined;
  if (typeof hash !== "string" || !HASH_PATTERN.test(hash)) {
    return "the job's 'requires.pluginHash' is missing or malformed";
  }
  return { pluginHash: hash, payload: (raw as { payload: unknown }).payload };
}
