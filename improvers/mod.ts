/**
 * Improvers: the guest API an improver program sees (host-backed `utility` and
 * `languageModel`), running an improver once, and STOP's self-improvement loop.
 *
 * @module
 */
export { type GuestApi, type HostUtility, improverArgs, improverGuestApi } from "./guest_api.ts";
export {
  guestHelpersSource,
  type ImproverResult,
  runImprover,
  type RunImproverOptions,
} from "./run_improver.ts";
export {
  type IterationRecord,
  selfImprove,
  type SelfImproveEvent,
  type SelfImproveOptions,
} from "./self_improve.ts";
export {
  analyzeStrategy,
  classifyStrategy,
  STRATEGY_LABELS,
  type StrategyAnalysis,
  type StrategyLabel,
  type StrategyProportions,
  strategyProportions,
} from "../analysis/strategy.ts";
export { confirmStrategy } from "../analysis/confirm_strategy.ts";
export { detectUnsandboxing } from "../analysis/unsandboxing.ts";
