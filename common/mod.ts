/**
 * Ideas every folder shares, written once: durable JSONL files with one torn-line policy
 * (`jsonl_file.ts`), the seeded generator (`seeded_random.ts`) and an order-free sum
 * (`order_free_sum.ts`). This folder imports nothing of the project, so any folder may import
 * it.
 *
 * @module
 */
export {
  type CorruptLine,
  type JsonlContents,
  JsonlFile,
  type JsonlLines,
  parseJsonl,
  readJsonl,
  type ReadJsonlOptions,
  splitJsonl,
} from "./jsonl_file.ts";
export { orderFreeSum } from "./order_free_sum.ts";
export { deriveSeed, type Random, SeededRandom, seededRandom } from "./seeded_random.ts";
