/**
 * Scan throughput on this machine, as a ratio to a raw one-process detect-and-embed loop over the
 * same images in the same run:
 *
 *   npm run bench:scan [-- --data DIR --workers N]
 *
 * The raw loop is one LocalFaceEngine in a process of its own, analysing each image in turn. The scan is the
 * real scan service (connector listing, hashing, matching, encryption, SQLite commits, audit) on a
 * worker pool. Model loading is excluded from both. Other jobs on a 2-core machine take cores at
 * random, so the two alternate `--rounds` times (default 2) and each keeps its best run, as
 * `npm run bench` does. Prints a table and, last, one JSON object.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { availableParallelism, tmpdir } from 'node:os';
import { extname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { givenConnector, givenEngine } from '../src/app/given-providers.js';
import { builtinRegistry } from '../src/connectors/index.js';
import { parseConsentFile } from '../src/core/consent/index.js';
import { DEFAULT_CALIBRATION, FacePool, LocalFaceEngine } from '../src/core/engine/index.js';
import { systemClock } from '../src/core/ports/clock.js';
import { importConsent } from '../src/core/services/consent-service.js';
import { enrolShoot } from '../src/core/services/enrol-service.js';
import { scanInFlight, scanShoot } from '../src/core/services/scan-service.js';
import { approveShoot, createShoot } from '../src/core/services/shoot-service.js';
import { consentFileAccessFor, readConsentFile } from '../src/core/store/files/consent-files.js';
import { fsFileReader } from '../src/core/store/files/file-reader.js';
import { initWorkspace, openWorkspace } from '../src/core/store/workspace.js';
import { allowUndated } from '../src/core/services/scope-service.js';
import { machineParallelism } from './machine-parallelism.js';
import { collectorForPool } from '../src/app/gc-mode.js';
import { cpuByKind, threadCpu } from './thread-cpu.js';

const { values } = parseArgs({
  options: {
    data: { type: 'string', default: '../shared/faces' },
    workers: { type: 'string' },
    rounds: { type: 'string', default: '2' },
    'raw-child': { type: 'boolean' },
    /** assets in flight (default: what `sitter scan` uses, scanInFlight); to compare settings */
    'in-flight': { type: 'string' },
    /** node flags for both loops, space-separated (default none, as `sitter` runs): e.g. --single-threaded-gc */
    'node-flags': { type: 'string' },
    /**
     * node flags for the raw loop's process only, e.g. `--raw-node-flags=--heap-growing-percent=200`:
     * the raw loop under a V8 setting the scan's pool sets for itself (a collector flag given to the
     * scan's process at start would make it leave its collector as node was started)
     */
    'raw-node-flags': { type: 'string' },
  },
});
// `--node-flags`: both loops run under them (docs/engine.md, "Scan throughput": the GC opt-in); this
// process re-runs itself with them, and the raw loop's process gets them too.
const nodeFlags = (values['node-flags'] ?? '').split(/\s+/).filter(Boolean);
const rawNodeFlags = (values['raw-node-flags'] ?? '').split(/\s+/).filter(Boolean);
if (!values['raw-child'] && !nodeFlags.every((f) => process.execArgv.includes(f))) {
  const again = spawnSync(process.execPath, [...nodeFlags, fileURLToPath(import.meta.url), ...process.argv.slice(2)], {
    stdio: 'inherit',
  });
  process.exit(again.status ?? 1);
}
const rounds = Math.max(1, Number(values.rounds ?? 2));
const dataDir = resolve(values.data ?? '../shared/faces');
const workers = Number(values.workers ?? availableParallelism());
const inFlight = Number(values['in-flight'] ?? scanInFlight(workers));
const manifest = JSON.parse(readFileSync(join(dataDir, 'manifest.json'), 'utf8')) as {
  images: { file: string; role: string; identities: string[] }[];
};
const scored = manifest.images.filter((e) => e.role !== 'enrol');
// Raw loop: one engine, one image at a time, in a process of its own (as the scan runs in the CLI's).
if (values['raw-child']) {
  const raw = await LocalFaceEngine.create();
  const bytes = scored.map((e) => readFileSync(join(dataDir, e.file)));
  const t0 = performance.now();
  const cpu0 = process.cpuUsage();
  for (const b of bytes) await raw.analyse(b).catch(() => null);
  const cpu = process.cpuUsage(cpu0);
  process.stdout.write(`${(performance.now() - t0) / 1000} ${(cpu.user + cpu.system) / 1000 / bytes.length}\n`);
  await raw.close();
  process.exit(0);
}
const root = mkdtempSync(join(tmpdir(), 'sitter-bench-scan-'));
const shootDir = join(root, 'shoot');
mkdirSync(shootDir);
for (const e of scored) copyFileSync(join(dataDir, e.file), join(shootDir, e.file.replace(/[\\/]/g, '__')));

