/**
 * The face engine, loaded only when a service asks for it (after its checks): `pool` is a worker
 * pool for scans (one engine per worker; default one per core), `single` one in-process engine for
 * small jobs such as enrolment. Loading here, not at start-up, keeps `sitter --help` fast.
 */
import { availableParallelism } from 'node:os';
import type { EngineProvider } from '../core/ports/providers.js';
import { collectorAfterPool, collectorForPool } from './gc-mode.js';

export const lazyEngines: EngineProvider = {
  async open(kind, options = {}) {
    const { FacePool, LocalFaceEngine, DEFAULT_CALIBRATION } = await import('../core/engine/index.js');
    if (kind === 'pool') {
      const cores = availableParallelism();
      collectorForPool(options.workers ?? cores, cores, FacePool.running);
    }
    if (kind !== 'pool') return { engine: await LocalFaceEngine.create(), calibration: DEFAULT_CALIBRATION };
    const pool = await FacePool.create(options.workers ? { workers: options.workers } : {}).catch((e: unknown) => {
      collectorAfterPool(FacePool.running);
      throw e;
    });
    // The pool's threads gone, the process (the interactive app, say) collects in parallel again.
    const close = pool.close.bind(pool);
    pool.close = async () => {
      try {
        await close();
      } finally {
        collectorAfterPool(FacePool.running);
      }
    };
    return { engine: pool, calibration: DEFAULT_CALIBRATION };
  },
};
