/**
 * Worker thread entry: one LocalFaceEngine per worker (the wasm backend is single-threaded, so one
 * worker per core uses the machine). Messages: { id, bytes } in, { id, ok, analysis | error } out.
 */
import { parentPort, workerData } from 'node:worker_threads';
import sharp from 'sharp';
import { isSitterError } from '../domain/errors.js';
import type { FaceAnalysis } from '../ports/face-engine.js';
import { LocalFaceEngine, type EngineOptions } from './local-engine.js';

/**
 * `analyse`: an image, analysed in turn. `return`: give back an image not started yet (the pool hands
 * it to a worker that went idle); answered `returned`, or not at all when the image has started.
 */
export type WorkerRequest = { type: 'analyse'; id: number; bytes: Uint8Array } | { type: 'return'; id: number };
export interface WorkerError {
  kind: 'sitter' | 'bug';
  code: string;
  message: string;
  hint?: string;
  details?: unknown;
}
export type WorkerResponse =
  | { type: 'result'; id: number; analysis: FaceAnalysis; rss: number }
  | { type: 'error'; id: number; error: WorkerError; rss: number }
  | { type: 'returned'; id: number }
  | { type: 'ready'; rss: number; embeddingRuntime: string; embeddingFallback?: string }
  | { type: 'failed'; error: WorkerError };

const port =
  parentPort ??
  ((): never => {
    throw new Error('worker.ts must run in a worker thread');
  })();
const options = (workerData ?? {}) as EngineOptions;

function errorOf(e: unknown): WorkerError {
  if (isSitterError(e))
    return {
      kind: 'sitter' as const,
      code: e.code,
      message: e.message,
      ...(e.hint ? { hint: e.hint } : {}),
      ...(e.details !== undefined ? { details: e.details } : {}),
    };
  return { kind: 'bug' as const, code: 'BUG', message: e instanceof Error ? e.message : String(e) };
}

// one image at a time per worker and one worker per core: libvips threads would only oversubscribe
// the cores, and its operation cache only holds memory
sharp.concurrency(1);
sharp.cache(false);

let engine: LocalFaceEngine;
try {
  engine = await LocalFaceEngine.create(options);
  port.postMessage({
    type: 'ready',
    rss: process.memoryUsage.rss(),
    embeddingRuntime: engine.embeddingRuntime,
    ...(engine.embeddingFallback ? { embeddingFallback: engine.embeddingFallback } : {}),
  } satisfies WorkerResponse);
} catch (e) {
  port.postMessage({ type: 'failed', error: errorOf(e) } satisfies WorkerResponse);
  process.exit(1);
}

// One image at a time, in the order they came: the pool sends the next image while this one is
// analysed (pool.ts, WORKER_DEPTH), so the worker goes on to it without waiting for the parent thread.
// The waiting image is not touched before its turn: whatever kills the worker is the current image's.
type Analyse = Extract<WorkerRequest, { type: 'analyse' }>;
const waiting: Analyse[] = [];
let analysing = false;

async function analyseWaiting(): Promise<void> {
  analysing = true;
  for (let req = waiting.shift(); req; req = waiting.shift()) {
    try {
      const analysis = await engine.analyse(req.bytes);
      port.postMessage({
        type: 'result',
        id: req.id,
        analysis,
        rss: process.memoryUsage.rss(),
      } satisfies WorkerResponse);
    } catch (e) {
      port.postMessage({
        type: 'error',
        id: req.id,
        error: errorOf(e),
        rss: process.memoryUsage.rss(),
      } satisfies WorkerResponse);
    }
  }
  analysing = false;
}

port.on('message', (req: WorkerRequest) => {
  if (req.type === 'return') {
    const i = waiting.findIndex((w) => w.id === req.id);
    if (i < 0) return; // started already: its result follows
    waiting.splice(i, 1);
    port.postMessage({ type: 'returned', id: req.id } satisfies WorkerResponse);
    return;
  }
  waiting.push(req);
  if (!analysing) void analyseWaiting();
});
