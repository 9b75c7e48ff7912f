import type { Command } from 'commander';
import { UsageError } from '../core/domain/errors.js';
import type { GlobalOptions } from './context.js';
import { safeText } from './format/safe-text.js';
import { type CommandResult, printError, printResult } from './output.js';

export type Handler = (args: string[], opts: Record<string, unknown>, globals: GlobalOptions) => Promise<CommandResult>;

/** The exit code of the command that ran; read by the CLI entry once commander returns. */
export const outcome = { exitCode: 0 };

/**
 * Wraps a command handler: collects positional arguments and options, prints the result or the
 * error in the requested form, and records the exit code. Commands stay thin: parse, call, render.
 */
export function action(handler: Handler): (...raw: unknown[]) => Promise<void> {
  return async (...raw: unknown[]) => {
    const command = raw[raw.length - 1] as Command;
    const opts = command.opts<Record<string, unknown>>();
    const globals = command.optsWithGlobals<GlobalOptions>();
    // A variadic argument arrives as an array: flattened, so handlers see every positional in order.
    const args = raw
      .slice(0, -2)
      .flat()
      .filter((a): a is string => typeof a === 'string');
    const json = Boolean(globals.json);
    try {
      outcome.exitCode = printResult(await handler(args, opts, globals), { json });
    } catch (error) {
      outcome.exitCode = printError(error, { json });
    }
  };
}

/**
 * Reads a whole-number option that commander hands over as a string; bad values are usage errors.
 * `example` is a value that is valid for this option, so the hint never suggests one it would refuse.
 */
/** A decimal number option, e.g. `--threshold 0.55`. */
export function decimalOption(value: unknown, flag: string, example: number): number {
  const text = typeof value === 'string' ? value.trim() : String(value);
  if (!/^-?(?:\d+\.?\d*|\.\d+)$/.test(text)) {
    throw new UsageError(
      'BAD_OPTION',
      `${flag} must be a number, not "${safeText(text)}".`,
      `Example: ${flag} ${example}`,
    );
  }
  return Number(text);
}

export function intOption(value: unknown, flag: string, example: number): number {
  const text = typeof value === 'string' ? value.trim() : String(value);
  if (!/^-?\d+$/.test(text) || !Number.isSafeInteger(Number(text))) {
    throw new UsageError(
      'BAD_OPTION',
      `${flag} must be a whole number, not "${safeText(text)}".`,
      `Example: ${flag} ${example}`,
    );
  }
  return Number(text);
}
