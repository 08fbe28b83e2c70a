/** A command that could not do its job: exit status 1 and one line saying why. */
export class CliError extends Error {
  constructor(
    message: string,
    readonly code = 'FAILED',
  ) {
    super(message);
    this.name = 'CliError';
  }
}

/** The command line itself is wrong (a missing option, a value of the wrong shape): exit status 2. */
export class UsageError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'UsageError';
  }
}

export const EXIT = { ok: 0, failed: 1, usage: 2 } as const;

/**
 * One line for any failure: the service's own sentence (with the fields a validation names), never a
 * stack trace. Errors nobody anticipated keep only their message.
 */
export function describeFailure(error: unknown): { code: string; message: string } {
  // An AppError of the services (matched by name: this module stays light, --help loads no Nest).
  if (error instanceof Error && error.name === 'AppError') {
    const { code, options } = error as Error & {
      code: string;
      options: { errors?: Array<{ message: string }> };
    };
    const fields = options.errors?.map((e) => e.message) ?? [];
    return { code, message: fields.length ? fields.join('; ') : error.message };
  }
  if (error instanceof CliError) return { code: error.code, message: error.message };
  if (error instanceof UsageError) return { code: 'USAGE', message: error.message };
  if (error instanceof Error) return { code: 'FAILED', message: error.message || error.name };
  return { code: 'FAILED', message: String(error) };
}

/** Keeps a message on one line, whatever a driver or library put into it. */
export function oneLine(message: string): string {
  return message.trim().replace(/\s*\n\s*/g, ' / ');
}
