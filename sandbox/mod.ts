/**
 * The sandbox: TypeScript programs compiled to JavaScript and run in QuickJS inside an Extism
 * WebAssembly plugin, one fresh instance per program, with time, memory, stack, output and log
 * limits enforced by the runtime, and an audit log of everything a program tried.
 *
 * @module
 */
export {
  AUDIT_KINDS,
  type AuditEvent,
  type AuditKind,
  AuditLog,
  type AuditSink,
  sanitizeDetail,
} from "./audit_log.ts";
export {
  type CallFailure,
  type CallResult,
  type CallStats,
  type CallSuccess,
  type Failure,
  FAILURE_KINDS,
  type FailureKind,
  type Work,
} from "./call_result.ts";
export { PluginUnavailableError, ProgramClosedError } from "./errors.ts";
export { InstancePool, type InstancePoolOptions } from "./instance_pool.ts";
export { DEFAULT_LIMITS, resolveLimits, type SandboxLimits } from "./limits.ts";
export {
  type CallOptions,
  type HostFunction,
  type LoadOptions,
  loadProgram,
  Program,
  runProgram,
} from "./program.ts";
export { transpile, type TranspileResult } from "./transpile.ts";
export { pluginBuildHash } from "./plugin_build_hash.ts";
