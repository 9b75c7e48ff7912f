/**
 * A worker_threads pool implementing FaceEngine: one LocalFaceEngine per worker, default one worker
 * per core. Jobs queue in the parent; each worker analyses one image at a time and holds at most one
 * more, waiting in its own queue, so it goes on to the next image without waiting for this thread
 * (busy with the store, say) to hand it over. A worker that dies is replaced: the image it was
 * analysing is rejected with ENGINE_WORKER_DIED (reported, never dropped), the one waiting goes back
 * to the queue.
 * Memory stays bounded: detection inputs are capped in size, the wasm heap of a worker only grows, so
 * a worker whose RSS share passes `recycleAboveMb` is retired after its image and replaced.
 */
import { existsSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { Worker } from 'node:worker_threads';
import { BugError, SitterError } from '../domain/errors.js';
import type { AnalyseOptions, FaceAnalysis, FaceEngine, ModelIdentity } from '../ports/face-engine.js';
import type { EngineOptions } from './local-engine.js';
import { loadVerifiedModels } from './model-manifest.js';
import { projectRoot } from './packages.js';
import type { WorkerRequest, WorkerResponse } from './worker.js';

export interface PoolOptions extends EngineOptions {
  /** number of workers (default: available cores) */
  workers?: number;
  /** the compiled worker script (default: worker.js next to this module, or the build's when run from source) */
  workerUrl?: URL;
  /** retire a worker after an image when process RSS / workers exceeds this (MB); default 900 */
  recycleAboveMb?: number;
  /** a worker still busy with one image after this long is stopped and the image reported (default 300 s) */
  imageTimeoutMs?: number;
}

interface Job {
  id: number;
  bytes: Uint8Array;
  /** the caller handed the bytes over: they move to the worker instead of being copied */
  handOver: boolean;
  /** asked back from the worker it waits in, for one that went idle (`rebalance`) */
  returning?: boolean;
  resolve: (a: FaceAnalysis) => void;
  reject: (e: Error) => void;
}

/**
 * Images a worker holds: the one it analyses and one waiting behind it. The waiting one is what keeps a
 * worker busy while this thread is (a scan's SQLite commit, a fetch): measured, a worker otherwise
 * idles about 8% of a scan between images (docs/engine.md, "Scan throughput").
 */
const WORKER_DEPTH = 2;

interface Slot {
  worker: Worker;
  ready: boolean;
  /** what this worker embeds with, and why not onnxruntime (its ready message) */
  runtime?: string;
  fallback?: string;
  /** stopped by the pool to fall back to tfjs-wasm: its replacement is not a restart */
  replaced?: boolean;
  /** in the worker's order: the first is being analysed, the rest wait in the worker (at most WORKER_DEPTH) */
  jobs: Job[];
  retiring: boolean;
  timer?: NodeJS.Timeout;
  timedOut?: boolean;
}

export interface PoolStats {
  workers: number;
  restarts: number;
  deaths: number;
  recycled: number;
  /** highest process RSS seen, MB (all workers share one process) */
  peakRssMb: number;
}

function defaultWorkerUrl(): URL {
  const here = new URL(import.meta.url);
  if (here.pathname.endsWith('.js')) return new URL('./worker.js', here);
  // running from TypeScript sources (tests): use the build
  const built = join(projectRoot(), 'dist', 'src', 'core', 'engine', 'worker.js');
  if (!existsSync(built))
    throw new SitterError('ENGINE_NOT_BUILT', `The face engine worker is not built (${built}).`, 'Run npm run build.');
  return pathToFileURL(built);
}

/**
 * What moves to the worker instead of being copied: a handed-over image whose array is its whole
 * buffer, sent to a worker that starts on it at once. An array that is a view into a larger (or shared)
 * buffer is copied: moving it would empty bytes that are not the image's. So is an image that waits in
 * a worker: should the worker die first, the image goes to another, and the pool still holds it.
 */
function movable(job: Job, startsAtOnce: boolean): ArrayBuffer[] {
  const { buffer, byteOffset, byteLength } = job.bytes;
  return startsAtOnce &&
    job.handOver &&
    buffer instanceof ArrayBuffer &&
    byteOffset === 0 &&
    byteLength === buffer.byteLength
    ? [buffer]
    : [];
}

const POOL_CLOSED = () => new BugError('face pool closed with images still queued');

const isOnnx = (runtime: string) => runtime.startsWith('onnxruntime');

export class FacePool implements FaceEngine {
  readonly model: ModelIdentity;
  /** what the workers embed with (each chooses alike: embedder-choice.ts) */
  embeddingRuntime: string | undefined;
  embeddingFallback: string | undefined;
  /** set once the pool fell back to tfjs-wasm: every worker started from then on must use it */
  private pinned: 'wasm' | undefined;
  /** the workers of create() are up and hold one runtime (oneRuntime) */
  private settled = false;
  private readonly slots: Slot[] = [];
  private readonly queue: Job[] = [];
  private nextId = 1;
  private closed = false;
  private readonly workerUrl: URL;
  private readonly size: number;
  private fatal: SitterError | null = null;
  /** set when no worker is left and none could be started: every later image fails with it */
  private broken: Error | null = null;
  readonly stats: PoolStats;
  /** pools of this process not closed yet (their worker threads run) */
  static running = 0;

  private constructor(
    private readonly options: PoolOptions,
    model: ModelIdentity,
  ) {
    this.model = model;
    this.workerUrl = options.workerUrl ?? defaultWorkerUrl();
    this.size = Math.max(1, options.workers ?? availableParallelism());
    this.stats = { workers: this.size, restarts: 0, deaths: 0, recycled: 0, peakRssMb: 0 };
  }

  /** Verify the models (in this thread, for an early clear error), then start the workers. */
  static async create(options: PoolOptions = {}): Promise<FacePool> {
    const models = loadVerifiedModels(options);
    const pool = new FacePool(options, models.identity);
    FacePool.running++;
    const ready = Array.from({ length: pool.size }, () => pool.spawn());
    try {
      await Promise.all(ready);
      await pool.oneRuntime();
    } catch (e) {
      await pool.close();
      throw e;
    }
    return pool;
  }

  /**
   * Every worker embeds with the same runtime, the one the scan puts on its record: when the workers
   * chose differently at start (onnxruntime failed its check in one thread only), the pool falls back
   * to tfjs-wasm, the path that always works, for all of them.
   */
  private async oneRuntime(): Promise<void> {
    const wasm = this.slots.find((s) => s.ready && s.runtime !== undefined && !isOnnx(s.runtime));
    if (wasm && this.slots.some((s) => s.ready && s.runtime !== undefined && isOnnx(s.runtime)))
      await this.fallBackToWasm(wasm);
    this.settled = true;
  }

  /**
   * From now on every worker embeds on tfjs-wasm: the onnxruntime ones are replaced (their exit starts
   * the replacement, held to tfjs-wasm by SITTER_EMBEDDER), and the reason is kept. Also when a worker
   * started later to replace another cannot use onnxruntime: images are never lost for it.
   */
  private async fallBackToWasm(wasm: Slot): Promise<void> {
    this.pinned = 'wasm';
    this.embeddingRuntime = wasm.runtime;
    this.embeddingFallback =
      `onnxruntime-node is not used: not every engine thread could use it` +
      (wasm.fallback ? ` (${wasm.fallback.replace(/^onnxruntime-node is not used: /, '')})` : '');
    const onnx = this.slots.filter((s) => s.runtime !== undefined && isOnnx(s.runtime));
    // 'exit' follows an 'error' too (events.once would reject on it): the switch never throws
    const stopped = onnx.map((s) => new Promise<void>((resolve) => s.worker.once('exit', () => resolve())));
    for (const slot of onnx) {
      // No image is lost to the switch: one waiting goes to another worker, the one being analysed
      // finishes here, then the worker stops (its exit starts the replacement).
      slot.retiring = true;
      slot.replaced = true;
      this.takeBackWaiting(slot);
      if (slot.jobs.length === 0) void slot.worker.terminate();
    }
    this.pump();
    await Promise.all(stopped);
  }

  private workerData() {
    const { workers: _w, workerUrl: _u, recycleAboveMb: _r, imageTimeoutMs: _t, ...engine } = this.options;
    return engine;
  }

  private spawn(): Promise<void> {
    const worker = new Worker(fileURLToPath(this.workerUrl), {
      workerData: this.workerData(),
      // Held to tfjs-wasm once the pool fell back to it (fallBackToWasm).
      ...(this.pinned ? { env: { ...process.env, SITTER_EMBEDDER: this.pinned } } : {}),
    });
    const slot: Slot = { worker, ready: false, jobs: [], retiring: false };
    this.slots.push(slot);
    return new Promise<void>((resolve, reject) => {
      let started = false;
      worker.on('message', (msg: WorkerResponse) => {
        this.noteRss(msg);
        if (msg.type === 'ready') {
          started = true;
          slot.runtime = msg.embeddingRuntime;
          slot.fallback = msg.embeddingFallback;
          // A replacement that could not use onnxruntime where the others do: all of them fall back.
          if (this.settled && !isOnnx(msg.embeddingRuntime) && this.embeddingRuntime && isOnnx(this.embeddingRuntime))
            void this.fallBackToWasm(slot).catch((e: unknown) => this.failAll(e as Error));
          if (!this.settled) {
            this.embeddingRuntime = msg.embeddingRuntime;
            this.embeddingFallback = msg.embeddingFallback;
          }
          slot.ready = true;
          resolve();
          this.pump();
          return;
        }
        if (msg.type === 'failed') {
          const err = new SitterError(msg.error.code, msg.error.message, msg.error.hint);
          this.fatal = err;
          reject(err);
          return;
        }
        if (msg.type === 'returned') {
          // an image given back before it started: to the front of the queue, for an idle worker
          const i = slot.jobs.findIndex((j) => j.id === msg.id);
          const back = i > 0 ? slot.jobs.splice(i, 1)[0] : undefined;
          if (back) {
            back.returning = false;
            if (this.closed) back.reject(POOL_CLOSED());
            else {
              this.queue.unshift(back);
              this.pump();
            }
          }
          return;
        }
        const job = slot.jobs[0];
        if (!job || job.id !== msg.id) return;
        slot.jobs.shift();
        clearTimeout(slot.timer);
        // the worker went on to the image waiting behind this one
        this.startClock(slot);
        if (msg.type === 'result') {
          const a = msg.analysis;
          job.resolve({
            image: a.image,
            faces: a.faces.map((f) => ({ ...f, embedding: new Float32Array(f.embedding) })),
            ...(a.embeddingRuntime ? { embeddingRuntime: a.embeddingRuntime } : {}),
          });
        } else if (msg.error.kind === 'sitter')
          job.reject(new SitterError(msg.error.code, msg.error.message, msg.error.hint, msg.error.details));
        else job.reject(new BugError(`face engine worker: ${msg.error.message}`));
        const limit = (this.options.recycleAboveMb ?? 900) * 1024 * 1024;
        if (!slot.retiring && msg.rss / this.size > limit && !this.closed) {
          slot.retiring = true;
          this.stats.recycled++;
        }
        // A worker recycled or being replaced (fallBackToWasm) gets no more images and stops once the
        // one it went on to is done.
        if (slot.retiring && slot.jobs.length === 0) void worker.terminate();
        this.pump();
      });
      worker.on('error', () => {
        /* followed by 'exit' */
      });
      worker.on('exit', (code) => {
        const i = this.slots.indexOf(slot);
        if (i >= 0) this.slots.splice(i, 1);
        if (!started) {
          reject(
            this.fatal ??
              new SitterError(
                'ENGINE_WORKER_FAILED',
                `A face engine worker could not start (exit code ${code}).`,
                'Run npm ci, then retry.',
              ),
          );
          return;
        }
        clearTimeout(slot.timer);
        if (this.closed) {
          // stopped by close(): what it held is rejected as the pool's, not counted as a death
          for (const held of slot.jobs.splice(0)) held.reject(POOL_CLOSED());
          return;
        }
        // Images waiting behind the one analysed were not started: another worker takes them.
        this.takeBackWaiting(slot);
        const job = slot.jobs.shift();
        if (job && slot.timedOut) {
          this.stats.deaths++;
          job.reject(
            new SitterError(
              'ENGINE_TIMEOUT',
              `The face engine took longer than ` +
                `${Math.round((this.options.imageTimeoutMs ?? 300_000) / 1000)} s on this image and was ` +
                `stopped; the image was not processed.`,
              'Retry the image alone; if it times out again, downscale or re-export it.',
            ),
          );
        } else if (job) {
          this.stats.deaths++;
          job.reject(
            new SitterError(
              'ENGINE_WORKER_DIED',
              `The face engine worker stopped (exit code ${code}) while analysing this image; the image was not processed.`,
              'Retry the image; if it fails again, the file may crash the decoder: check or re-export it.',
              { exitCode: code },
            ),
          );
        }
        if (!this.closed) {
          if (!slot.replaced) this.stats.restarts++;
          this.spawn().catch((e: unknown) => this.failAll(e as Error));
          this.pump();
        }
      });
    });
  }

  private noteRss(msg: WorkerResponse): void {
    if ('rss' in msg) this.stats.peakRssMb = Math.max(this.stats.peakRssMb, Math.round(msg.rss / 1048576));
  }

  private failAll(e: Error): void {
    // A replacement worker could not start: with no worker left, not even starting, nothing would take a job
    // again, so later images fail at once instead of waiting forever.
    if (!this.closed && this.slots.length === 0) this.broken = e;
    for (const job of this.queue.splice(0)) job.reject(e);
  }

  /**
   * Hands queued images to workers: first one to each idle worker, then one more to each busy worker
   * (up to WORKER_DEPTH), so an idle worker never waits behind a busy one's queue.
   */
  private pump(): void {
    this.dispatch();
    if (this.queue.length === 0) this.rebalance();
  }

  private dispatch(): void {
    for (let depth = 1; depth <= WORKER_DEPTH; depth++) {
      for (const slot of this.slots) {
        if (!this.takesWork(slot) || slot.jobs.length >= depth) continue;
        const job = this.queue.shift();
        if (!job) return;
        const startsAtOnce = slot.jobs.length === 0;
        slot.jobs.push(job);
        if (startsAtOnce) this.startClock(slot);
        slot.worker.postMessage(
          { type: 'analyse', id: job.id, bytes: job.bytes } satisfies WorkerRequest,
          movable(job, startsAtOnce),
        );
      }
    }
  }

  private takesWork(slot: Slot): boolean {
    return slot.ready && !slot.retiring && !this.closed;
  }

  /**
   * With nothing queued, a worker that went idle must not wait while another holds an image behind a
   * slow one: that image is asked back (the worker returns it unless it has started it) and goes to
   * the idle worker.
   */
  private rebalance(): void {
    const held = this.slots.flatMap((s) => s.jobs.slice(1).map((job) => ({ slot: s, job })));
    // one image asked back per idle worker, counting those already on their way back
    const idle =
      this.slots.filter((s) => this.takesWork(s) && s.jobs.length === 0).length -
      held.filter(({ job }) => job.returning).length;
    const waiting = held.filter(({ job }) => !job.returning);
    for (const { slot, job } of waiting.slice(0, Math.max(0, idle))) {
      job.returning = true;
      slot.worker.postMessage({ type: 'return', id: job.id } satisfies WorkerRequest);
    }
  }

  /** The time limit of the image a worker analyses now (the first it holds), from when it started it. */
  private startClock(slot: Slot): void {
    if (slot.jobs.length === 0) return;
    slot.timer = setTimeout(() => {
      slot.timedOut = true;
      // no image goes to it any more, even if its result was already on its way
      slot.retiring = true;
      this.takeBackWaiting(slot);
      void slot.worker.terminate();
      this.pump();
    }, this.options.imageTimeoutMs ?? 300_000);
  }

  /**
   * The images waiting behind a worker's current one go back to the front of the queue, in order: the
   * worker is being stopped, and they were not started (the pool kept their bytes: `movable`).
   */
  private takeBackWaiting(slot: Slot): void {
    const waiting = slot.jobs.splice(1);
    for (const job of waiting) job.returning = false;
    if (this.closed) for (const job of waiting) job.reject(POOL_CLOSED());
    else this.queue.unshift(...waiting);
  }

  analyse(image: Uint8Array, options: AnalyseOptions = {}): Promise<FaceAnalysis> {
    if (this.closed) return Promise.reject(new BugError('face pool is closed'));
    if (this.broken) return Promise.reject(this.broken);
    return new Promise<FaceAnalysis>((resolve, reject) => {
      this.queue.push({ id: this.nextId++, bytes: image, handOver: options.handOver === true, resolve, reject });
      this.pump();
    });
  }

  async close(): Promise<void> {
    const wasOpen = !this.closed;
    this.closed = true;
    this.failAll(POOL_CLOSED());
    for (const slot of this.slots) clearTimeout(slot.timer);
    await Promise.all(this.slots.map((s) => s.worker.terminate()));
    // anything a worker's last messages put back in the queue meanwhile
    this.failAll(POOL_CLOSED());
    this.slots.length = 0;
    // Only once its threads are gone: a pool started meanwhile must still see them (gc-mode.ts).
    if (wasOpen) FacePool.running--;
  }
}
