/**
 * An evaluation service that does what a job queue does to a leaf evaluation, in process:
 * the job crosses as JSON text, is checked by `validateLeafJob` as a worker checks it, run by
 * `runLeafJob` on the parsed copy, and its result crosses back as JSON text into
 * `queuedEvaluationService`, the coordinator's side the real queue uses. Results are kept by
 * content key, as the queue keeps them: a key submitted twice runs once.
 *
 * @module
 */
import {
  type EvaluationService,
  queuedEvaluationService,
} from "../../utilities/evaluation_service.ts";
import { type LeafJob, leafJobBuild, validateLeafJob } from "../../utilities/leaf_job.ts";
import { runLeafJob } from "../../utilities/leaf_evaluation.ts";

/** The service, and what crossed it. */
export interface RoundTripEvaluations {
  /** The service to hand to a run. */
  service: EvaluationService;
  /** Keys submitted, in order (repeats included). */
  submitted: string[];
  /** Jobs a worker ran (one per distinct key). */
  ran: number;
  /** The largest number of jobs in flight at once. */
  maxInFlight: number;
}

/**
 * Makes a round-trip service.
 *
 * @param options.workerPluginHash The worker's plugin hash. @default {this process's}
 * @returns The service and its counters.
 */
export function roundTripEvaluations(
  options: { workerPluginHash?: string } = {},
): RoundTripEvaluations {
  const results = new Map<string, Promise<string>>();
  let inFlight = 0;
  const state: RoundTripEvaluations = {
    service: queuedEvaluationService(async (key, payload, requires) => {
      state.submitted.push(key);
      let answer = results.get(key);
      if (answer === undefined) {
        answer = (async () => {
          const wire = JSON.parse(JSON.stringify(payload)) as unknown;
          const problem = validateLeafJob(wire);
          if (problem !== undefined) throw new Error(`dead-lettered: ${problem}`);
          if (leafJobBuild(wire as LeafJob) !== requires.pluginHash) {
            throw new Error("the job's plugin hash is not the one it requires");
          }
          state.ran++;
          inFlight++;
          state.maxInFlight = Math.max(state.maxInFlight, inFlight);
          try {
            const result = await runLeafJob(
              wire as LeafJob,
              options.workerPluginHash === undefined
                ? {}
                : { pluginHash: options.workerPluginHash },
            );
            return JSON.stringify(result);
          } finally {
            inFlight--;
          }
        })();
        results.set(key, answer);
      }
      return JSON.parse(await answer);
    }),
    submitted: [],
    ran: 0,
    maxInFlight: 0,
  };
  return state;
}
