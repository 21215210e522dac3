/**
 * `stop report`: Markdown and self-contained HTML report of a run. (Placeholder until issue 6 lands: says so and exits 2.)
 *
 * @module
 */
import { note } from "./_terminal.ts";

/** Usage text of the command. */
export const REPORT_USAGE = `Usage: deno task stop report [options]

Markdown and self-contained HTML report of a run. Not implemented yet (issue 6).`;

/**
 * Runs the command.
 *
 * @param _argv The arguments after `report`.
 * @returns The exit code.
 */
export function reportCommand(_argv: string[]): Promise<number> {
  note("stop: 'report' is not implemented yet (issue 6)");
  return Promise.resolve(2);
}
