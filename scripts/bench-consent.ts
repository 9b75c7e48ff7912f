/**
 * How long a large consent import takes, and how much memory it needs, through the real CLI on a
 * real workspace: a roster of N participants (default 100,000), each with their own signed form and
 * reference photo, imported once (all added) and again unchanged (all compared). Target: under 10 s
 * and under 500 MB each, for 100,000 rows. Prints a line per run and a JSON line last.
 * Usage: npm run bench:consent [-- --rows 100000]
 */
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdirSync, mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

const rowsArg = process.argv.indexOf('--rows');
const rows = rowsArg > 0 ? Number(process.argv[rowsArg + 1]) : 100_000;
const cli = resolve(import.meta.dirname, '../src/tui/cli.js');
// Reports the child's peak resident memory and CPU time on exit, without changing what it runs. The
// CPU time (user + system) is the figure to compare on a shared machine, where the wall time
// depends on what else runs.
const peakMemory = `data:text/javascript,process.on('exit',()=>{const u=process.resourceUsage();process.stderr.write('\\nmaxrss_kb='+u.maxRSS+' cpu_us='+(u.userCPUTime+u.systemCPUTime)+'\\n')})`;

function sitter(ws: string, args: string[]): { ms: number; cpuMs: number; peakMb: number } {
  const start = process.hrtime.bigint();
  const r = spawnSync(process.execPath, ['--import', peakMemory, cli, '--workspace', ws, ...args], {
    encoding: 'utf8',
    maxBuffer: 1 << 30,
  });
  const ms = Number(process.hrtime.bigint() - start) / 1e6;
  if (r.status !== 0) throw new Error(`sitter ${args.join(' ')} exited ${r.status}: ${r.stderr.slice(0, 2000)}`);
  const kb = Number(/maxrss_kb=(\d+)/.exec(r.stderr)?.[1] ?? Number.NaN);
  const cpuUs = Number(/cpu_us=(\d+)/.exec(r.stderr)?.[1] ?? Number.NaN);
  return { ms: Math.round(ms), cpuMs: Math.round(cpuUs / 1000), peakMb: Math.round(kb / 1024) };
}

function writeRoster(dir: string, n: number): string {
  mkdirSync(join(dir, 'forms'), { recursive: true });
  mkdirSync(join(dir, 'photos'), { recursive: true });
  const lines = [
    'participant_id,name,biometric_consent,signed_at,expires_at,withdrawn_at,form_ref,form_sha256,reference_photo,minor,guardian,publication_scopes',
  ];
  for (let i = 1; i <= n; i++) {
    const id = `P${String(i).padStart(6, '0')}`;
    const form = Buffer.from(`Signed consent form of participant ${id}`);
    writeFileSync(join(dir, 'forms', `${id}.pdf`), form);
    writeFileSync(join(dir, 'photos', `${id}.jpg`), `reference photo of ${id}`);
    const sha = createHash('sha256').update(form).digest('hex');
    const minor = i % 10 === 0;
    lines.push(
      [
        id,
        `"Participant ${i}, Model"`,
        'yes',
        '2026-01-10',
        '2027-01-10',
        '',
        `forms/${id}.pdf`,
        sha,
        `photos/${id}.jpg`,
        minor ? 'yes' : 'no',
        minor ? `Guardian of ${id}` : '',
        'web;print',
      ].join(','),
    );
  }
  const file = join(dir, 'consent.csv');
  writeFileSync(file, `${lines.join('\r\n')}\r\n`);
  return file;
}

const tmp = mkdtempSync(join(tmpdir(), 'sitter-bench-consent-'));
try {
  const ws = join(tmp, 'ws');
  const photos = join(tmp, 'shoot');
  mkdirSync(photos);
  const file = writeRoster(join(tmp, 'consent'), rows);
  const bytes = statSync(file).size;
  sitter(ws, ['init']);
  sitter(ws, [
    'shoot',
    'create',
    'bench',
    '--name',
    'Bench',
    '--source',
    photos,
    '--purpose',
    'benchmark',
    '--retention-days',
    '30',
    '--from',
    '2026-01-01',
    '--to',
    '2026-12-31',
  ]);
  const first = sitter(ws, ['consent', 'import', 'bench', file]);
  const again = sitter(ws, ['consent', 'import', 'bench', file]);
  const mb = (bytes / 1024 / 1024).toFixed(1);
  const load = loadavg()[0]?.toFixed(1);
  console.log(
    `consent import, ${rows} rows (${mb} MB CSV), all new:       ${first.ms} ms (CPU ${first.cpuMs} ms), peak ${first.peakMb} MB (target < 10000 ms, < 500 MB)`,
  );
  console.log(
    `consent import, ${rows} rows (${mb} MB CSV), all unchanged: ${again.ms} ms (CPU ${again.cpuMs} ms), peak ${again.peakMb} MB; load average ${load}`,
  );
  console.log(
    JSON.stringify({
      rows,
      csv_bytes: bytes,
      first_import: first,
      unchanged_reimport: again,
      load_average: Number(load),
    }),
  );
} finally {
  rmSync(tmp, { recursive: true, force: true });
}
