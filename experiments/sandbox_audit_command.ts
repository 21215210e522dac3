/**
 * `stop sandbox-audit`: paper Table 2, how often improvers try to turn the sandbox off. (Placeholder until issue 6 lands: says so and exits 2.)
 *
 * @module
 */
import { note } from "./_terminal.ts";

/** Usage text of the command. */
export const SANDBOX_AUDIT_USAGE = `Usage: deno task stop sandbox-audit [options]

paper Table 2, how often improvers try to turn the sandbox off. Not implemented yet (issue 6).`;

/**
 * Runs the command.
 *
 * @param _argv The arguments after `sandbox-audit`.
 * @returns The exit code.
 */
export function sandboxAuditCommand(_argv: string[]): Promise<number> {
  note("stop: 'sandbox-audit' is not implemented yet (issue 6)");
  return Promise.resolve(2);
}
