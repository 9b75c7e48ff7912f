import type { Command } from 'commander';
import { UsageError } from '../../core/domain/errors.js';
import type { FaceState } from '../../core/domain/records.js';
import { currentActor, workspaceDir, type GlobalOptions } from '../context.js';
import { action } from '../runner.js';

const REVIEWABLE: FaceState[] = ['proposed', 'confirmed', 'rejected'];

/** The app needs a terminal on both ends; scripts get a pointer to the headless commands. */
export function assertInteractiveTerminal(globals: GlobalOptions): void {
  if (globals.json) {
    throw new UsageError(
      'NOT_INTERACTIVE',
      'The review app is interactive and has no --json form.',
      'Script reviews with `sitter matches SHOOT --json` and `sitter decide SHOOT FACE --confirm|--reject|--assign ID`.',
    );
  }
  if (!process.stdin.isTTY || !process.stdout.isTTY) {
    throw new UsageError(
      'NOT_A_TERMINAL',
      'The interactive app needs a terminal (stdin and stdout must be a TTY).',
      'Use the headless commands instead: `sitter shoot list`, `sitter report SHOOT`, `sitter matches ' +
        'SHOOT`, `sitter decide SHOOT FACE --confirm|--reject|--assign ID [--reviewer NAME]`, `sitter ' +
        'decide SHOOT --undo`. See `sitter --help`.',
    );
  }
}

/** Opens the interactive app: the home screen, or one shoot's review queue. */
export async function openApp(
  globals: GlobalOptions,
  start: { shootId?: string; reviewer?: string; participant?: string; asset?: string; state?: FaceState },
): Promise<number> {
  assertInteractiveTerminal(globals);
  // React's development build times every render for its dev tools: several times slower per key.
  process.env.NODE_ENV ??= 'production';
  // Ink renders only the last frame when it believes it runs in CI (CI, CI_* or CONTINUOUS_INTEGRATION
  // in the environment). Here a person sits at a real terminal (checked above): it must draw live.
  process.env.CI = 'false';
  const { runApp } = await import('../app/run.js');
  const reviewer = start.reviewer?.trim();
  if (reviewer === '')
    throw new UsageError(
      'REVIEWER_REQUIRED',
      'Every decision needs the reviewer who made it.',
      'Pass --reviewer NAME, or leave it out to decide as yourself.',
    );
  return runApp({
    workspace: workspaceDir(globals),
    // absent: who the workspace session acts as (your user name, or your database role in a team workspace)
    ...(reviewer ? { reviewer } : {}),
    actor: currentActor(),
    start: start.shootId ? { kind: 'review', shootId: start.shootId } : { kind: 'home' },
    filter: {
      ...(start.participant ? { participant: start.participant } : {}),
      ...(start.asset ? { asset: start.asset } : {}),
      ...(start.state ? { state: start.state } : {}),
    },
  });
}

export function registerReview(program: Command): void {
  program
    .command('review')
    .description(
      'review the proposals of a shoot in the terminal, most uncertain first, with the faces drawn (interactive)',
    )
    .argument('<shoot>', 'shoot id')
    .option(
      '--reviewer <name>',
      'who decides, recorded with every decision (default: your user name; in a team workspace your database role, and only it)',
    )
    .option('--participant <id>', 'only the proposals of one participant')
    .option('--asset <file>', 'only the proposals in one asset')
    .option('--state <state>', 'faces in another state: proposed (default), confirmed or rejected (to revisit them)')
    .action(
      action(async ([shootId], opts, globals) => {
        const state = opts.state === undefined ? undefined : String(opts.state);
        if (state !== undefined && !REVIEWABLE.includes(state as FaceState)) {
          throw new UsageError(
            'BAD_OPTION',
            `--state must be one of ${REVIEWABLE.join(', ')}, not "${state}".`,
            'Example: --state confirmed',
          );
        }
        const exitCode = await openApp(globals, {
          shootId: shootId ?? '',
          ...(typeof opts.reviewer === 'string' ? { reviewer: opts.reviewer } : {}),
          ...(typeof opts.participant === 'string' ? { participant: opts.participant } : {}),
          ...(typeof opts.asset === 'string' ? { asset: opts.asset } : {}),
          ...(state ? { state: state as FaceState } : {}),
        });
        return { json: null, text: '', silent: true, exitCode };
      }),
    );
}

/**
 * `sitter` with no command: the app's home screen on a terminal; anywhere else a usage error (exit
 * 2) that points to the headless commands.
 */
export function registerAppEntry(program: Command): void {
  registerReview(program);
  // A hidden optional argument catches an unknown command name (commander would otherwise call the
  // root action with it); the usage line stays as it was.
  // Variadic, so a mistyped command with its arguments (`sitter shoo list`) is named too, instead of
  // commander's "too many arguments".
  program
    .argument('[command...]')
    .usage('[options] [command]')
    .action(
      action(async ([unknown], _opts, globals) => {
        if (unknown !== undefined) {
          // loaded only for a mistyped command: every other start-up skips it
          const { similarCommands } = await import('../did-you-mean.js');
          const similar = similarCommands(program, unknown);
          throw new UsageError(
            'UNKNOWN_COMMAND',
            `There is no command "${unknown}".`,
            similar.length > 0
              ? `Did you mean ${similar.map((s) => `\`sitter ${s}\``).join(' or ')}? Run \`sitter --help\` for the list of commands.`
              : 'Run `sitter --help` for the list of commands.',
            { similar },
          );
        }
        const exitCode = await openApp(globals, {});
        return { json: null, text: '', silent: true, exitCode };
      }),
    );
}
