/**
 * `stop transfer`: paper Table 1, the transfer of an improved improver to five tasks. (Placeholder until issue 6 lands: says so and exits 2.)
 *
 * @module
 */
import { note } from "./_terminal.ts";

/** Usage text of the command. */
export const TRANSFER_USAGE = `Usage: deno task stop transfer [options]

paper Table 1, the transfer of an improved improver to five tasks. Not implemented yet (issue 6).`;

/**
 * Runs the command.
 *
 * @param _argv The arguments after `transfer`.
 * @returns The exit code.
 */
export function transferCommand(_argv: string[]): Promise<number> {
  note("stop: 'transfer' is not implemented yet (issue 6)");
  return Promise.resolve(2);
}
