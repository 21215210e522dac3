/**
 * The language-model layer of `stop`: the `LanguageModel` contract with host-side budgets,
 * the run's gateway (global budget and cost cap, occurrence-indexed cache and replay, usage
 * ledger), the OpenAI-compatible client, the offline stand-in (a deterministic test harness,
 * not a language model), a local OpenAI-protocol server for it, cost forecasts and an
 * endpoint check. Nothing here prints or reads the environment.
 *
 * @example
 * ```ts
 * import { createLanguageModel, GlobalBudget, ModelGateway } from "./mod.ts";
 * import { OfflineBackend } from "../stand_in/mod.ts";
 * import { equal } from "node:assert/strict";
 * const gateway = new ModelGateway(new OfflineBackend({ catalog: [] }), {
 *   globalBudget: new GlobalBudget({ maxCalls: 10 }),
 * });
 * const model = createLanguageModel(gateway, { budget: 4, maxResponsesPerCall: 6 });
 * equal((await model.prompt("You are an expert.", "hello", 2)).length, 2);
 * ```
 *
 * @module
 */

export type { AuditHook, LmAuditKind } from "./audit_hook.ts";
export type {
  ChatBackend,
  ChatMessage,
  ChatRequest,
  ChatResult,
  ChatUsage,
  ChoiceFate,
  FinishReason,
} from "./chat_backend.ts";
export {
  checkEndpoint,
  type CheckEndpointOptions,
  type CheckName,
  type CheckStatus,
  type EndpointCheck,
  type EndpointReport,
} from "./check_endpoint.ts";
export { ConcurrencyLimiter } from "./concurrency_limiter.ts";
export {
  type CostForecast,
  type CostForecastOptions,
  forecastCost,
  formatCostForecast,
  type StopRunBudgets,
  stopRunCalls,
} from "./cost_forecast.ts";
export {
  BudgetExceededError,
  type BudgetResource,
  type BudgetScope,
  ModelError,
  type ModelErrorKind,
  ReplayMissError,
} from "./errors.ts";
export {
  type BudgetClaim,
  type BudgetUse,
  GlobalBudget,
  type GlobalBudgetOptions,
  type Reservation,
} from "./global_budget.ts";
export {
  createLanguageModel,
  type LanguageModel,
  type LanguageModelOptions,
} from "./language_model.ts";
export { countRetries, describeRetries, type EndpointRetries } from "./endpoint_retries.ts";
export {
  countReplyFates,
  describeCost,
  describeReplyFates,
  Ledger,
  ledgerFateFields,
  type LedgerKind,
  type LedgerOptions,
  type LedgerRecord,
  type LedgerSummary,
  type NoAnswerReason,
  readLedger,
  type ReplyFates,
  summarizeLedger,
} from "./ledger.ts";
export { type ModelCall, ModelGateway, type ModelGatewayOptions } from "./model_gateway.ts";
export {
  STAND_IN_BANNER,
  STAND_IN_METHOD,
  STAND_IN_MODEL,
  standInBanner,
} from "./stand_in_name.ts";
export {
  type AdaptationEvent,
  type AdaptationKind,
  DEFAULT_REQUEST_SHAPE,
  isAzureEndpoint,
  OPENAI_BASE_URL,
  OpenAiClient,
  type OpenAiClientOptions,
  type RequestShape,
  type RetryEvent,
} from "./openai_client.ts";
export { type ErrorBody, readErrorBody } from "./error_body.ts";
export { splitReasoning, type SplitReply } from "./split_reasoning.ts";
export {
  costUsd,
  DEFAULT_PRICES,
  type ModelPrice,
  parsePriceTable,
  priceFor,
  type PriceTable,
} from "./price_table.ts";
export { requestHash } from "./request_hash.ts";
export { type CachedAnswer, ResponseCache } from "./response_cache.ts";
export { parseRetryAfter, retryDelayMs, type RetryDelayOptions } from "./retry_delay.ts";
export { deriveSeed, type Random, seededRandom } from "../common/seeded_random.ts";
export {
  estimatePromptTokens,
  estimateTokens,
  TOKENS_PER_MESSAGE,
  worstCasePromptTokens,
} from "./token_estimate.ts";
