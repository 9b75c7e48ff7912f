import { ExitCode, isSitterError } from '../core/domain/errors.js';
import { translateDiskFull } from '../core/store/sqlite-errors.js';
import { paint } from './format/style.js';
import { safeText } from './format/safe-text.js';

/**
 * Aborted when whoever reads our output has gone (`sitter --json scan S | head -1`): a long command
 * stops as if interrupted, and nothing more is printed. Not an error: the reader chose to stop.
 */
export const outputClosed = new AbortController();

/** A closed pipe ends the command quietly instead of crashing with an EPIPE stack trace. */
export function watchClosedOutput(): void {
  for (const stream of [process.stdout, process.stderr]) {
    stream.on('error', (error: NodeJS.ErrnoException) => {
      if (error.code === 'EPIPE' || error.code === 'ERR_STREAM_DESTROYED') {
        outputClosed.abort();
        return;
      }
      throw error;
    });
  }
}

function write(stream: NodeJS.WriteStream, text: string): void {
  if (outputClosed.signal.aborted || stream.destroyed) return;
  stream.write(text);
}

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
  if (opts.json) write(process.stdout, `${JSON.stringify(result.json, null, 2)}\n`);
  // Text for people: whatever a name or a file name holds cannot drive the terminal.
  else if (result.text) write(process.stdout, `${safeText(result.text, { multiline: true })}\n`);
  return result.exitCode ?? ExitCode.ok;
}

/** Prints an error for a person (stderr) or a script (JSON on stdout) and returns the exit code. */
export function printError(thrown: unknown, opts: OutputOptions): number {
  const error = translateDiskFull(thrown);
  if (isSitterError(error)) {
    if (opts.json) write(process.stdout, `${JSON.stringify({ error: error.toJSON() }, null, 2)}\n`);
    else {
      write(
        process.stderr,
        `${paint('red', 'Error:', process.stderr.isTTY && !process.env.NO_COLOR)} ${safeText(error.message, { multiline: true })}\n`,
      );
      if (error.hint) write(process.stderr, `Hint: ${safeText(error.hint, { multiline: true })}\n`);
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
  if (opts.json) write(process.stdout, `${JSON.stringify({ error: report }, null, 2)}\n`);
  else {
    write(process.stderr, `${safeText(report.message, { multiline: true })}\n${report.hint}\n`);
    if (process.env.SITTER_DEBUG && error instanceof Error) write(process.stderr, `${error.stack}\n`);
  }
  return ExitCode.bug;
}
