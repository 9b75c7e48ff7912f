/**
 * `sitter scan SHOOT --queue`: the shoot's pending assets become jobs on the team's scan queue, which
 * `sitter worker` processes on any machine holding the workspace key. Each queued asset has a
 * `ScanJob` row at its listed version: queuing twice adds nothing twice, and a worker settles the row
 * in the same unit of work as the asset's faces, so an asset is analysed once however often its job runs.
 */
import { listedVersion } from '../domain/scan-job-key.js';
import { largestFirstBy } from '../domain/scan-order.js';
import type { Asset, ScanJob } from '../domain/records.js';
import type { Connector, ListedAsset, SkippedEntry } from '../ports/connector.js';
import type { ConnectorProvider } from '../ports/providers.js';
import type { QueuedAsset, ScanJobData, ScanQueue, SendOptions } from '../ports/scan-queue.js';
import type { ServiceContext } from './context.js';
import { listEverything } from './scan-listing.js';
import { admitScan } from './scan-service.js';

export interface QueueScanDeps {
  connectors: ConnectorProvider;
  queue: ScanQueue;
}

export interface QueueScanOptions {
  /** assets per job (default 1) */
  batchSize?: number;
  /** a job active longer than this is taken as lost and handed out again (default 600 s) */
  jobTimeoutSeconds?: number;
  /** tries after the first before a job is dead-lettered (default 5) */
  retryLimit?: number;
  /** the first retry's delay, doubled at each next one (default 10 s) */
  retryDelaySeconds?: number;
  pageSize?: number;
}

export const QUEUE_DEFAULTS = { batchSize: 1, jobTimeoutSeconds: 600, retryLimit: 5, retryDelaySeconds: 10 } as const;

export interface QueueScanSummary {
  shootId: string;
  listed: number;
  /** assets put on the queue by this run (new, or changed since they were last queued) */
  queued: number;
  /** assets queued before and not yet settled: their jobs are sent again, and the queue keeps one of each */
  requeued: number;
  /** assets analysed at the listed version already (by a worker or a local scan) */
  unchanged: number;
  jobs: number;
  batchSize: number;
  notImages: SkippedEntry[];
}

/** The listed asset as a job carries it (JSON), and back. */
export function toQueuedAsset(a: ListedAsset): QueuedAsset {
  return {
    id: a.id,
    fileName: a.fileName,
    ...(a.size !== undefined ? { size: a.size } : {}),
    modifiedAt: a.modifiedAt.toISOString(),
    ...(a.contentHash !== undefined ? { contentHash: a.contentHash } : {}),
    ...(a.capturedAt !== undefined ? { capturedAt: a.capturedAt } : {}),
    ...(a.revision !== undefined ? { revision: a.revision } : {}),
  };
}

export function fromQueuedAsset(a: QueuedAsset): ListedAsset {
  return { ...a, modifiedAt: new Date(a.modifiedAt) };
}

/**
 * Analysed at this listing already, as far as the listing can tell without a download (the local
 * scan's own rule): the same change token, or the same content hash of the original.
 */
function unchangedByListing(connector: Connector, before: Asset | undefined, item: ListedAsset): boolean {
  if (before?.scanState !== 'scanned') return false;
  if (connector.capabilities.revisions === true && item.revision !== undefined)
    return before.sourceRevision === item.revision;
  return item.contentHash !== undefined && before.contentSha256 === item.contentHash && before.rendition === null;
}

