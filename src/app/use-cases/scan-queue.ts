/**
 * The distributed scan (issue 15): `sitter scan SHOOT --queue` puts the shoot's pending assets on the
 * team's queue, `sitter worker` on any machine holding the workspace key processes them with its
 * local engine pool, and `sitter scan --status SHOOT` tells where it stands.
 */
import { availableParallelism, hostname } from 'node:os';
import type { ClaimedJob, ScanQueue } from '../../core/ports/scan-queue.js';
import { type QueueStatus, queueStatus } from '../../core/services/scan-queue-status.js';
import {
  type QueueScanOptions,
  type QueueScanSummary,
  queueShootScan,
} from '../../core/services/scan-queue-service.js';
import { type JobReport, ScanWorker, type WorkerTally } from '../../core/services/scan-worker.js';
import { openInstalledScanQueue, openScanQueue, teamDatabaseOf } from '../queue-provider.js';
import type { Session } from '../session.js';

export async function queueScan(
  session: Session,
  shootId: string,
  options: QueueScanOptions = {},
): Promise<QueueScanSummary> {
  teamDatabaseOf(session); // refused on SQLite before the shoot's connector lists anything
  const queue = await openScanQueue(session);
  try {
    return await queueShootScan(session.ctx, { connectors: session.connectors, queue }, shootId, options);
  } finally {
    await queue.close();
  }
}

/** Reads only: on a database where no scan was ever queued, the shoot has nothing queued (pg-boss's schema is not made). */
export async function scanQueueStatus(session: Session, shootId: string): Promise<QueueStatus> {
  const queue = await openInstalledScanQueue(session);
  try {
    return await queueStatus(session.ctx, queue ?? NO_QUEUE, shootId);
  } finally {
    await queue?.close();
  }
}

const NO_QUEUE: Pick<ScanQueue, 'jobsOf'> = { jobsOf: async () => [] };

export interface WorkerRequest {
  /** engine worker threads (default: one per core) */
  workers?: number;
  /** jobs in flight at once (default: engine workers + 1, so the next image is fetched while the others run) */
  concurrency?: number;
  /** return once the queue holds nothing waiting, running or to be retried */
  untilIdle?: boolean;
  /** stop taking jobs; the ones in hand finish */
  stop: AbortSignal;
  /** stop now: the jobs in hand go back to the queue */
  release?: AbortSignal;
  pollMs?: number;
  onJob?: (report: JobReport) => void;
}

export interface WorkerSummary extends WorkerTally {
  worker: string;
  concurrency: number;
  engineWorkers: number;
  /** the machine's parallelism as Node sees it */
  parallelism: number;
  seconds: number;
}

export async function runWorker(session: Session, request: WorkerRequest): Promise<WorkerSummary> {
  const started = Date.now();
  const queue = await openScanQueue(session);
  const engineWorkers = request.workers ?? availableParallelism();
  // one job more than engine workers: a job's assets go one after another, so more jobs in hand
  // would only make each take longer against --job-timeout
  const concurrency = request.concurrency ?? engineWorkers + 1;
  const worker = `${hostname()}:${process.pid}`;
  let handle;
  try {
    handle = await session.engines.open('pool', { workers: engineWorkers });
    const scanWorker = new ScanWorker(session.ctx, {
      connectors: session.connectors,
      engine: handle.engine,
      calibration: handle.calibration,
      worker,
    });
    try {
      await queue.consume(
        async (job: ClaimedJob) => {
          const report = await scanWorker.handle(job);
          request.onJob?.(report);
          return report;
        },
        {
          concurrency,
          untilIdle: Boolean(request.untilIdle),
          stop: request.stop,
          ...(request.release ? { release: request.release } : {}),
          ...(request.pollMs !== undefined ? { pollMs: request.pollMs } : {}),
        },
      );
    } finally {
      await scanWorker.close();
    }
    return {
      worker,
      concurrency,
      engineWorkers,
      parallelism: availableParallelism(),
      seconds: (Date.now() - started) / 1000,
      ...scanWorker.tally,
    };
  } finally {
    await handle?.engine.close();
    await queue.close();
  }
}

/**
 * The queue's progress for a screen that polls it (the app's shoot screen): one connection to the
 * queue kept open between polls; null on a SQLite workspace and for a shoot with nothing queued.
 */
export function teamQueueStatus(session: Session): ((shootId: string) => Promise<QueueStatus | null>) & {
  close(): Promise<void>;
} {
  const isTeam = session.ws.driver === 'postgresql';
  let queue: ReturnType<typeof openInstalledScanQueue> | null = null;
  const poll = async (shootId: string) => {
    if (!isTeam) return null;
    queue ??= openInstalledScanQueue(session);
    const open = await queue;
    if (!open) {
      queue = null; // nothing queued on this database yet: look again at the next poll
      return null;
    }
    const status = await queueStatus(session.ctx, open, shootId);
    return status.assets > 0 ? status : null;
  };
  return Object.assign(poll, {
    async close() {
      const q = await queue?.catch(() => null);
      await q?.close();
    },
  });
}
