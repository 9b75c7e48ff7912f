/**
 * Shell completion, in the real shells: the script `sitter completion SHELL` prints is sourced into
 * bash (with Debian's bash-completion, as an interactive shell has it), fish and zsh, and the
 * candidates come from the live command tree through `sitter complete --`.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { chmodSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CLI, runSitter } from '../helpers/cli.js';
import { tempDir } from '../helpers/workspace.js';

let tmp: Awaited<ReturnType<typeof tempDir>>;
let env: NodeJS.ProcessEnv;

/** The script for `shell`, written to a file to source. */
async function script(shell: string): Promise<string> {
  const run = await runSitter(['completion', shell]);
  expect(run.code).toBe(0);
  const file = join(tmp.dir, `sitter.${shell}`);
  writeFileSync(file, run.stdout);
  return file;
}

beforeAll(async () => {
  tmp = await tempDir('sitter-completion-');
  // `sitter` on PATH, as after a global install: the scripts call it by name.
  const bin = join(tmp.dir, 'bin');
  execFileSync('mkdir', ['-p', bin]);
  writeFileSync(join(bin, 'sitter'), `#!/bin/sh\nexec "${process.execPath}" "${CLI}" "$@"\n`);
  chmodSync(join(bin, 'sitter'), 0o755);
  env = { ...process.env, PATH: `${bin}:${process.env.PATH ?? ''}` };
});
afterAll(async () => tmp.cleanup());

describe('shell completion', () => {
  it('bash completes subcommands of the word before the cursor', async () => {
    const file = await script('bash');
    const complete = (line: string) =>
      execFileSync(
        'bash',
        [
          '-c',
          `source /usr/share/bash-completion/bash_completion; source "${file}"; read -ra COMP_WORDS <<< "$LINE"; ` +
            `[[ "$LINE" == *" " ]] && COMP_WORDS+=(""); COMP_CWORD=$((\${#COMP_WORDS[@]}-1)); COMP_LINE="$LINE"; ` +
            `COMP_POINT=\${#LINE}; __sitter_complete 2>/dev/null; printf '%s\\n' "\${COMPREPLY[@]}"`,
        ],
        { env: { ...env, LINE: line }, encoding: 'utf8' },
      )
        .split('\n')
        .filter(Boolean);
    expect(complete('sitter shoot cr')).toEqual(['create']);
    expect(complete('sitter pub')).toEqual(['publish']);
    expect(complete('sitter scan --res')).toEqual(['--rescan']);
    expect(complete('sitter scan --ret')).toEqual(['--retries', '--retry-delay']);
  });

  it('bash: `source <(sitter completion bash)` twice (a re-read ~/.bashrc) says nothing, fails nothing, and still completes', async () => {
    const run = spawnSync(
      'bash',
      [
        '-c',
        // bash_completion itself is not written for `set -u`: the strict part is the sourcing twice.
        'source /usr/share/bash-completion/bash_completion; set -euo pipefail; ' +
          'source <(sitter completion bash); source <(sitter completion bash); set +euo pipefail; ' +
          'COMP_WORDS=(sitter pub); COMP_CWORD=1; COMP_LINE="sitter pub"; COMP_POINT=10; ' +
          '__sitter_complete 2>/dev/null; printf "%s\\n" "${COMPREPLY[@]}"; echo "directive=$ShellCompDirectiveNoFileComp"',
      ],
      { env, encoding: 'utf8' },
    );
    expect(run.stderr).toBe(''); // it printed "ShellCompDirectiveError: readonly variable" six times
    expect(run.status).toBe(0);
    expect(run.stdout.split('\n').filter(Boolean)).toEqual(['publish', 'directive=4']);
  });

  it('fish completes commands with their descriptions', async () => {
    const file = await script('fish');
    const out = execFileSync('fish', ['-c', `source "${file}"; complete -C "sitter sho"`], { env, encoding: 'utf8' });
    expect(out.trim()).toBe('shoot\tdefine, approve, inspect and close shoots (the scope of all processing)');
  });

  it('zsh loads the script under compinit and registers the completion function', async () => {
    const file = await script('zsh');
    const out = execFileSync(
      'zsh',
      ['-c', `autoload -U compinit; compinit -u; source "${file}"; print -r -- $_comps[sitter]`],
      { env, encoding: 'utf8' },
    );
    expect(out.trim()).toBe('_sitter');
  });

  it('refuses an unknown shell with the choices', async () => {
    const run = await runSitter(['completion', 'tcsh']);
    expect(run.code).toBe(2);
    expect(run.stderr).toContain('zsh, bash, fish, powershell');
  });
});
