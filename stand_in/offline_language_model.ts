/**
 * A ready-made model object over the offline stand-in, for tests and demos.
 *
 * @module
 */

import type { AuditHook } from "../lm/audit_hook.ts";
import { createLanguageModel, type LanguageModel } from "../lm/language_model.ts";
import { ModelGateway } from "../lm/model_gateway.ts";
import type { CatalogEntry } from "./catalog_types.ts";
import { OfflineBackend } from "./offline_backend.ts";

/** Options of an offline model object. */
export interface OfflineLanguageModelOptions {
  /** Seed of the stand-in and of request seeds. @default 0 */
  seed?: number;
  /** Calls allowed. @default 4 */
  budget?: number;
  /** Most replies per call. @default 6 */
  maxResponsesPerCall?: number;
  /** Where refusals are reported. @default none */
  audit?: AuditHook;
  /** The library. @default the stand-in's catalog */
  catalog?: readonly CatalogEntry[];
}

/**
 * Creates a model object answered by the offline stand-in (not a language model), with its
 * own gateway and in-memory ledger.
 *
 * @param options Seed, budget, replies per call, audit hook, library.
 * @returns The model object.
 *
 * @example
 * ```ts
 * import { createOfflineLanguageModel } from "./offline_language_model.ts";
 * import { equal } from "node:assert/strict";
 * const model = createOfflineLanguageModel({ seed: 1, budget: 1, catalog: [] });
 * equal(model.standIn, true);
 * equal((await model.batchPrompt("e", ["a", "b"])).length, 2);
 * ```
 */
export function createOfflineLanguageModel(
  options: OfflineLanguageModelOptions = {},
): LanguageModel {
  const seed = options.seed ?? 0;
  const backend = new OfflineBackend({
    seed,
    ...(options.catalog === undefined ? {} : { catalog: options.catalog }),
  });
  const gateway = new ModelGateway(backend, {
    seed,
    ...(options.audit === undefined ? {} : { audit: options.audit }),
  });
  return createLanguageModel(gateway, {
    ...(options.budget === undefined ? {} : { budget: options.budget }),
    ...(options.maxResponsesPerCall === undefined
      ? {}
      : { maxResponsesPerCall: options.maxResponsesPerCall }),
  });
}