/** The raw loop's seconds, and the CPU (every thread of its process) it spent per image. */
function rawLoop(): { seconds: number; cpuMsPerImage: number } {
  const out = execFileSync(
    process.execPath,
    [...nodeFlags, ...rawNodeFlags, fileURLToPath(import.meta.url), '--raw-child', '--data', dataDir],
    {
      encoding: 'utf8',
    },
  );
  const [seconds, cpu] = (out.trim().split('\n').at(-1) ?? '').split(' ').map(Number);
  return { seconds: seconds ?? NaN, cpuMsPerImage: cpu ?? NaN };
}

// The real scan on a pool.
const consentDir = join(root, 'consent');
mkdirSync(join(consentDir, 'refs'), { recursive: true });
const rows = [
  'participant_id,name,biometric_consent,signed_at,expires_at,withdrawn_at,form_ref,form_sha256,reference_photo,minor,guardian,publication_scopes',
];
for (const e of manifest.images.filter((i) => i.role === 'enrol')) {
  const id = e.identities[0]!;
  const ref = `refs/${id}${extname(e.file)}`;
  copyFileSync(join(dataDir, e.file), join(consentDir, ref));
  writeFileSync(join(consentDir, `${id}.txt`), id);
  rows.push(
    [
      id,
      id,
      'yes',
      '2026-01-01',
      '',
      '',
      `${id}.txt`,
      createHash('sha256').update(id).digest('hex'),
      ref,
      'no',
      '',
      'web',
    ].join(','),
  );
}
const consentFile = join(consentDir, 'consent.csv');
writeFileSync(consentFile, `${rows.join('\n')}\n`);
await initWorkspace(join(root, 'ws'));
const ws = await openWorkspace(join(root, 'ws'));
const ctx = { store: ws.store, clock: systemClock, keyVault: ws.keyVault, actor: 'bench' };
// The collector as `sitter scan` sets it before its pool starts (src/app/engine-provider.ts).
const gcMode = collectorForPool(workers, availableParallelism(), FacePool.running);
const pool = await FacePool.create({ workers });
type ThreadShare = ReturnType<typeof cpuByKind>;
async function scanOnce(round: number): Promise<{
  seconds: number;
  processed: number;
  failed: number;
  mainBusyMsPerAsset: number;
  cpuMsPerAsset: number;
  threads: ThreadShare;
}> {
  const id = `b${round}`;
  await createShoot(ctx, {
    id,
    name: id,
    purpose: 'bench',
    source: shootDir,
    retentionDays: 1,
    connector: 'local',
    reviewersRequired: 1,
    from: '2026-01-01',
    to: '2026-12-31',
    utcOffset: '+00:00',
  });
  await importConsent(
    ctx,
    id,
    await parseConsentFile(await readConsentFile(consentFile), consentFileAccessFor(consentFile)),
    consentFile,
  );
  await approveShoot(ctx, id, 'BENCH', 'bench');
  await enrolShoot(ctx, { engines: givenEngine(pool, DEFAULT_CALIBRATION), files: fsFileReader }, id);
  // The benchmark photos carry no capture time: a first pass holds them (no inference), a person's
  // allowance lets the timed pass analyse them.
  const deps = {
    connectors: givenConnector(builtinRegistry().create('local')),
    engines: givenEngine(pool, DEFAULT_CALIBRATION),
  };
  await scanShoot(ctx, deps, id, { concurrency: inFlight });
  await allowUndated(ctx, id, 'all-held', 'benchmark photos without EXIF');
  const t0 = performance.now();
  // the main thread's own work (listing, fetch, hashing, matching, encryption, SQLite), beside the workers'
  const elu0 = performance.eventLoopUtilization();
  // and the CPU of every thread of this process (main, engine workers, sharp's and SQLite's threads)
  const cpu0 = process.cpuUsage();
  const threads0 = threadCpu();
  const summary = await scanShoot(ctx, deps, id, { concurrency: inFlight });
  const busy = performance.eventLoopUtilization(elu0).active;
  const cpu = process.cpuUsage(cpu0);
  const threads = cpuByKind(threads0, threadCpu(), workers);
  return {
    seconds: (performance.now() - t0) / 1000,
    processed: summary.processed,
    failed: summary.failed.length,
    mainBusyMsPerAsset: busy / Math.max(1, summary.processed),
    cpuMsPerAsset: (cpu.user + cpu.system) / 1000 / Math.max(1, summary.processed),
    threads,
  };
}

