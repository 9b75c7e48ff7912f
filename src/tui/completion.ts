/**
 * Shell completion for bash, zsh, fish and PowerShell: `sitter completion bash` prints the script
 * to source; the script calls the hidden `sitter complete -- <words>` for candidates. Built by
 * @bomb.sh/tab (the completion library Vitest, Nuxt and Prisma use) from the commander tree itself,
 * so every command, subcommand and option completes without a hand-kept list.
 */
import completions from '@bomb.sh/tab';
import tab from '@bomb.sh/tab/commander';
import type { Command } from 'commander';

/**
 * tab's bash script declares its directive constants `readonly`, so sourcing it a second time (a
 * re-read ~/.bashrc, `source <(sitter completion bash)` typed again) prints "readonly variable" six
 * times, and fails under `set -e`. Each is declared only when it is not set yet: the same values,
 * from this script or another tab-made one (they are cobra's standard directive numbers).
 */
export function idempotentBash(script: string): string {
  return script.replace(/^readonly (\w+)=(\d+)$/gm, '[[ -n ${$1+set} ]] || readonly $1=$2');
}

/** What tab prints for `shell` (it writes the script with console.log; nothing else logs meanwhile). */
function generated(name: string, shell: string): string {
  const lines: string[] = [];
  const log = console.log;
  console.log = (...parts: unknown[]) => void lines.push(parts.map(String).join(' '));
  try {
    completions.setup(name, name, shell);
  } finally {
    console.log = log;
  }
  return lines.join('\n');
}

export function registerCompletion(program: Command): void {
  tab(program, { completionCommandName: 'completion' });
  const completion = program.commands.find((c) => c.name() === 'completion');
  completion
    ?.description('print the shell completion script (bash, zsh, fish, powershell): see docs/cli.md')
    .action((shell: string) => {
      const script = generated(program.name(), shell);
      process.stdout.write(`${shell === 'bash' ? idempotentBash(script) : script}\n`);
    });
}
