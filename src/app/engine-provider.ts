/**
 * The face engine, loaded only when a service asks for it (after its checks): `pool` is a worker
 * pool for scans (one engine per worker; default one per core), `single` one in-process engine for
 * small jobs such as enrolment. Loading here, not at start-up, keeps `sitter --help` fast.
 */
import { availableParallelism } from 'node:os';
import type { EngineProvider } from '../core/ports/providers.js';
import { collectorForPool } from './gc-mode.js';

export const lazyEngines: EngineProvider = {
  async open(kind, options = {}) {
    const { FacePool, LocalFaceEngine, DEFAULT_CALIBRATION } = await import('../core/engine/index.js');
    if (kind === 'pool') {
      const cores = availableParallelism();
      collectorForPool(options.workers ?? cores, cores, FacePool.running);
    }
    const engine =
      kind === 'pool'
        ? await FacePool.create(options.workers ? { workers: options.workers } : {})
        : await LocalFaceEngine.create();
    return { engine, calibration: DEFAULT_CALIBRATION };
  },
};
