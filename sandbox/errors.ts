/**
 * Errors of the sandbox layer that a caller may catch. Everything a *program* does wrong
 * is data (a {@linkcode CallResult} failure), not one of these.
 *
 * @module
 */

/** The sandbox plugin is not built or cannot be loaded. */
export class PluginUnavailableError extends Error {
  /**
   * @param message What is wrong and what to do.
   * @param options The underlying cause.
   */
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = "PluginUnavailableError";
  }
}

/** A program object was used after `close()`. */
export class ProgramClosedError extends Error {
  /** @param message What was attempted. */
  constructor(message: string) {
    super(message);
    this.name = "ProgramClosedError";
  }
}
