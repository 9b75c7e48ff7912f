import { spawn } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';

/** The repository root, found from here whether this runs as TypeScript (vitest) or compiled (dist/scripts). */
function repoRoot(): string {
  let dir = import.meta.dirname;
  while (!existsSync(join(dir, 'package.json')) || existsSync(join(dir, 'tsconfig.build.json')) === false) {
    const up = dirname(dir);
    if (up === dir) throw new Error('campaign: repository root not found');
    dir = up;
  }
  return dir;
}

export const REPO = repoRoot();
/** The compiled CLI, as a user runs it (`npm run build` first). */
export const CLI = resolve(REPO, 'dist/src/tui/cli.js');

export interface Run {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
  ms: number;
  /** the highest resident set size seen while the process ran (polled from /proc), in MB */
  peakRssMb: number;
  /** killed by the harness after `killAfterMs` (kill -9) */
  killed: boolean;
}

export interface RunOptions {
  env?: Record<string, string | undefined>;
  /** send SIGKILL after this many milliseconds (if still running) */
  killAfterMs?: number;
  /** SIGKILL and report when the process has not exited by then (a hang is a failure, not a stuck campaign) */
  timeoutMs?: number;
  /** run through `sh -c 'umask U; exec node …'` */
  umask?: string;
  /** extra arguments for node itself (e.g. --import a preload) */
  nodeArgs?: string[];
  /** wrap the command (e.g. ['strace', '-f', '-o', FILE]) */
  wrapper?: string[];
  input?: string;
}

/** Everything every CLI run printed: the security case checks that no key material is among it. */
export const transcript: string[] = [];

function rssMb(pid: number): number {
  try {
    const status = readFileSync(`/proc/${pid}/status`, 'utf8');
    const hwm = /VmHWM:\s+(\d+) kB/.exec(status) ?? /VmRSS:\s+(\d+) kB/.exec(status);
    return hwm ? Number(hwm[1]) / 1024 : 0;
  } catch {
    return 0;
  }
}

/** Runs `sitter ARGS` as a real child process (no TTY) and collects its output, exit and peak memory. */
export function sitter(args: string[], opts: RunOptions = {}): Promise<Run> {
  return new Promise((done, fail) => {
    const started = Date.now();
    const node = [...(opts.nodeArgs ?? []), CLI, ...args];
    const quoted = (s: string) => `'${s.replace(/'/g, `'\\''`)}'`;
    const [cmd, argv] = opts.umask
      ? [
          'sh',
          [
            '-c',
            `umask ${opts.umask}; exec ${[...(opts.wrapper ?? []), process.execPath, ...node].map(quoted).join(' ')}`,
          ],
        ]
      : opts.wrapper
        ? [opts.wrapper[0]!, [...opts.wrapper.slice(1), process.execPath, ...node]]
        : [process.execPath, node];
    const child = spawn(cmd, argv, {
      env: { ...process.env, NO_COLOR: '1', FORCE_COLOR: undefined, SITTER_WORKSPACE: undefined, ...opts.env },
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    let peak = 0;
    let killed = false;
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    const poll = setInterval(() => child.pid && (peak = Math.max(peak, rssMb(child.pid))), 100);
    const kill =
      opts.killAfterMs === undefined
        ? undefined
        : setTimeout(() => ((killed = true), child.kill('SIGKILL')), opts.killAfterMs);
    const timeout = setTimeout(() => child.kill('SIGKILL'), opts.timeoutMs ?? 300_000);
    child.on('error', fail);
    child.on('close', (code, signal) => {
      clearInterval(poll);
      clearTimeout(kill);
      clearTimeout(timeout);
      transcript.push(stdout, stderr);
      done({ code, signal, stdout, stderr, ms: Date.now() - started, peakRssMb: Math.round(peak), killed });
    });
    child.stdin.end(opts.input ?? '');
  });
}

/** The `error.code` of a `--json` run that failed, if it printed one (the last line for JSON-lines commands such as scan). */
export function errorCode(run: Run): string | undefined {
  return (lastJsonDocument(run.stdout) as { error?: { code?: string } } | undefined)?.error?.code;
}

/**
 * The command's result in `--json` mode: the whole output as one document, or, after a scan's JSON
 * progress lines, the last document (printed indented, so it starts on the last line that opens with
 * `{`). Undefined when there is none.
 */
export function lastJsonDocument(stdout: string): unknown {
  const text = stdout.trim();
  const lines = text.split('\n');
  const starts = [0, ...lines.flatMap((l, i) => (l.startsWith('{') ? [i] : []))].reverse();
  for (const from of starts) {
    try {
      return JSON.parse(lines.slice(from).join('\n'));
    } catch {
      /* not a document from here: try an earlier start */
    }
  }
  return undefined;
}

/** A one-line account of a run for the notes column. */
export function brief(run: Run): string {
  if (run.signal) return `${run.killed ? 'killed' : run.signal}`;
  const code = errorCode(run);
  return `exit ${run.code}${code ? ` ${code}` : ''}`;
}

/** True when the CLI reported a bug (exit 70) or printed a stack trace: never acceptable. */
export function isBug(run: Run): boolean {
  return run.code === 70 || /\n\s+at .+:\d+:\d+\)?/.test(run.stderr);
}
