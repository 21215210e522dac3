/**
 * What the improvers of this labelled set import: the guest helper module and the guest API
 * types, so that the files type-check like the programs a model would write.
 *
 * @module
 */
export { extractCode } from "../../../improvers/programs/helpers.ts";
export type {
  GuestLanguageModel as LanguageModel,
  GuestUtility as Utility,
} from "../../fakes/guest_api.ts";
