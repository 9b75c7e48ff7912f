import { ExitCode, isSitterError } from '../core/domain/errors.js';
import { paint } from './format/style.js';

/** What a command hands back: the same result for scripts (JSON) and for people (text). */
export interface CommandResult {
  json: unknown;
  text: string;
  /** non-zero when the command ran but found a problem (e.g. a broken audit chain) */
  exitCode?: number;
  /** the command already wrote its own output (a stream such as JSON lines) */
  silent?: boolean;
}

export interface OutputOptions {
  json: boolean;
}

export function printResult(result: CommandResult, opts: OutputOptions): number {
  if (result.silent) return result.exitCode ?? ExitCode.ok;
  if (opts.json) process.stdout.write(`${JSON.stringify(result.json, null, 2)}\n`);
  else if (result.text) process.stdout.write(`${result.text}\n`);
  return result.exitCode ?? ExitCode.ok;
}

/** Prints an error for a person (stderr) or a script (JSON on stdout) and returns the exit code. */
export function printError(error: unknown, opts: OutputOptions): number {
  if (isSitterError(error)) {
    if (opts.json) process.stdout.write(`${JSON.stringify({ error: error.toJSON() }, null, 2)}\n`);
    else {
      process.stderr.write(`${paint('red', 'Error:', process.stderr.isTTY && !process.env.NO_COLOR)} ${error.message}\n`);
      if (error.hint) process.stderr.write(`Hint: ${error.hint}\n`);
    }
    return error.exitCode;
  }
  // Anything that is not a SitterError (a BugError, a TypeError) is Sitter's fault, not the user's.
  const message = error instanceof Error ? error.message : String(error);
  const report = {
    code: 'BUG',
    message: `Sitter hit a bug: ${message}`,
    hint: 'Please report it with the command you ran and this output. Your workspace was not changed by the failed step.',
  };
  if (opts.json) process.stdout.write(`${JSON.stringify({ error: report }, null, 2)}\n`);
  else {
    process.stderr.write(`${report.message}\n${report.hint}\n`);
    if (process.env.SITTER_DEBUG && error instanceof Error) process.stderr.write(`${error.stack}\n`);
  }
  return ExitCode.bug;
}
