/** The CLI's errors: each says what happened and what to do next, and carries the exit code it ends with. */

export const EXIT = {
  ok: 0,
  /** A check failed (smoke, demo, import rows) or something unexpected broke. */
  failure: 1,
  /** Bad flags, arguments or input files. */
  usage: 2,
  notFound: 3,
  /** 409 or 412: the product exists, or changed since it was read. */
  conflict: 4,
  /** The API answered with an error, or could not be reached. */
  api: 5,
  /** AWS refused or failed a provisioning call (credentials, permissions, quotas). */
  aws: 6,
  /** list and export wrote every readable product, but some stored items do not read as products. */
  unreadable: 7,
  /** Ctrl-C (SIGINT): 128 + 2, as shells report it. */
  interrupted: 130,
  /** Stopped by SIGTERM (kill, a service manager, a CI timeout): 128 + 15, after cleaning up as for Ctrl-C. */
  terminated: 143,
} as const;

export type ExitCode = (typeof EXIT)[keyof typeof EXIT];

export class AppError extends Error {
  readonly exitCode: ExitCode;

  constructor(message: string, exitCode: ExitCode = EXIT.failure, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'AppError';
    this.exitCode = exitCode;
  }
}

export class UsageError extends AppError {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, EXIT.usage, options);
    this.name = 'UsageError';
  }
}

export class NotFoundError extends AppError {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, EXIT.notFound, options);
    this.name = 'NotFoundError';
  }
}

export class ConflictError extends AppError {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, EXIT.conflict, options);
    this.name = 'ConflictError';
  }
}

export class ApiError extends AppError {
  readonly status: number | undefined;

  constructor(message: string, status?: number, options?: { cause?: unknown }) {
    super(message, EXIT.api, options);
    this.name = 'ApiError';
    this.status = status;
  }
}

export class AwsError extends AppError {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, EXIT.aws, options);
    this.name = 'AwsError';
  }
}

export class CheckFailedError extends AppError {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, EXIT.failure, options);
    this.name = 'CheckFailedError';
  }
}

/** The exit code an error ends the process with. */
export function exitCodeOf(error: unknown): ExitCode {
  return error instanceof AppError ? error.exitCode : EXIT.failure;
}
