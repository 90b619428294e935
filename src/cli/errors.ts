/** An error meant for the user: a stable code, an exit code, and a message that says how to fix it. */
export class CliError extends Error {
  constructor(
    readonly code: string,
    message: string,
    readonly exitCode: number = 1,
  ) {
    super(message);
  }
}

export const EXIT_INVALID_INPUT = 2;
