/**
 * Distributed-scan throughput: 1, 2 and 3 local `sitter worker` processes against one team database.
 *
 *   npm run bench:queue [-- --data ../shared/faces --images 12 --engine-workers 1 --batch 1]
 *
 * A throwaway PostgreSQL cluster (test/helpers/postgres.ts), a team workspace made by `sitter demo
 * --database`, then for each worker count a fresh copy of the same images (dated to the demo day) in
 * the shoot, `sitter scan demo --queue`, and that many `sitter worker --until-idle` processes started
 * together; the time is from their start to the last one's exit (model loading included, as a team
 * sees it). Prints images/s per run, the machine's parallelism and its load average, and one JSON line.
 */
import { spawn } from 'node:child_process';
import { copyFileSync, mkdirSync, readFileSync, renameSync } from 'node:fs';
import { availableParallelism, loadavg } from 'node:os';
import { basename, extname, join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { startPostgres } from '../test/helpers/postgres.js';
import { tempDir } from '../test/helpers/workspace.js';

const { values } = parseArgs({
  options: {
    data: { type: 'string', default: '../shared/faces' },
    images: { type: 'string', default: '12' },
    'engine-workers': { type: 'string', default: '1' },
    batch: { type: 'string', default: '1' },
    counts: { type: 'string', default: '1,2,3' },
  },
});
const CLI = resolve(import.meta.dirname, '../src/tui/cli.js');

function run(args: string[], env: Record<string, string>): Promise<{ code: number | null; out: string }> {
  return new Promise((done, fail) => {
    const child = spawn(process.execPath, [CLI, ...args], {
      env: { ...process.env, ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    child.stderr.on('data', (d: Buffer) => (out += d.toString()));
    child.on('error', fail);
    child.on('close', (code) => done({ code, out }));
  });
}

async function must(args: string[], env: Record<string, string>): Promise<string> {
  const r = await run(args, env);
  if (r.code !== 0) throw new Error(`sitter ${args.join(' ')} exited ${r.code}:\n${r.out}`);
  return r.out;
}

/** A JPEG by its content: the set has a `.jpg` that is really WebP, where ExifTool cannot write a date. */
const isJpeg = (file: string) =>
  readFileSync(file)
    .subarray(0, 3)
    .equals(Buffer.from([0xff, 0xd8, 0xff]));

/** The first N photos of the set with a face (JPEG), by manifest order: a fixed set. */
function pickImages(data: string, n: number): string[] {
  const manifest = JSON.parse(readFileSync(join(data, 'manifest.json'), 'utf8')) as {
    images: { file: string; kind: string }[];
  };
  return manifest.images
    .filter((i) => i.kind === 'single' || i.kind === 'group')
    .map((i) => join(data, i.file))
    .filter(isJpeg)
    .slice(0, n);
}

async function stamp(files: string[], day: string): Promise<void> {
  const { ExifTool } = await import('exiftool-vendored');
  const exiftool = new ExifTool();
  try {
    for (const f of files)
      await exiftool.write(
        f,
        { DateTimeOriginal: `${day.replaceAll('-', ':')} 10:00:00`, OffsetTimeOriginal: '+00:00' },
        { writeArgs: ['-overwrite_original'] },
      );
  } finally {
    await exiftool.end();
  }
}

const tmp = tempDir('sitter-bench-queue-');
const pg = await startPostgres();
try {
  const env = pg.env;
  const url = await pg.createDatabase('bench');
  const root = join(tmp.dir, 'demo');
  await must(['demo', '--dir', root, '--database', url], env);
  const ws = ['-w', join(root, 'workspace')];
  const shoot = join(root, 'shoot');
  const images = pickImages(resolve(values.data), Number(values.images));
  // The demo's own photos are queued once and settled first, so each run below times only its new images.
  await must([...ws, 'scan', 'demo', '--queue'], env);
  await must([...ws, 'worker', '--until-idle', '--poll', '200'], env);

  const day = new Date().toISOString().slice(0, 10);
  const results = [];
  for (const count of values.counts.split(',').map(Number)) {
    const folder = join(shoot, `bench-${count}`);
    mkdirSync(folder);
    const copies = images.map((src, i) => {
      const dest = join(folder, `${String(i).padStart(3, '0')}-${basename(src, extname(src))}.jpg`);
      copyFileSync(src, dest);
      return dest;
    });
    await stamp(copies, day);
    await must([...ws, 'scan', 'demo', '--queue', '--batch', values.batch], env);
    const load = loadavg()[0]!;
    const started = Date.now();
    const outs = await Promise.all(
      Array.from({ length: count }, () =>
        must([...ws, '--json', 'worker', '--until-idle', '--poll', '200', '--workers', values['engine-workers']], env),
      ),
    );
    const seconds = (Date.now() - started) / 1000;
    const analysed = outs.map((o) => (JSON.parse(o) as { analysed: number }).analysed).reduce((a, b) => a + b, 0);
    // The next run's folder replaces this one in the listing, so only new images are queued.
    renameSync(folder, join(tmp.dir, `done-${count}`));
    const row = {
      workers: count,
      images: analysed,
      seconds: Number(seconds.toFixed(1)),
      imagesPerSecond: Number((analysed / seconds).toFixed(3)),
      loadBefore: Number(load.toFixed(2)),
    };
    results.push(row);
    console.log(
      `${count} worker process${count === 1 ? '' : 'es'} (${values['engine-workers']} engine thread each): ${analysed} images in ${row.seconds} s = ${row.imagesPerSecond} images/s (load average before: ${row.loadBefore})`,
    );
  }
  console.log(
    `machine parallelism ${availableParallelism()}, load average now ${loadavg()
      .map((l) => l.toFixed(2))
      .join(' ')}, batch ${values.batch}`,
  );
  console.log(JSON.stringify({ parallelism: availableParallelism(), batch: Number(values.batch), results }));
} finally {
  await pg.stop();
  tmp.cleanup();
}
