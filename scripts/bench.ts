/**
 * Throughput of the face engine on the images of a labelled folder (default ../shared/faces):
 *
 *   npm run bench [-- --data DIR --limit N --workers N]
 *
 * Each mode runs in its own child process (so peak RSS is its own): a raw one-process
 * decode-detect-embed loop, the pool with one worker, the pool with one worker per core, and one
 * 24-megapixel synthetic group photo through a one-worker pool (memory bound). The raw loop and the
 * pool alternate `--rounds` times (default 2) and each keeps its best run, since other jobs on the
 * machine take cores at random. Prints a table and, as the LAST line, one JSON object.
 */
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { collectorForPool } from '../src/app/gc-mode.js';
import { FacePool } from '../src/core/engine/pool.js';
import { LocalFaceEngine } from '../src/core/engine/local-engine.js';
import { syntheticGroup } from '../src/core/engine/synthetic.js';
import { machineParallelism } from './machine-parallelism.js';

const { values } = parseArgs({
  options: {
    data: { type: 'string', default: '../shared/faces' },
    limit: { type: 'string' },
    workers: { type: 'string' },
    child: { type: 'string' },
    rounds: { type: 'string', default: '2' },
  },
});
const dataDir = resolve(values.data ?? '../shared/faces');
const workers = Number(values.workers ?? availableParallelism());
const rounds = Math.max(1, Number(values.rounds ?? 2));

function images(): Buffer[] {
  const manifest = JSON.parse(readFileSync(join(dataDir, 'manifest.json'), 'utf8')) as { images: { file: string }[] };
  const list = manifest.images.map((e) => readFileSync(resolve(dataDir, e.file)));
  return values.limit ? list.slice(0, Number(values.limit)) : list;
}

const maxRssMb = () => Math.round(process.resourceUsage().maxRSS / 1024);

interface ChildResult {
  mode: string;
  images: number;
  seconds: number;
  images_per_s: number;
  peak_rss_mb: number;
  baseline_rss_mb: number;
  failed: number;
  cpu_per_wall: number;
  workers?: number;
  faces?: number;
  /** where the pool's process collected garbage (src/app/gc-mode.ts) */
  gc?: string;
}

async function child(mode: string): Promise<ChildResult> {
  const baseline = Math.round(process.memoryUsage.rss() / 1048576);
  const r = await childRun(mode, baseline);
  return r;
}

let cpu0 = process.cpuUsage();
let wall0 = performance.now();
function startClock(): void {
  cpu0 = process.cpuUsage();
  wall0 = performance.now();
}
function cpuPerWall(): number {
  const c = process.cpuUsage(cpu0);
  return (c.user + c.system) / 1000 / (performance.now() - wall0);
}

async function childRun(mode: string, baseline: number): Promise<ChildResult> {
  if (mode === 'raw') {
    const list = images();
    const engine = await LocalFaceEngine.create();
    await engine.analyse(list[0] ?? Buffer.alloc(0)).catch(() => undefined); // warm-up
    let failed = 0;
    startClock();
    const t0 = performance.now();
    for (const b of list) await engine.analyse(b).catch(() => failed++);
    const s = (performance.now() - t0) / 1000;
    return {
      mode,
      images: list.length,
      seconds: s,
      images_per_s: list.length / s,
      peak_rss_mb: maxRssMb(),
      baseline_rss_mb: baseline,
      failed,
      cpu_per_wall: cpuPerWall(),
    };
  }
  if (mode === 'pool') {
    const list = images();
    // The collector as `sitter scan` sets it before its pool starts (src/app/engine-provider.ts).
    const gc = collectorForPool(workers, availableParallelism(), FacePool.running);
    const pool = await FacePool.create({ workers });
    await Promise.all(
      Array.from({ length: workers }, () => pool.analyse(list[0] ?? Buffer.alloc(0)).catch(() => undefined)),
    );
    let failed = 0;
    startClock();
    const t0 = performance.now();
    await Promise.all(list.map((b) => pool.analyse(b).catch(() => failed++)));
    const s = (performance.now() - t0) / 1000;
    const cpu = cpuPerWall();
    await pool.close();
    return {
      mode,
      workers,
      images: list.length,
      seconds: s,
      images_per_s: list.length / s,
      peak_rss_mb: maxRssMb(),
      baseline_rss_mb: baseline,
      failed,
      cpu_per_wall: cpu,
      gc,
    };
  }
  if (mode === 'big') {
    const names = ['amy', 'bernadette', 'howard', 'leonard', 'penny', 'raj', 'sheldon', 'stuart'].flatMap((n) => [
      `${n}/${n}1.png`,
      `${n}/${n}2.png`,
    ]);
    const faces = names.map((n) => readFileSync(join(dataDir, 'face-api.js/examples/images', n)));
    const { jpeg } = await syntheticGroup(faces, 6000, 4000, 0.03, names);
    const pool = await FacePool.create({ workers: 1 });
    const t0 = performance.now();
    let found = 0;
    let failed = 0;
    for (let i = 0; i < 3; i++) {
      const r = await pool.analyse(jpeg).catch(() => null);
      if (r) found = r.faces.length;
      else failed++;
    }
    const s = (performance.now() - t0) / 1000;
    await pool.close();
    return {
      mode,
      workers: 1,
      images: 3,
      seconds: s,
      images_per_s: 3 / s,
      peak_rss_mb: maxRssMb(),
      baseline_rss_mb: baseline,
      failed,
      faces: found,
      cpu_per_wall: 0,
    };
  }
  throw new Error(`unknown mode ${mode}`);
}

