// deno-lint-ignore-file no-console -- an entry point: it reports progress on the terminal
/**
 * `deno task setup`: makes the project ready to run, each step a process of its own with only
 * the permissions it needs, in order: install the Debian toolchain (as root), build the
 * sandbox plugin, fetch the report's charting library, and, with `--browser`, install the
 * browser the report test opens. A step whose result is there already is skipped, so set-up
 * prints one short line per real action and nothing when everything is there.
 *
 * Why processes: Deno resolves a program named in `--allow-run` (`clang-16`, `chromium`) when
 * a process starts, so a process that runs a tool must start after the tool is installed.
 *
 * @module
 */
import { parseArgs } from "node:util";
import { pluginPath, type PluginVariant } from "../sandbox/plugin/build_config.ts";
import { CHART_PACKAGES, chartAssetPath } from "../report/assets.ts";
import { denoCommand, exists } from "./setup_tools.ts";

const ROOT = new URL("../", import.meta.url).pathname.replace(/\/$/, "");

const HELP = `Usage: deno task setup [--force] [--browser] [--database] [--unmetered]

Makes the project ready to run, skipping what is there already: installs the WebAssembly
toolchain (Debian's clang-16, lld-16, wasi-libc, libclang-rt-16-dev-wasm32; as root, else
it prints the command to run), builds the sandbox plugin into .cache/plugin/, and fetches
the HTML report's charting library into .cache/report/. Every 'deno task' that needs them
runs this first.

Options:
  --force     rebuild the plugin even when it is cached
  --browser   also install chromium (the report test opens it; 'deno task test' asks for it)
  --database  also install PostgreSQL 15 (the job-queue tests start throwaway clusters of it;
              'deno task test' asks for it)
  --unmetered also build the plugin with the meter compiled out, which only the
              metering-overhead benchmark uses ('deno task bench' asks for it)
  --help      show this help`;

/** One set-up step: a script and the permissions it runs with. */
interface Step {
  script: string;
  flags: string[];
  args: string[];
}

async function runStep(step: Step): Promise<void> {
  const status = await new Deno.Command(denoCommand(), {
    args: ["run", "--quiet", "--no-prompt", ...step.flags, `${ROOT}/${step.script}`, ...step.args],
    cwd: ROOT,
    stdin: "null",
    stdout: "inherit",
    stderr: "inherit",
  }).output();
  if (!status.success) {
    throw new Error(`Cannot finish set-up as ${step.script} failed (exit ${status.code})`);
  }
}

/**
 * The steps still to do, in order.
 *
 * @param options.force Rebuild the plugin even when cached.
 * @param options.browser Install the browser too.
 * @param options.unmetered Build the unmetered plugin too.
 * @returns The steps (empty when everything is there).
 */
async function pendingSteps(
  options: { force: boolean; browser: boolean; database: boolean; unmetered: boolean },
): Promise<Step[]> {
  const steps: Step[] = [];
  const install = (set: string): Step => ({
    script: "setup/install_packages.ts",
    flags: ["--allow-run=sh,id"],
    args: [set],
  });
  const builds: PluginVariant[] = [];
  if (options.force || !(await exists(await pluginPath()))) builds.push("metered");
  if (options.unmetered && (options.force || !(await exists(await pluginPath("unmetered"))))) {
    builds.push("unmetered");
  }
  if (builds.length > 0) steps.push(install("toolchain"));
  for (const variant of builds) {
    steps.push({
      script: "setup/build_plugin.ts",
      flags: [
        `--allow-read=${ROOT}`,
        `--allow-write=${ROOT}/.cache`,
        "--allow-run=npm,tar,clang-16",
      ],
      args: [
        ...(variant === "unmetered" ? ["--unmetered"] : []),
        ...(options.force ? ["--force"] : []),
      ],
    });
  }
  const charts = await Promise.all(CHART_PACKAGES.map((p) => exists(chartAssetPath(p))));
  if (charts.includes(false)) {
    steps.push({
      script: "setup/fetch_chart_library.ts",
      flags: [`--allow-read=${ROOT}`, `--allow-write=${ROOT}/.cache`, "--allow-run=npm,tar"],
      args: [],
    });
  }
  if (options.browser) steps.push(install("browser"));
  if (options.database) steps.push(install("database"));
  return steps;
}

/**
 * Runs the set-up steps that are still to do, each as a child process.
 *
 * @param options.force Rebuild the plugin even when cached.
 * @param options.browser Install the browser too.
 * @param options.database Install PostgreSQL too.
 * @param options.unmetered Build the unmetered plugin too (for the overhead benchmark).
 * @throws {Error} When a step fails (the step has printed why).
 */
export async function runSetup(
  options: { force?: boolean; browser?: boolean; database?: boolean; unmetered?: boolean } = {},
): Promise<void> {
  const steps = await pendingSteps({
    force: options.force ?? false,
    browser: options.browser ?? false,
    database: options.database ?? false,
    unmetered: options.unmetered ?? false,
  });
  for (const step of steps) await runStep(step);
}

if (import.meta.main) {
  const { values } = parseArgs({
    args: Deno.args,
    options: {
      force: { type: "boolean", default: false },
      browser: { type: "boolean", default: false },
      database: { type: "boolean", default: false },
      unmetered: { type: "boolean", default: false },
      help: { type: "boolean", default: false },
    },
  });
  if (values.help) {
    console.log(HELP);
    Deno.exit(0);
  }
  try {
    await runSetup({
      force: values.force,
      browser: values.browser,
      database: values.database,
      unmetered: values.unmetered,
    });
  } catch (error) {
    console.error(`setup: ${(error as Error).message}`);
    Deno.exit(1);
  }
}
