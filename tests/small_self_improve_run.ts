/**
 * A small self-improvement run for end-to-end tests: the budgets, and a run directory with
 * its `config.json`, as `stop self-improve` would create it.
 *
 * @module
 */
import {
  DEFAULT_SELF_IMPROVE_CONFIG,
  type SelfImproveConfig,
} from "../experiments/self_improve_run.ts";
import type { RunDir } from "../experiments/run_dir.ts";
import type { ModelFlags } from "../cli/model_flags.ts";

/** Small budgets: 1 iteration, 2 improver runs per meta-utility evaluation. */
export const SMALL: SelfImproveConfig = {
  ...DEFAULT_SELF_IMPROVE_CONFIG,
  iterations: 1,
  runs: 1,
  responses: 2,
  lmBudget: 2,
  utilityBudget: 3,
  metaBudget: 3,
  metaTests: 2,
  sandboxes: 2,
};

/**
 * Creates `root/name` with the `config.json` of a self-improve run.
 *
 * @param root The folder the run directory goes in.
 * @param name The run directory's name (also its id).
 * @param config The run's configuration.
 * @returns The run directory.
 */
export async function newRunDir(
  root: string,
  name: string,
  config: SelfImproveConfig,
): Promise<RunDir> {
  const path = `${root}/${name}`;
  await Deno.mkdir(path);
  await Deno.writeTextFile(
    `${path}/config.json`,
    JSON.stringify({ command: "self-improve", ...config }, null, 2),
  );
  return { id: name, path };
}

/**
 * The model flags of a run with the default model (the offline stand-in, unless a backend
 * is passed beside them).
 *
 * @param seed The run's seed.
 * @returns The flags.
 */
export function defaultModelFlags(seed: number): ModelFlags {
  return {
    model: undefined,
    baseUrl: undefined,
    replay: false,
    maxCostUsd: undefined,
    maxRequests: 8,
    seed,
  };
}
