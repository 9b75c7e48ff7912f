/**
 * A worker_threads pool implementing FaceEngine: one LocalFaceEngine per worker, default one worker
 * per core. Jobs queue in the parent; each worker takes one image at a time. A worker that dies is
 * replaced and the image it held is rejected with ENGINE_WORKER_DIED (reported, never dropped).
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
  resolve: (a: FaceAnalysis) => void;
  reject: (e: Error) => void;
}

interface Slot {
  worker: Worker;
  ready: boolean;
  /** what this worker embeds with (its ready message) */
  runtime?: string;
  job: Job | null;
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
 * buffer. An array that is a view into a larger (or shared) buffer is copied: moving it would empty
 * bytes that are not the image's.
 */
function movable(job: Job): ArrayBuffer[] {
  const { buffer, byteOffset, byteLength } = job.bytes;
  return job.handOver && buffer instanceof ArrayBuffer && byteOffset === 0 && byteLength === buffer.byteLength
    ? [buffer]
    : [];
}

export class FacePool implements FaceEngine {
  readonly model: ModelIdentity;
  /** what the workers embed with (each chooses alike: embedder-choice.ts) */
  embeddingRuntime: string | undefined;
  embeddingFallback: string | undefined;
  /** the runtime every worker started from now on must use (SITTER_EMBEDDER), once the pool has one */
  private pinned: 'onnx' | 'wasm' | undefined;
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
   * Every worker embeds with the same runtime, the one the scan puts on its record: workers that chose
   * differently at start (onnxruntime failed its check in one thread only) are all replaced by
   * tfjs-wasm ones, the path that always works; and a worker started later to replace one is held to
   * the pool's runtime (SITTER_EMBEDDER), so the record stays true for every image.
   */
  private async oneRuntime(): Promise<void> {
    const runtimes = new Set(this.slots.map((s) => s.runtime));
    const first = this.slots[0]?.runtime ?? '';
    this.pinned = runtimes.size > 1 ? 'wasm' : first.startsWith('onnxruntime') ? 'onnx' : 'wasm';
    if (runtimes.size === 1) return;
    const fallback = this.slots.find((s) => s.runtime && !s.runtime.startsWith('onnxruntime'));
    this.embeddingRuntime = fallback?.runtime;
    this.embeddingFallback = `onnxruntime-node is not used: not every engine thread could use it (${fallback?.runtime ?? 'tfjs-wasm'} in another)`;
    const others = this.slots.filter((s) => s.runtime?.startsWith('onnxruntime'));
    // Each one's exit starts its replacement, held to tfjs-wasm (the exit handler).
    for (const slot of others) slot.retiring = true;
    await Promise.all(others.map((s) => s.worker.terminate()));
  }

  private workerData() {
    const { workers: _w, workerUrl: _u, recycleAboveMb: _r, imageTimeoutMs: _t, ...engine } = this.options;
    return engine;
  }

  private spawn(): Promise<void> {
    const worker = new Worker(fileURLToPath(this.workerUrl), {
      workerData: this.workerData(),
      // Held to the pool's runtime once it has one (oneRuntime).
      ...(this.pinned ? { env: { ...process.env, SITTER_EMBEDDER: this.pinned } } : {}),
    });
    const slot: Slot = { worker, ready: false, job: null, retiring: false };
    this.slots.push(slot);
    return new Promise<void>((resolve, reject) => {
      let started = false;
      worker.on('message', (msg: WorkerResponse) => {
        this.noteRss(msg);
        if (msg.type === 'ready') {
          started = true;
          slot.runtime = msg.embeddingRuntime;
          this.embeddingRuntime = msg.embeddingRuntime;
          if (!this.pinned) this.embeddingFallback = msg.embeddingFallback;
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
        const job = slot.job;
        if (!job || job.id !== msg.id) return;
        slot.job = null;
        clearTimeout(slot.timer);
        if (msg.type === 'result') {
          const a = msg.analysis;
          job.resolve({
            image: a.image,
            faces: a.faces.map((f) => ({ ...f, embedding: new Float32Array(f.embedding) })),
          });
        } else if (msg.error.kind === 'sitter')
          job.reject(new SitterError(msg.error.code, msg.error.message, msg.error.hint, msg.error.details));
        else job.reject(new BugError(`face engine worker: ${msg.error.message}`));
        const limit = (this.options.recycleAboveMb ?? 900) * 1024 * 1024;
        if (msg.rss / this.size > limit && !this.closed) {
          slot.retiring = true;
          this.stats.recycled++;
          void worker.terminate();
          return;
        }
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
        const job = slot.job;
        clearTimeout(slot.timer);
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
          this.stats.restarts++;
          this.spawn().catch((e: unknown) => this.failAll(e as Error));
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

  private pump(): void {
    for (const slot of this.slots) {
      if (!slot.ready || slot.job || slot.retiring) continue;
      const job = this.queue.shift();
      if (!job) return;
      slot.job = job;
      slot.timer = setTimeout(() => {
        slot.timedOut = true;
        void slot.worker.terminate();
      }, this.options.imageTimeoutMs ?? 300_000);
      slot.worker.postMessage({ id: job.id, bytes: job.bytes } satisfies WorkerRequest, movable(job));
    }
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
    if (!this.closed) FacePool.running--;
    this.closed = true;
    this.failAll(new BugError('face pool closed with images still queued'));
    await Promise.all(this.slots.map((s) => s.worker.terminate()));
    this.slots.length = 0;
  }
}
