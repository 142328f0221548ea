/** A start-up failure with a message for a person, and the exit code to leave with. No stack trace is shown for it. */
export class StartError extends Error {
  constructor(
    message: string,
    readonly exitCode = 1,
  ) {
    super(message);
    this.name = 'StartError';
  }
}
