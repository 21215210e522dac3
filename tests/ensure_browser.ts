// deno-lint-ignore-file no-console -- an entry point: it reports progress on the terminal
/**
 * Set-up step of `deno task test`: the report's browser test opens HTML in Debian's
 * `chromium`; install it when it is missing and this runs as root, otherwise say how.
 *
 * @module
 */
import { commandExists, ensureDebianPackages } from "../sandbox/plugin/setup_tools.ts";

try {
  await ensureDebianPackages({
    packages: ["chromium"],
    purpose: "the headless browser the report test opens (chromium)",
    ready: () => commandExists("chromium"),
    log: (line) => console.error(`setup: ${line}`),
  });
} catch (error) {
  console.error(`setup: ${(error as Error).message}`);
  Deno.exit(1);
}
