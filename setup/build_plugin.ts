// deno-lint-ignore-file no-console -- an entry point: it reports progress on the terminal
/**
 * Builds the sandbox plugin (QuickJS + the project's C glue, for wasm32-wasi) from the pinned,
 * hash-checked `qjsc` npm tarball, and caches it under `.cache/plugin/` by a hash of
 * everything that decides its bytes. Does nothing when the cached plugin exists.
 *
 * Run by `setup/setup.ts` (every task that needs the plugin runs it first) as a process of its
 * own, started after `setup/install_packages.ts toolchain` installed `clang-16`: Deno resolves
 * `--allow-run=clang-16` when the process starts.
 *
 * ```sh
 * deno run --no-prompt --allow-read=. --allow-write=.cache --allow-run=npm,tar,clang-16 setup/build_plugin.ts
 * ```
 *
 * @module
 */
import { parseArgs } from "node:util";
import {
  CACHE_DIR,
  CLANG,
  LDFLAGS,
  pluginCflags,
  pluginPatches,
  pluginPath,
  type PluginVariant,
  PROJECT_ROOT,
  QUICKJS_FILES,
  QUICKJS_HEADERS,
  QUICKJS_PACKAGE,
} from "../sandbox/plugin/build_config.ts";
import { packPinned, run } from "./setup_tools.ts";

const HELP = `Usage: deno task setup [--force]

Builds the WebAssembly sandbox plugin if it is not already cached (with clang-16 from
Debian's packages; 'deno task setup' installs them first).

Options:
  --force       rebuild even when the cached plugin exists
  --unmetered   build the unmetered variant instead: the same sources with the meter compiled
                out, for the metering-overhead benchmark only ('deno task bench')
  --help        show this help`;

async function fetchSources(workDir: string): Promise<string> {
  const spec = `${QUICKJS_PACKAGE.name}@${QUICKJS_PACKAGE.version}`;
  const tarball = await packPinned(spec, QUICKJS_PACKAGE.integrity, workDir);
  const members = [...QUICKJS_FILES, ...QUICKJS_HEADERS].map((f) =>
    `${QUICKJS_PACKAGE.folder}/${f}`
  );
  await run("tar", ["-xzf", tarball, "-C", workDir, ...members]);
  return `${workDir}/${QUICKJS_PACKAGE.folder}`;
}

async function applyPatches(srcDir: string, variant: PluginVariant): Promise<void> {
  for (const patch of pluginPatches(variant)) {
    const path = `${srcDir}/${patch.file}`;
    const text = await Deno.readTextFile(path);
    const found = text.split(patch.find).length - 1;
    if (found !== patch.count) {
      throw new Error(
        `Cannot patch ${patch.file} (${patch.why}): expected ${patch.count} match(es) of ${
          JSON.stringify(patch.find)
        }, found ${found}`,
      );
    }
    await Deno.writeTextFile(path, text.split(patch.find).join(patch.replace));
  }
}

/**
 * Builds the plugin unless it is cached.
 *
 * @param options.force Rebuild even when cached.
 * @param options.variant The build. @default {"metered"}
 * @param options.log Progress output.
 * @returns The path of the built plugin.
 */
export async function buildPlugin(
  options: { force?: boolean; variant?: PluginVariant; log?: (line: string) => void } = {},
): Promise<string> {
  const log = options.log ?? (() => {});
  const variant = options.variant ?? "metered";
  const cflags = pluginCflags(variant);
  const target = await pluginPath(variant);
  if (!options.force) {
    try {
      await Deno.stat(target);
      return target;
    } catch {
      // not built yet
    }
  }
  const cacheDir = new URL(`${CACHE_DIR}/`, PROJECT_ROOT).pathname;
  await Deno.mkdir(cacheDir, { recursive: true });
  const workDir = await Deno.makeTempDir({ dir: cacheDir, prefix: "build-" });
  try {
    log(
      `building the ${
        variant === "metered" ? "" : `${variant} `
      }sandbox plugin: QuickJS from npm ${QUICKJS_PACKAGE.name}@${QUICKJS_PACKAGE.version}, compiled with ${CLANG} (about 15 s)`,
    );
    const srcDir = await fetchSources(workDir);
    await applyPatches(srcDir, variant);
    await Deno.copyFile(
      new URL("sandbox/plugin/stop_sandbox.c", PROJECT_ROOT),
      `${srcDir}/stop_sandbox.c`,
    );
    const sources = ["stop_sandbox.c", ...QUICKJS_FILES];
    const objects = sources.map((f) => f.replace(/\.c$/, ".o"));
    await Promise.all(
      sources.map((f, i) => run(CLANG, [...cflags, "-c", f, "-o", objects[i]!], { cwd: srcDir })),
    );
    // Linked apart from compiling and without an -O flag: with -O, clang runs any `wasm-opt`
    // it finds on PATH with that binaryen's default features, which can fail or differ.
    const out = `${workDir}/plugin.wasm`;
    await run(CLANG, [...LDFLAGS, "-o", out, ...objects], { cwd: srcDir });
    await Deno.rename(out, target); // atomic: a reader sees the whole file or none
    return target;
  } finally {
    await Deno.remove(workDir, { recursive: true }).catch(() => {});
  }
}

if (import.meta.main) {
  const { values } = parseArgs({
    args: Deno.args,
    options: {
      force: { type: "boolean", default: false },
      unmetered: { type: "boolean", default: false },
      help: { type: "boolean", default: false },
    },
  });
  if (values.help) {
    console.log(HELP);
    Deno.exit(0);
  }
  try {
    await buildPlugin({
      force: values.force,
      variant: values.unmetered ? "unmetered" : "metered",
      log: (s) => console.error(`setup: ${s}`),
    });
  } catch (error) {
    console.error(`setup: ${(error as Error).message}`);
    Deno.exit(1);
  }
}
