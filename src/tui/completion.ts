/**
 * Shell completion for bash, zsh, fish and PowerShell: `sitter completion bash` prints the script
 * to source; the script calls the hidden `sitter complete -- <words>` for candidates. Built by
 * @bomb.sh/tab (the completion library Vitest, Nuxt and Prisma use) from the commander tree itself,
 * so every command, subcommand and option completes without a hand-kept list.
 */
import tab from '@bomb.sh/tab/commander';
import type { Command } from 'commander';

export function registerCompletion(program: Command): void {
  tab(program, { completionCommandName: 'completion' });
  const completion = program.commands.find((c) => c.name() === 'completion');
  completion?.description('print the shell completion script (bash, zsh, fish, powershell): see docs/cli.md');
}
