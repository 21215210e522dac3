/**
 * The offline stand-in's whole library: task programs and improver programs.
 *
 * @module
 */

import { IMPROVER_CATALOG } from "./catalog_improvers.ts";
import { TASK_CATALOG } from "./catalog_tasks.ts";
import type { CatalogEntry, CatalogTarget } from "./catalog_types.ts";

/**
 * Every program of the library, tasks first.
 *
 * @example
 * ```ts
 * import { CATALOG } from "./catalog.ts";
 * import { equal } from "node:assert/strict";
 * equal(new Set(CATALOG.map((e) => e.id)).size, CATALOG.length);
 * ```
 */
export const CATALOG: readonly CatalogEntry[] = [...TASK_CATALOG, ...IMPROVER_CATALOG];

/**
 * The library's programs for one target.
 *
 * @param target A task id or `improver`.
 * @param catalog The library.
 * @returns The entries for that target, in library order.
 *
 * @example
 * ```ts
 * import { catalogFor } from "./catalog.ts";
 * import { ok } from "node:assert/strict";
 * ok(catalogFor("improver").every((entry) => entry.target === "improver"));
 * ```
 */
export function catalogFor(
  target: CatalogTarget,
  catalog: readonly CatalogEntry[] = CATALOG,
): CatalogEntry[] {
  return catalog.filter((entry) => entry.target === target);
}

const sources = new Map<string, Promise<string>>();

/**
 * Reads a library program's source (from `stand_in/programs/`, once per file).
 *
 * @param entry The entry.
 * @returns The TypeScript source.
 *
 * @example
 * ```ts
 * import { CATALOG, readCatalogProgram } from "./catalog.ts";
 * import { ok } from "node:assert/strict";
 * const first = CATALOG[0];
 * if (first !== undefined) ok((await readCatalogProgram(first)).length > 0);
 * ```
 */
export function readCatalogProgram(entry: CatalogEntry): Promise<string> {
  let source = sources.get(entry.file);
  if (source === undefined) {
    source = Deno.readTextFile(new URL("./programs/" + entry.file, import.meta.url));
    source.catch(() => sources.delete(entry.file));
    sources.set(entry.file, source);
  }
  return source;
}
