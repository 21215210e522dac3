/**
 * Runs one program in the sandbox and prints its result as JSON: the subprocess of the test
 * that a sandbox starts without printing anything on stderr (tests/virtual_time_test.ts).
 *
 * @module
 */
import { runProgram } from "../../sandbox/program.ts";

const result = await runProgram("export function main(a: number) { return a * 2; }", "main", [21]);
// deno-lint-ignore no-console -- the subprocess reports to the test through stdout
console.log(JSON.stringify(result));
