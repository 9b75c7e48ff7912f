/**
 * How long `sitter --help` takes to start: the heavy modules (ORM, models, Ink, sharp) must load
 * only in the commands that use them. Prints the median and p90 of N runs, and a JSON line last.
 * Usage: npm run bench:startup [-- --runs 20]
 */
import { spawnSync } from 'node:child_process';
import { resolve } from 'node:path';

const runsArg = process.argv.indexOf('--runs');
const runs = runsArg > 0 ? Number(process.argv[runsArg + 1]) : 20;
const cli = resolve(import.meta.dirname, '../src/tui/cli.js');

function once(args: string[]): number {
  const start = process.hrtime.bigint();
  const r = spawnSync(process.execPath, [cli, ...args], { stdio: 'ignore' });
  if (r.status !== 0) throw new Error(`sitter ${args.join(' ')} exited ${r.status}`);
  return Number(process.hrtime.bigint() - start) / 1e6;
}

function stats(samples: number[]) {
  const s = [...samples].sort((a, b) => a - b);
  const at = (q: number) => s[Math.min(s.length - 1, Math.floor(q * s.length))] ?? Number.NaN;
  return { median_ms: Math.round(at(0.5)), p90_ms: Math.round(at(0.9)) };
}

once(['--help']); // warm the filesystem cache
const help = stats(Array.from({ length: runs }, () => once(['--help'])));
const shootHelp = stats(Array.from({ length: runs }, () => once(['shoot', 'create', '--help'])));
const baseline = stats(
  Array.from({ length: runs }, () => {
    const start = process.hrtime.bigint();
    spawnSync(process.execPath, ['-e', '0'], { stdio: 'ignore' });
    return Number(process.hrtime.bigint() - start) / 1e6;
  }),
);
console.log(`node -e 0:              median ${baseline.median_ms} ms, p90 ${baseline.p90_ms} ms`);
console.log(`sitter --help:          median ${help.median_ms} ms, p90 ${help.p90_ms} ms (target < 300 ms)`);
console.log(`sitter shoot create -h: median ${shootHelp.median_ms} ms, p90 ${shootHelp.p90_ms} ms`);
console.log(JSON.stringify({ runs, help, shoot_create_help: shootHelp, node_baseline: baseline }));
