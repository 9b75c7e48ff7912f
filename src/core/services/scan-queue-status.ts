/**
 * `sitter scan --status SHOOT`: where the shoot's queued scan stands, from both sides. The workspace's
 * `ScanJob` rows say what is settled (and by which worker); the queue says what waits, runs, is
 * retried after a failure, or was dead-lettered once its retries were spent (with the last error).
 */
import type { ScanJobOutcome } from '../domain/records.js';
import type { QueueJobView, ScanQueue } from '../ports/scan-queue.js';
import { type ServiceContext, requireShoot } from './context.js';

export interface QueueProblem {
  assets: string[];
  retries: number;
  lastError: string | null;
}

export interface QueueStatus {
  shootId: string;
  /** assets ever queued for the shoot (at each listed version) */
  assets: number;
  /** assets whose result is stored, by outcome */
  settled: Record<ScanJobOutcome, number>;
  /** assets not settled yet */
  open: number;
  jobs: { waiting: number; active: number; retrying: number; deadLettered: number };
  /** jobs waiting for their next try after a failure */
  retrying: QueueProblem[];
  /** jobs whose retries are spent: their assets stay unscanned until queued again */
  deadLettered: QueueProblem[];
  /** assets settled as failed (a permanent error recorded on the asset, as the local scan does) */
  failed: { asset: string; error: string | null; worker: string | null }[];
  /** the workers that settled assets of this shoot, with how many and when last */
  workers: { worker: string; assets: number; lastSeen: Date }[];
  /** nothing open, nothing waiting, running or being retried */
  finished: boolean;
}

function problem(j: QueueJobView): QueueProblem {
  return { assets: j.assets, retries: j.retries, lastError: j.lastError };
}

export async function queueStatus(
  ctx: ServiceContext,
  queue: Pick<ScanQueue, 'jobsOf'>,
  shootId: string,
): Promise<QueueStatus> {
  const rows = await ctx.store.transaction(async (uow) => {
    await requireShoot(uow, shootId);
    return uow.scanJobs.listByShoot(shootId);
  });
  const jobs = await queue.jobsOf(shootId);
  const settled: Record<ScanJobOutcome, number> = {
    analysed: 0,
    unchanged: 0,
    failed: 0,
    refused: 0,
    held: 0,
    skipped: 0,
  };
  const workers = new Map<string, { worker: string; assets: number; lastSeen: Date }>();
  for (const r of rows) {
    if (r.outcome === null) continue;
    settled[r.outcome] += 1;
    if (r.worker === null || r.settledAt === null) continue;
    const w = workers.get(r.worker) ?? { worker: r.worker, assets: 0, lastSeen: r.settledAt };
    w.assets += 1;
    if (r.settledAt > w.lastSeen) w.lastSeen = r.settledAt;
    workers.set(r.worker, w);
  }
  const count = (state: QueueJobView['state']) => jobs.filter((j) => j.state === state).length;
  const open = rows.filter((r) => r.outcome === null).length;
  const openAssets = new Set(rows.filter((r) => r.outcome === null).map((r) => r.connectorAssetId));
  const deadLettered = jobs.filter((j) => j.state === 'dead-lettered' && j.assets.some((a) => openAssets.has(a)));
  const status: QueueStatus = {
    shootId,
    assets: rows.length,
    settled,
    open,
    jobs: {
      waiting: count('waiting'),
      active: count('active'),
      retrying: count('retrying'),
      deadLettered: deadLettered.length,
    },
    retrying: jobs.filter((j) => j.state === 'retrying').map(problem),
    // Once queued again and settled, a dead-lettered job is history, not a problem.
    deadLettered: deadLettered.map(problem),
    failed: rows
      .filter((r) => r.outcome === 'failed')
      .map((r) => ({ asset: r.connectorAssetId, error: r.error, worker: r.worker })),
    workers: [...workers.values()].sort((a, b) => a.worker.localeCompare(b.worker)),
    finished: false,
  };
  status.finished = open === 0 && status.jobs.waiting + status.jobs.active + status.jobs.retrying === 0;
  return status;
}
