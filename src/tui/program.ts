import { Command, CommanderError, Option } from 'commander';
import { ExitCode } from '../core/domain/errors.js';
import { registerAudit } from './commands/audit.js';
import { registerClearance } from './commands/clearance.js';
import { registerConsent, registerErase, registerWithdraw } from './commands/consent.js';
import { registerDemo } from './commands/demo.js';
import { registerConnectors } from './commands/connectors.js';
import { registerDpo } from './commands/dpo.js';
import { registerSettings } from './commands/settings.js';
import { registerInit } from './commands/init.js';
import { registerJob } from './commands/job.js';
import { registerWorker } from './commands/queue.js';
import { registerPublish } from './commands/publish.js';
import { registerPurge } from './commands/purge.js';
import { registerHeadlessReview } from './commands/review-headless.js';
import { registerAppEntry } from './commands/review.js';
import { registerShoot } from './commands/shoot.js';
import { registerSubject } from './commands/subject.js';
import { registerTeam } from './commands/team.js';
import { outcome } from './runner.js';
import { registerCompletion } from './completion.js';

/** Sitter's version; test/e2e/cli-foundation.test.ts keeps it equal to package.json's. */
export const VERSION = '0.1.0';

export function buildProgram(): Command {
  const program = new Command('sitter')
    .description(
      'Link the people in a closed photoshoot to their signed consent records by face matching, and nothing broader.',
    )
    .version(VERSION)
    .addOption(new Option('-w, --workspace <dir>', 'the workspace folder').env('SITTER_WORKSPACE').default('.sitter'))
    .option('--json', 'print results and errors as JSON on stdout, and nothing else')
    .showHelpAfterError('(run with --help for usage)')
    .enablePositionalOptions(false);
  registerInit(program);
  registerSettings(program);
  registerTeam(program);
  registerShoot(program);
  registerConsent(program);
  registerWithdraw(program);
  registerErase(program);
  registerJob(program);
  registerWorker(program);
  registerHeadlessReview(program);
  registerAppEntry(program);
  registerPurge(program);
  registerAudit(program);
  registerClearance(program);
  registerSubject(program);
  registerPublish(program);
  registerDpo(program);
  registerDemo(program);
  registerConnectors(program);
  // Last: completion reads the command tree built above.
  registerCompletion(program);
  return program;
}

/** Every command and subcommand, so exitOverride and output settings reach all of them. */
function allCommands(cmd: Command): Command[] {
  return [cmd, ...cmd.commands.flatMap(allCommands)];
}

/** Runs the CLI and returns the exit code: 0 done, 1 refused (user can fix), 2 bad usage, 70 a bug. */
export async function runCli(argv: string[]): Promise<number> {
  const program = buildProgram();
  const wantsJson = argv.includes('--json');
  // With --json, `--version` answers one JSON document like every other command; commander prints
  // the version through writeOut, so the root's plain output is held back and printed only for help.
  let heldOut = '';
  for (const cmd of allCommands(program)) {
    cmd.exitOverride();
    if (wantsJson) cmd.configureOutput({ writeErr: () => undefined, outputError: () => undefined });
  }
  if (wantsJson)
    program.configureOutput({
      writeErr: () => undefined,
      outputError: () => undefined,
      writeOut: (text) => void (heldOut += text),
    });
  outcome.exitCode = ExitCode.ok;
  try {
    await program.parseAsync(argv);
    return outcome.exitCode;
  } catch (error) {
    if (error instanceof CommanderError) {
      if (error.code === 'commander.version') {
        if (wantsJson)
          process.stdout.write(`${JSON.stringify({ version: VERSION, node: process.version }, null, 2)}\n`);
        return ExitCode.ok;
      }
      if (error.code === 'commander.helpDisplayed' || error.code === 'commander.help') {
        process.stdout.write(heldOut);
        return ExitCode.ok;
      }
      if (wantsJson) {
        const message = error.message.replace(/^error: /, '');
        const usage = { error: { code: 'USAGE', message, hint: 'Run `sitter --help` or `sitter COMMAND --help`.' } };
        process.stdout.write(`${JSON.stringify(usage, null, 2)}\n`);
      }
      return ExitCode.usage;
    }
    throw error;
  }
}
