// deno-lint-ignore-file no-console -- an entry point: it reports progress on the terminal
/**
 * Set-up step: fetches the charting library the HTML report inlines (the pinned packages of
 * `report/assets.ts`) into `.cache/report/`, once. Prints one line when it fetches
 * and nothing when the files are there.
 *
 * ```sh
 * deno run --no-prompt --allow-read=. --allow-write=.cache --allow-run=npm,tar setup/fetch_chart_library.ts
 * ```
 *
 * @module
 */
import {
  assertInlineableScript,
  ASSETS_DIR,
  CHART_PACKAGES,
  chartAssetPath,
  type ChartPackage,
} from "../report/assets.ts";
import { exists, packPinned, run } from "./setup_tools.ts";

/**
 * Fetches the pinned packages that are not cached yet: `npm pack`, hash check, then only the
 * browser build is unpacked, its source-map comment dropped, and moved into place atomically.
 *
 * @param options.log Progress output.
 * @returns The paths of the cached files.
 * @throws {Error} When `npm` or `tar` fails or a tarball fails its hash check.
 */
export async function fetchChartLibrary(
  options: { log?: (line: string) => void } = {},
): Promise<string[]> {
  const log = options.log ?? (() => {});
  const paths = CHART_PACKAGES.map(chartAssetPath);
  const todo: ChartPackage[] = [];
  for (const pkg of CHART_PACKAGES) if (!(await exists(chartAssetPath(pkg)))) todo.push(pkg);
  if (todo.length === 0) return paths;
  await Deno.mkdir(ASSETS_DIR, { recursive: true });
  const workDir = await Deno.makeTempDir({ dir: ASSETS_DIR.pathname, prefix: "fetch-" });
  log(
    `fetching the HTML report's charting library from npm: ${
      todo.map((p) => `${p.name}@${p.version}`).join(", ")
    }`,
  );
  try {
    for (const pkg of todo) {
      const spec = `${pkg.name}@${pkg.version}`;
      const tarball = await packPinned(spec, pkg.integrity, workDir);
      await run("tar", ["-xzf", tarball, "-C", workDir, pkg.file]);
      const source = (await Deno.readTextFile(`${workDir}/${pkg.file}`))
        .replace(/\n\/\/# sourceMappingURL=\S+\s*$/, "\n");
      assertInlineableScript(spec, source);
      const staged = `${workDir}/${pkg.name}.js`;
      await Deno.writeTextFile(staged, source);
      await Deno.rename(staged, chartAssetPath(pkg)); // a reader sees the whole file or none
    }
  } finally {
    await Deno.remove(workDir, { recursive: true }).catch(() => {});
  }
  return paths;
}

if (import.meta.main) {
  if (Deno.args.includes("--help")) {
    console.log(
      "Usage: deno run --no-prompt --allow-read=. --allow-write=.cache --allow-run=npm,tar setup/fetch_chart_library.ts\n\nFetches the HTML report's charting library into .cache/report/ unless it is there.",
    );
    Deno.exit(0);
  }
  try {
    await fetchChartLibrary({ log: (s) => console.error(`setup: ${s}`) });
  } catch (error) {
    console.error(`setup: ${(error as Error).message}`);
    Deno.exit(1);
  }
}
