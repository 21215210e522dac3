/**
 * The job queue: PostgreSQL with graphile-worker underneath, generic over what a job means
 * (payloads and results are JSON). A coordinator submits jobs under content keys and awaits
 * their results (`openJobQueue`); workers on any machine take the jobs for their plugin hash
 * (`runQueueWorker`); `queueStatus` and `formatQueueStatus` say what the queue holds.
 *
 * @module
 */
export {
  type JobQueue,
  type JobQueueOptions,
  type JobRequirements,
  openJobQueue,
  QueueJobDeadError,
} from "./job_queue_client.ts";
export {
  type QueueWorkerOptions,
  type QueueWorkerSummary,
  runQueueWorker,
} from "./queue_worker.ts";
export {
  type DeadJob,
  formatQueueStatus,
  type QueueCounts,
  type QueueStatus,
  queueStatus,
  type WorkerSeen,
} from "./queue_status.ts";
export { redactQueueUrl, scrubQueueSecret } from "./queue_url.ts";
export { QUEUE_ENV_VARS } from "./queue_env.ts";
