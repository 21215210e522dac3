/**
 * The guest API's types as the tests see them: what an improver program receives from the
 * host (see DESIGN.md, "What generated code sees").
 *
 * @module
 */

/** Options a guest may pass to a utility call. */
export interface GuestUtilityOptions {
  /** Asks for the sandbox to be used (or, with `false`, not used). */
  useSandbox?: boolean;
}

/** The scoring function a guest improver receives. */
export interface GuestUtility {
  (solution: string, options?: GuestUtilityOptions): number;
  /** Calls allowed in this run. */
  readonly budget: number;
  /** Calls made so far. */
  readonly uses: number;
  /** The visible description of the scoring. */
  readonly str: string;
}

/** The language model a guest improver receives. */
export interface GuestLanguageModel {
  /** Calls allowed in this run. */
  readonly budget: number;
  /** Most replies one call may ask for. */
  readonly maxResponsesPerCall: number;
  /** Asks one message `nResponses` times. */
  prompt(expertise: string, message: string, nResponses?: number, temperature?: number): string[];
  /** Asks several messages once each. */
  batchPrompt(expertise: string, messages: string[], temperature?: number): string[];
}

/** The export every improver program has. */
export type ImproveAlgorithm = (
  initialSolution: string,
  utility: GuestUtility,
  languageModel: GuestLanguageModel,
) => unknown;
