/**
 * Two kinds of failure, told apart everywhere (the Shopify CLI pattern):
 * - SitterError: the user can fix it. A stable code, a message, and a hint saying what to do next.
 * - BugError: Sitter is wrong. Reported as a bug, with a different exit code.
 */

/** Exit codes of the CLI: 0 success, 1 refused or failed action the user can fix, 2 bad usage. */
export const ExitCode = { ok: 0, refused: 1, usage: 2, bug: 70 } as const;

export interface ErrorJson {
  code: string;
  message: string;
  hint?: string;
  details?: unknown;
}

export class SitterError extends Error {
  override readonly name: string = 'SitterError';
  constructor(
    /** stable, documented, machine-readable: e.g. "SHOOT_NOT_APPROVED" */
    readonly code: string,
    message: string,
    /** what the user can do about it */
    readonly hint?: string,
    /** structured detail for --json consumers (e.g. every bad CSV cell) */
    readonly details?: unknown,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }

  get exitCode(): number {
    return ExitCode.refused;
  }

  toJSON(): ErrorJson {
    return {
      code: this.code,
      message: this.message,
      ...(this.hint ? { hint: this.hint } : {}),
      ...(this.details !== undefined ? { details: this.details } : {}),
    };
  }
}

/** Bad command-line usage: exit 2. */
export class UsageError extends SitterError {
  override readonly name = 'UsageError';
  override get exitCode(): number {
    return ExitCode.usage;
  }
}

/** An invariant broke: this is Sitter's fault, not the user's. */
export class BugError extends Error {
  override readonly name = 'BugError';
  readonly code = 'BUG';
}

export function isSitterError(e: unknown): e is SitterError {
  return e instanceof SitterError;
}
