import { spawn } from 'node:child_process';
import { resolve } from 'node:path';

/** The compiled CLI, as `npx sitter` runs it (npm test builds before vitest runs). */
export const CLI = resolve(import.meta.dirname, '../../dist/src/tui/cli.js');

export interface CliRun {
  code: number | null;
  stdout: string;
  stderr: string;
}

export interface CliOptions {
  cwd?: string;
  env?: Record<string, string | undefined>;
  input?: string;
  uid?: number;
  gid?: number;
  /** kill the process (SIGKILL) if it has not exited by then; `code` is then null */
  timeoutMs?: number;
  /** close our end of its stdout at once, as `| head -0` would */
  closeStdout?: boolean;
}

/** Runs `sitter ARGS` in a real child process, without a TTY, and collects its output. */
export function runSitter(args: string[], opts: CliOptions = {}): Promise<CliRun> {
  return new Promise((resolvePromise, reject) => {
    const child = spawn(process.execPath, [CLI, ...args], {
      cwd: opts.cwd,
      env: { ...process.env, NO_COLOR: undefined, FORCE_COLOR: undefined, SITTER_WORKSPACE: undefined, ...opts.env },
      stdio: ['pipe', 'pipe', 'pipe'],
      ...(opts.uid !== undefined ? { uid: opts.uid, gid: opts.gid ?? opts.uid } : {}),
    });
    let stdout = '';
    let stderr = '';
    const timer = opts.timeoutMs ? setTimeout(() => child.kill('SIGKILL'), opts.timeoutMs) : undefined;
    if (opts.closeStdout) child.stdout.destroy();
    else child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('error', reject);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolvePromise({ code, stdout, stderr });
    });
    child.stdin.end(opts.input ?? '');
  });
}

/** Parses stdout as exactly one JSON document (fails the test if anything else was printed). */
export function jsonOf(run: CliRun): Record<string, unknown> {
  return JSON.parse(run.stdout) as Record<string, unknown>;
}

/**
 * `--from`/`--to` for a shoot covering yesterday to tomorrow (UTC): the demo and the tests' photos
 * are dated today, and a shoot must declare its days (scope in time).
 */
export function shootDaysAroundToday(): string[] {
  const day = (offset: number) => new Date(Date.now() + offset * 86_400_000).toISOString().slice(0, 10);
  return ['--from', day(-1), '--to', day(1)];
}
