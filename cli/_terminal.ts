/**
 * Printing for the command-line entry points (the only code allowed to print).
 *
 * @module
 */
// deno-lint-ignore-file no-console -- this module is the command line's only output channel
import { styleText } from "node:util";

export { UsageError } from "../experiments/usage_error.ts";

type Style = Parameters<typeof styleText>[0];

function colour(): boolean {
  try {
    return Deno.env.get("NO_COLOR") === undefined && Deno.stdout.isTerminal();
  } catch {
    return false;
  }
}

/** Styles text when the terminal takes colour and `NO_COLOR` is unset. */
export function paint(style: Style, text: string): string {
  return colour() ? styleText(style, text) : text;
}

/** Prints a line on standard output. */
export function say(line = ""): void {
  console.log(line);
}

/** Prints a line on standard error (progress, warnings). */
export function note(line: string): void {
  console.error(line);
}

/** Prints the one JSON object a `--json` run ends with. */
export function printJson(value: unknown): void {
  console.log(JSON.stringify(value));
}
