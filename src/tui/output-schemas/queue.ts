import type { z } from 'zod';
import { bool, int, list, nullable, num, obj, str, time } from './common.js';

/** The distributed scan's outputs (issue 15): scan --queue, scan --status, worker. */
const problem = obj({ assets: list(str), retries: int, lastError: nullable(str) });

export const queueSchemas = {
  'scan-queue': obj({
    shoot: str,
    listed: int,
    queued: int,
    requeued: int,
    unchanged: int,
    jobs: int,
    batchSize: int,
    notImages: list(obj({ asset: str, reason: str, message: str })),
  }),
  'scan-status': obj({
    shoot: str,
    assets: int,
    settled: obj({ analysed: int, unchanged: int, failed: int, refused: int, held: int, skipped: int }),
    open: int,
    jobs: obj({ waiting: int, active: int, retrying: int, deadLettered: int }),
    retrying: list(problem),
    deadLettered: list(problem),
    failed: list(obj({ asset: str, error: nullable(str), worker: nullable(str) })),
    workers: list(obj({ worker: str, assets: int, lastSeen: time })),
    finished: bool,
  }),
  worker: obj({
    worker: str,
    concurrency: int,
    engineWorkers: int,
    parallelism: int,
    seconds: num,
    jobs: int,
    analysed: int,
    unchanged: int,
    failed: int,
    alreadySettled: int,
    imagesPerSecond: num,
  }),
} satisfies Record<string, z.ZodType>;
