/**
 * The error for input a user got wrong (a flag, a path, a run directory): the library throws
 * it, the command line prints it with the command's usage and exits with code 2.
 *
 * @module
 */

/** Input the user got wrong: printed with the command's usage, exit code 2. */
export class UsageError extends Error {
  /** @param message What is wrong with the input, and the value given. */
  constructor(message: string) {
    super(message);
    this.name = "UsageError";
  }
}
