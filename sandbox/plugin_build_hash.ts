/**
 * The sandbox plugin's build hash: the cache key under which `deno task setup` builds it
 * (`plugin/build_config.ts`'s `pluginKey` of the C glue and every build setting). Two
 * machines with the same hash run the same plugin bytes, so a program scored on one scores the
 * same on the other; a job queue uses it to refuse work meant for another plugin.
 *
 * @module
 */
import { pluginKey } from "./plugin/build_config.ts";

let cached: Promise<string> | undefined;

/**
 * The build hash of the plugin this checkout runs (whether or not it is built yet).
 *
 * @example
 * ```ts
 * import { pluginBuildHash } from "./plugin_build_hash.ts";
 * import { match } from "node:assert/strict";
 * match(await pluginBuildHash(), /^[0-9a-f]{20}$/);
 * ```
 *
 * @returns 20 lowercase hex digits (the plugin file is `.cache/plugin/stop-sandbox-<hash>.wasm`).
 */
export function pluginBuildHash(): Promise<string> {
  cached ??= Deno.readTextFile(new URL("./plugin/stop_sandbox.c", import.meta.url)).then(
    pluginKey,
    (error) => {
      cached = undefined; // asked again, it reads again
      throw error;
    },
  );
  return cached;
}