const parallelismBefore = await machineParallelism(workers);
console.log(`machine parallelism: ${parallelismBefore.toFixed(2)} of ${workers} threads get a core (before)`);
let raw = { seconds: Infinity, cpuMsPerImage: NaN };
let best = {
  seconds: Infinity,
  processed: 0,
  failed: 0,
  mainBusyMsPerAsset: 0,
  cpuMsPerAsset: NaN,
  threads: { main: 0, engineWorkers: 0, libvips: 0, otherNodeThreads: 0 } as ThreadShare,
};
for (let r = 0; r < rounds; r++) {
  const rr = rawLoop();
  if (rr.seconds < raw.seconds) raw = rr;
  const s = await scanOnce(r);
  if (s.seconds < best.seconds) best = s;
}
const parallelismAfter = await machineParallelism(workers);
const embeddingRuntime = pool.embeddingRuntime;
await pool.close();
await ws.close();
rmSync(root, { recursive: true, force: true });
const scanSeconds = best.seconds;
const summary = best;

const rawRate = scored.length / raw.seconds;
const scanRate = scored.length / scanSeconds;
const result = {
  images: scored.length,
  workers,
  in_flight: inFlight,
  node_flags: nodeFlags.join(' '),
  raw_node_flags: rawNodeFlags.join(' '),
  // where the scan's process collects garbage (src/app/gc-mode.ts; SITTER_GC=parallel: node's defaults)
  scan_gc: gcMode,
  // the same net on either runtime (docs/engine.md, "Embedding on onnxruntime"); both loops use the same
  embedding_runtime: embeddingRuntime ?? 'unknown',
  raw_images_per_s: +rawRate.toFixed(2),
  scan_images_per_s: +scanRate.toFixed(2),
  ratio: +(scanRate / rawRate).toFixed(2),
  processed: summary.processed,
  failed: summary.failed,
  machine_parallelism_before: +parallelismBefore.toFixed(2),
  machine_parallelism_after: +parallelismAfter.toFixed(2),
  main_thread_busy_ms_per_asset: +summary.mainBusyMsPerAsset.toFixed(1),
  raw_cpu_ms_per_image: +raw.cpuMsPerImage.toFixed(1),
  scan_cpu_ms_per_image: +summary.cpuMsPerAsset.toFixed(1),
  // where the scan's CPU went, ms per image, by kind of thread (Linux; thread-cpu.ts)
  scan_cpu_ms_per_image_by_thread: Object.fromEntries(
    Object.entries(summary.threads).map(([k, ms]) => [k, +(ms / Math.max(1, summary.processed)).toFixed(1)]),
  ),
  // how busy the two cores were during the scan: its CPU over the cores' time
  scan_cores_busy: +((summary.cpuMsPerAsset * summary.processed) / 1000 / scanSeconds / workers).toFixed(3),
  // the scan's process (parent and engine workers), over the whole bench: enrolment and both passes
  scan_process_peak_rss_mb: Math.round(process.resourceUsage().maxRSS / 1024),
  rounds,
};
console.log(`embedding runtime:    ${result.embedding_runtime}`);
console.log(`node flags (both):    ${result.node_flags || 'none'}`);
if (result.raw_node_flags) console.log(`raw loop's own flags: ${result.raw_node_flags}`);
console.log(`scan's collector:     ${result.scan_gc} (SITTER_GC=parallel for node's defaults)`);
console.log(`raw one-process loop: ${result.raw_images_per_s} images/s`);
console.log(
  `scan, ${workers} workers:      ${result.scan_images_per_s} images/s (${result.ratio}x the raw loop; target >= 1.7x on 2 cores)`,
);
console.log(`machine parallelism: ${result.machine_parallelism_after} (after)`);
console.log(`main thread busy:     ${result.main_thread_busy_ms_per_asset} ms per asset (store, fetch, hashing)`);
console.log(`scan process peak:    ${result.scan_process_peak_rss_mb} MB RSS (parent and ${workers} engine workers)`);
// 2 free cores give at most 2000 ms of CPU a second: what each image costs bounds the rate
console.log(
  `CPU per image:        raw loop ${result.raw_cpu_ms_per_image} ms, scan ${result.scan_cpu_ms_per_image} ms (all threads of the process)`,
);
const by = result.scan_cpu_ms_per_image_by_thread;
console.log(
  `scan CPU by thread:   main ${by.main} ms, engine workers ${by.engineWorkers}, libvips ${by.libvips}, ` +
    `other node threads (libuv pool: sharp calls, SQLite; V8 compile/GC) ${by.otherNodeThreads}; ` +
    `cores busy ${result.scan_cores_busy}`,
);
console.log(JSON.stringify(result));