if (values.child) {
  console.log(JSON.stringify(await child(values.child)));
} else {
  const self = fileURLToPath(import.meta.url);
  const run = (mode: string, w: number): ChildResult => {
    const args = [
      self,
      '--child',
      mode,
      '--data',
      dataDir,
      '--workers',
      String(w),
      ...(values.limit ? ['--limit', values.limit] : []),
    ];
    const out = execFileSync(process.execPath, args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'] });
    const last = out.trim().split('\n').pop() ?? '{}';
    return JSON.parse(last) as ChildResult;
  };
  const before = await machineParallelism(workers);
  console.log(
    `machine parallelism  : ${before.toFixed(2)} of ${workers} threads get a core (CPU time / wall time of ${workers} spinning threads)`,
  );
  // other jobs on the machine add noise: alternate the modes and keep each one's best run
  const best = (a: ChildResult, b: ChildResult) => (b.images_per_s > a.images_per_s ? b : a);
  let raw = run('raw', 1);
  let many = run('pool', workers);
  for (let i = 1; i < rounds; i++) {
    raw = best(raw, run('raw', 1));
    many = best(many, run('pool', workers));
  }
  console.log(
    `raw one-process loop : ${raw.images_per_s.toFixed(2)} images/s (${raw.images} images, ${raw.seconds.toFixed(1)} s), CPU/wall ${raw.cpu_per_wall.toFixed(2)}, peak RSS ${raw.peak_rss_mb} MB`,
  );
  const one = run('pool', 1);
  console.log(
    `pool, 1 worker       : ${one.images_per_s.toFixed(2)} images/s, peak RSS ${one.peak_rss_mb} MB (process = parent + 1 worker)`,
  );
  console.log(
    `pool, ${workers} workers      : ${many.images_per_s.toFixed(2)} images/s, CPU/wall ${many.cpu_per_wall.toFixed(2)}, peak RSS ${many.peak_rss_mb} MB, ratio to raw loop ${(many.images_per_s / raw.images_per_s).toFixed(2)}x, collector ${many.gc}`,
  );
  const big = run('big', 1);
  console.log(
    `24 MP group photo    : ${(big.seconds / big.images).toFixed(2)} s/image, ${big.faces}/16 faces, peak RSS ${big.peak_rss_mb} MB (parent + 1 worker)`,
  );
  const after = await machineParallelism(workers);
  console.log(`machine parallelism  : ${after.toFixed(2)} after the runs`);
  const perWorker = Math.round((many.peak_rss_mb - many.baseline_rss_mb) / workers);
  console.log(
    JSON.stringify({
      cores: availableParallelism(),
      machine_parallelism_before: before,
      machine_parallelism_after: after,
      images: raw.images,
      raw_images_per_s: raw.images_per_s,
      pool1_images_per_s: one.images_per_s,
      pool_workers: workers,
      pool_images_per_s: many.images_per_s,
      pool_ratio_to_raw: many.images_per_s / raw.images_per_s,
      raw_cpu_per_wall: raw.cpu_per_wall,
      pool_cpu_per_wall: many.cpu_per_wall,
      pool1_ratio_to_raw: one.images_per_s / raw.images_per_s,
      raw_peak_rss_mb: raw.peak_rss_mb,
      pool1_peak_rss_mb: one.peak_rss_mb,
      pool_peak_rss_mb: many.peak_rss_mb,
      pool_peak_rss_per_worker_mb: perWorker,
      big_24mp_s_per_image: big.seconds / big.images,
      big_24mp_faces_found: big.faces,
      big_24mp_peak_rss_mb_one_worker: big.peak_rss_mb,
      failed: raw.failed + one.failed + many.failed + big.failed,
    }),
  );
}
