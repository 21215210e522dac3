/**
 * What a command says when the host stopped it (a fatal endpoint error, a sandbox that could
 * not start): which machinery failed, that no program was blamed, and what to do next.
 *
 * @module
 */
import { HostFailureError, hostFailureOf } from "../utilities/host_failure.ts";

/**
 * Rewrites a host failure as the message a command stops with.
 *
 * @param failure The host failure that stopped the command.
 * @param next What the user can do once the cause is fixed (e.g. the resume command).
 * @returns An error whose message names the failure, says that nothing was charged to a
 * program, and ends with `next`; its `cause` is `failure`.
 */
export function stoppedRunError(failure: HostFailureError, next: string): HostFailureError {
  const fix = failure.source === "endpoint"
    ? "fix the model endpoint"
    : "fix the sandbox ('deno task setup' rebuilds it)";
  return new HostFailureError(
    `stopped: ${failure.message}\n` +
      "This is the host's failure, not a program's: nothing was scored or rejected because " +
      `of it. Once you ${fix}, ${next}`,
    { source: failure.source, cause: failure },
  );
}

/**
 * Awaits a command's work; a host failure it throws becomes the command's stop message
 * (see {@linkcode stoppedRunError}), anything else is thrown as is.
 *
 * @param work The command's work.
 * @param next What the user can do once the cause is fixed.
 * @returns What the work returns.
 */
export async function stopOnHostFailure<T>(work: Promise<T>, next: string): Promise<T> {
  try {
    return await work;
  } catch (error) {
    const failure = hostFailureOf(error);
    throw failure === undefined ? error : stoppedRunError(failure, next);
  }
}
