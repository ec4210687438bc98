// How the `gatehouse` CLI ends, in one place: each failure is one line on
// stderr and an exit code scripts can branch on (README, "CLI").
//   0  success
//   1  the server (or the database, for create-admin) refused: `error: CODE: message`
//   2  usage: unknown command or option, missing argument
//   3  not logged in, or the stored credentials were refused (run `gatehouse login`)
//   4  the server cannot be reached
export const EXIT = { ok: 0, refused: 1, usage: 2, unauthenticated: 3, unreachable: 4 } as const;

export class CliError extends Error {
  readonly exitCode: number;

  constructor(exitCode: number, message: string) {
    super(message);
    this.exitCode = exitCode;
  }
}

export class UsageError extends CliError {
  constructor(message: string) {
    super(EXIT.usage, message);
  }
}

/** The API's error envelope (or an OAuth error) as one line: `error: CODE: message`. */
export class ApiError extends CliError {
  readonly status: number;
  readonly code: string;

  constructor(status: number, code: string, message: string) {
    // One line, whatever the server wrote.
    super(status === 401 ? EXIT.unauthenticated : EXIT.refused, `error: ${code}: ${message}`.replace(/\s+/g, ' '));
    this.status = status;
    this.code = code;
  }
}

export class NotLoggedInError extends CliError {
  constructor(why = 'not logged in') {
    super(EXIT.unauthenticated, `error: UNAUTHENTICATED: ${why}; run \`gatehouse login\``);
  }
}

export class UnreachableError extends CliError {
  constructor(url: string, cause: unknown) {
    const reason = (cause as { cause?: { code?: string } })?.cause?.code ?? (cause as Error)?.message ?? String(cause);
    super(EXIT.unreachable, `error: UNREACHABLE: cannot reach ${url} (${reason})`);
  }
}
