/**
 * The charting library the HTML report inlines: Chart.js with the error-bar plugin, pinned by
 * version and registry hash. `deno task setup` (`setup/fetch_chart_library.ts`) fetches the two
 * npm tarballs once (`npm pack`), checks each one's `dist.integrity` before unpacking, and keeps
 * only the browser builds under `.cache/report/`; the report reads them from there, so it
 * needs no network and no more permissions than reading the project. Nothing of the libraries
 * is committed.
 *
 * @module
 */
/** One pinned npm package and the browser build taken from its tarball. */
export interface ChartPackage {
  /** npm package name. */
  name: string;
  /** Exact version. */
  version: string;
  /** The registry's `dist.integrity` of the tarball, checked before anything is unpacked. */
  integrity: string;
  /** Path of the browser (UMD) build inside the tarball. */
  file: string;
  /** SPDX licence, shown in the page's footer. */
  license: string;
}

/** Chart.js and the error-bar plugin by its maintainer's project (sgratzl), in load order. */
export const CHART_PACKAGES: readonly ChartPackage[] = [
  {
    name: "chart.js",
    version: "4.6.1",
    integrity:
      "sha512-hJyniucsFmq//EvXYvJ6c6mahPoI3kaxdjVH8awTaJ/fDNWeSqqqArixMJWkWNN6fcYvPU3HneSANFNYtRi61g==",
    file: "package/dist/chart.umd.min.js",
    license: "MIT",
  },
  {
    name: "chartjs-chart-error-bars",
    version: "4.4.5",
    integrity:
      "sha512-JXdPy0AsgllDgjGUG/Kyz4oIFPPqbaa4zgAN+JqhDq0MaYYSCq17467BYDwdJEeOjmPRhtldf/7DF3p8873eTg==",
    file: "package/build/index.umd.min.js",
    license: "MIT",
  },
];

/** The browser code of the charting library, ready to inline. */
export interface ChartLibrary {
  /** The packages, in load order, with their code. */
  scripts: { name: string; version: string; license: string; source: string }[];
}

const PROJECT_ROOT = new URL("../", import.meta.url);
/** Where the browser builds are cached. */
export const ASSETS_DIR: URL = new URL(".cache/report/", PROJECT_ROOT);

/**
 * Where the cached browser build of a package lives.
 *
 * @param pkg The package.
 * @returns An absolute path under `.cache/report/`.
 */
export function chartAssetPath(pkg: ChartPackage): string {
  return new URL(`${pkg.name}@${pkg.version}.js`, ASSETS_DIR).pathname;
}

/**
 * Checks that a script can sit inside an HTML `<script>` element unchanged: no `</script`,
 * `<script` or `<!--`, which would end the element early or switch the parser's state.
 *
 * @example
 * ```ts
 * import { assertInlineableScript } from "./assets.ts";
 * import { throws } from "node:assert/strict";
 * assertInlineableScript("x", "let a = 1 < 2;");
 * throws(() => assertInlineableScript("x", "'</script>'"), /Cannot inline/);
 * ```
 *
 * @param name What the script is, for the message.
 * @param source The script.
 * @throws {Error} When the script holds one of those sequences.
 */
export function assertInlineableScript(name: string, source: string): void {
  const found = /<\/script|<script|<!--/i.exec(source);
  if (found !== null) {
    throw new Error(
      `Cannot inline ${name} into the HTML report as it contains '${
        found[0]
      }' at offset ${found.index}`,
    );
  }
}

/**
 * Reads the cached charting library (fetched by `deno task setup`).
 *
 * @returns The scripts to inline, in load order.
 * @throws {Error} When a file is missing (with the command that fetches it) or cannot be
 * inlined.
 */
export async function loadChartLibrary(): Promise<ChartLibrary> {
  const scripts: ChartLibrary["scripts"] = [];
  for (const pkg of CHART_PACKAGES) {
    const path = chartAssetPath(pkg);
    let source: string;
    try {
      source = await Deno.readTextFile(path);
    } catch (error) {
      if (error instanceof Deno.errors.NotFound) {
        throw new Error(
          `Cannot write the HTML report as the charting library ${pkg.name}@${pkg.version} is not fetched yet: current value is a missing '${path}'. Run 'deno task setup' once.`,
        );
      }
      throw error;
    }
    assertInlineableScript(`${pkg.name}@${pkg.version}`, source);
    scripts.push({ name: pkg.name, version: pkg.version, license: pkg.license, source });
  }
  return { scripts };
}