/** Lists the shoot through its connector and queues every asset not yet analysed at its listed version. */
export async function queueShootScan(
  ctx: ServiceContext,
  deps: QueueScanDeps,
  shootId: string,
  opts: QueueScanOptions = {},
): Promise<QueueScanSummary> {
  const shoot = await admitScan(ctx, shootId);
  const batchSize = Math.max(1, opts.batchSize ?? QUEUE_DEFAULTS.batchSize);
  const connector = await deps.connectors.forShoot(shoot);
  let listing: { assets: ListedAsset[]; skipped: SkippedEntry[] };
  try {
    listing = await listEverything(connector, shoot.source, opts.pageSize ?? 200);
  } finally {
    await connector.close?.();
  }
  const now = ctx.clock.now();
  const { rows, queued, unchanged } = await ctx.store.transaction(async (uow) => {
    const known = new Map((await uow.assets.listByShoot(shootId)).map((a) => [a.connectorAssetId, a]));
    const existing = new Map(
      (await uow.scanJobs.listByShoot(shootId)).map((j) => [`${j.connectorAssetId}\n${j.version}`, j]),
    );
    const toSend: { row: ScanJob; asset: ListedAsset }[] = [];
    const fresh: { item: ListedAsset; version: string }[] = [];
    let unchangedCount = 0;
    for (const item of listing.assets) {
      const version = listedVersion(item);
      const job = existing.get(`${item.id}\n${version}`);
      if (job?.outcome != null || (!job && unchangedByListing(connector, known.get(item.id), item))) {
        unchangedCount += 1;
      } else if (job) {
        toSend.push({ row: job, asset: item });
      } else {
        fresh.push({ item, version });
      }
    }
    // New rows largest first, as a local scan (domain/scan-order.ts): the queue hands jobs out in the
    // order sent, so no large photo is left for one worker at the end. Rows sent before go first, in
    // the order they were added (their row ids, which follow the size order of the run that added
    // them), so a batch still waiting is cut as it was last time: its singletonKey matches and pg-boss
    // keeps one of each.
    toSend.sort((a, b) => a.row.id - b.row.id);
    const freshLargestFirst = largestFirstBy(fresh, (f) => f.item.size);
    const added = await uow.scanJobs.addMany(
      freshLargestFirst.map(({ item, version }) => ({
        shootId,
        connectorAssetId: item.id,
        version,
        queuedAt: now,
        outcome: null,
        error: null,
        worker: null,
        settledAt: null,
      })),
    );
    added.forEach((row, i) => toSend.push({ row, asset: freshLargestFirst[i]!.item }));
    await uow.audit.append(
      {
        actor: ctx.actor,
        action: 'scan.queued',
        shootId,
        subject: `shoot:${shootId}`,
        details: {
          connector: connector.info.name,
          listed: listing.assets.length,
          queued: added.length,
          requeued: toSend.length - added.length,
          unchanged: unchangedCount,
          batchSize,
        },
      },
      now,
    );
    return { rows: toSend, queued: added.length, unchanged: unchangedCount };
  });
  // Each run's rows are cut into batches on their own (they share queuedAt), so a later run's rows
  // never fill up an earlier run's last batch, whose job is still waiting under its own key.
  const jobs: ScanJobData[] = [];
  for (const group of groupedByRun(rows)) {
    for (let i = 0; i < group.length; i += batchSize) {
      jobs.push({
        shootId,
        items: group
          .slice(i, i + batchSize)
          .map(({ row, asset }) => ({ row: row.id, version: row.version, asset: toQueuedAsset(asset) })),
      });
    }
  }
  const send: SendOptions = {
    expireInSeconds: opts.jobTimeoutSeconds ?? QUEUE_DEFAULTS.jobTimeoutSeconds,
    retryLimit: opts.retryLimit ?? QUEUE_DEFAULTS.retryLimit,
    retryDelaySeconds: opts.retryDelaySeconds ?? QUEUE_DEFAULTS.retryDelaySeconds,
  };
  // After the commit: rows without a job (the queue was unreachable just now) are sent by the next run.
  await deps.queue.send(jobs, send);
  return {
    shootId,
    listed: listing.assets.length,
    queued,
    requeued: rows.length - queued,
    unchanged,
    jobs: jobs.length,
    batchSize,
    notImages: listing.skipped,
  };
}

/** Rows in order, in runs of those the same `scan --queue` added (the same queuedAt). */
function groupedByRun<T extends { row: ScanJob }>(rows: readonly T[]): T[][] {
  const groups: T[][] = [];
  for (const r of rows) {
    const last = groups.at(-1);
    if (last && last[0]!.row.queuedAt.getTime() === r.row.queuedAt.getTime()) last.push(r);
    else groups.push([r]);
  }
  return groups;
}
