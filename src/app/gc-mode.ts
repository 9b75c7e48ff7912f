/**
 * V8's garbage collector on the thread that allocates, while a pool keeps every core busy.
 *
 * By default V8 marks, sweeps and scavenges partly on helper threads. With one engine worker per core
 * those threads have no idle core to run on: they only take CPU from the workers (measured with
 * `npm run bench:scan`: the scan's CPU per image fell from 128.5 to 120.2 ms, 14.8 to 16.0 images/s).
 * node's own `--single-threaded-gc` does this, but only when given at start (V8 aborts when it, or
 * `--no-parallel-marking`, is set later, and node refuses it in NODE_OPTIONS); the flags below are the
 * part of it V8 accepts at run time, and they take effect for the collections that follow and for the
 * worker threads started after. Set once per process, before the pool's workers start and while no
 * other engine thread runs (a flag changed under another thread's collection in progress could trip
 * V8), right after a full collection here (so none is in progress on this thread); undone the same way
 * once the last pool closed (`collectorAfterPool`), so the interactive app's own thread goes back to
 * node's short, parallel pauses after a scan. SITTER_GC=parallel keeps node's defaults.
 *
 * The same mode also lets the old generation grow three times its live size between full collections
 * (`--heap-growing-percent=200`), where V8 chose about 1.5 times for an engine thread. The old
 * generation of an engine thread grows by about 8 MB per image, so V8 marked its 45 MB heap every
 * third image, 35 ms each, now on the worker's own thread. With the larger step it marks a third as
 * often: a worker's CPU per image fell from about 88 to 79 ms (`npm run bench:scan`). The limit
 * between collections is then up to about 70 MB higher per worker; the measured peak, about 45 MB
 * (docs/engine.md). The flag is process-wide: it also fixes the main thread's step at 3x (V8 may
 * choose 1.1 to 4 there), and it overrides V8's smaller steps for memory pressure, which is why node
 * started with `--optimize-for-size` or a growth of its own is left alone too.
 */
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { SitterError } from '../core/domain/errors.js';

export const GC_ON_CALLING_THREAD_FLAGS = [
  '--no-concurrent-marking',
  '--no-concurrent-sweeping',
  '--no-concurrent-array-buffer-sweeping',
  '--no-parallel-scavenge',
  '--no-parallel-compaction',
  '--no-parallel-pointer-update',
] as const;

/** The old generation's growth between full collections while a pool runs: 3x the live size (1 + 200%). */
export const POOL_HEAP_GROWING_FLAG = '--heap-growing-percent=200';
/** V8's own choice again (0: growth chosen from the collector's measured speed). */
const DEFAULT_HEAP_GROWING_FLAG = '--heap-growing-percent=0';

/** `node-flags`: node was started with collector flags of its own, which Sitter leaves as they are. */
export type GcMode = 'calling-thread' | 'parallel' | 'node-flags';

const COLLECTOR_FLAG =
  /^--(?:no-)?(?:single-threaded-gc|single-threaded|predictable|heap-growing-percent|optimize-for-size|concurrent-marking|concurrent-sweeping|concurrent-array-buffer-sweeping|parallel-scavenge|parallel-compaction|parallel-pointer-update|parallel-marking)(?:=|$)/;

/** Did the user start node with a collector flag (on its command line, or in NODE_OPTIONS)? */
function startedWithCollectorFlags(env: NodeJS.ProcessEnv): boolean {
  const given = [...process.execArgv, ...(env.NODE_OPTIONS ?? '').split(/\s+/)];
  return given.some((flag) => COLLECTOR_FLAG.test(flag.replace(/_/g, '-')));
}

let applied: GcMode | null = null;

/** Where this process collects garbage now (`parallel` until a pool moved it). */
export function gcModeNow(): GcMode {
  return applied ?? 'parallel';
}

/** What SITTER_GC asks for: `parallel` (node's defaults) or, unset or `auto`, the GC on the allocating thread. */
export function gcModeFrom(env: NodeJS.ProcessEnv = process.env): 'auto' | 'parallel' {
  const value = (env.SITTER_GC ?? '').trim().toLowerCase();
  if (value === '' || value === 'auto') return 'auto';
  if (value === 'parallel') return 'parallel';
  throw new SitterError(
    'SITTER_GC_INVALID',
    `SITTER_GC="${env.SITTER_GC}" is not a garbage collection mode.`,
    "Use SITTER_GC=parallel to keep node's parallel collector, or leave it unset (auto).",
  );
}

/**
 * Before a pool of `workers` engine threads starts: when they take every core, the collector works on
 * the allocating thread from now on. With a core to spare (fewer workers than cores), with other
 * engine threads already running (`otherThreads`), or with SITTER_GC=parallel, node's defaults stay.
 * Returns the mode the process now runs.
 */
export function collectorForPool(
  workers: number,
  cores: number,
  otherThreads: number,
  env: NodeJS.ProcessEnv = process.env,
): GcMode {
  if (applied === 'calling-thread') return applied;
  const asked = gcModeFrom(env);
  if (startedWithCollectorFlags(env)) return (applied = 'node-flags');
  if (asked === 'parallel' || workers < cores || otherThreads > 0) return 'parallel';
  setCollectorFlags([...GC_ON_CALLING_THREAD_FLAGS, POOL_HEAP_GROWING_FLAG]);
  return (applied = 'calling-thread');
}

/**
 * After a pool closed: with no engine thread left (`runningThreads`), node's parallel collector again.
 * Returns the mode the process now runs.
 */
export function collectorAfterPool(runningThreads: number): GcMode {
  if (applied !== 'calling-thread' || runningThreads > 0) return gcModeNow();
  // V8's own growth first (it has nothing to do with marking in progress), so the full collection
  // below already sets this thread's next limit V8's way, not 3x.
  setFlagsFromString(DEFAULT_HEAP_GROWING_FLAG);
  setCollectorFlags(GC_ON_CALLING_THREAD_FLAGS.map((flag) => flag.replace(/^--no-/, '--')));
  applied = null;
  return gcModeNow();
}

function setCollectorFlags(flags: readonly string[]): void {
  // A full collection first: no marking of this thread is in progress when the flags change.
  setFlagsFromString('--expose-gc');
  (runInNewContext('gc') as () => void)();
  for (const flag of flags) setFlagsFromString(flag);
}
