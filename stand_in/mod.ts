/**
 * The offline stand-in: a deterministic test harness that answers the project's prompts from a
 * library of hand-written programs (not a language model), and a local OpenAI-protocol server
 * that serves it with the behaviours of real servers.
 *
 * @module
 */
export { CATALOG, catalogFor, readCatalogProgram } from "./catalog.ts";
export type { CatalogEntry, CatalogQuality, CatalogTarget } from "./catalog_types.ts";
export {
  OfflineBackend,
  type OfflineBackendOptions,
  qualityWeights,
  sampleEntry,
} from "./offline_backend.ts";
export { type RecognizedRequest, recognizeRequest } from "./recognize_request.ts";
export {
  createOfflineLanguageModel,
  type OfflineLanguageModelOptions,
} from "./offline_language_model.ts";
export {
  SERVER_PROFILES,
  type ServerProfile,
  serverProfile,
  type ServerProfileName,
  type ServerProfileOptions,
} from "./server_profile.ts";
export {
  type OfflineModelServer,
  RETRYABLE_FAULTS,
  serveOfflineModel,
  type ServeOfflineModelOptions,
  type ServerFault,
  type ServerStats,
} from "./serve_offline_model.ts";
