import { BugError, isSitterError, SitterError } from '../domain/errors.js';
import { type MatchThresholds } from '../domain/matching.js';
import type { Asset } from '../domain/records.js';
import { matchLimits } from '../domain/match-limits.js';
import { assertBiometricProcessingAllowed, type Shoot } from '../domain/shoot.js';
import { requireShootDates } from '../domain/shoot-dates.js';
import type { Connector, FetchOptions, ListedAsset, SkippedEntry } from '../ports/connector.js';
import type { ConnectorProvider, EngineProvider } from '../ports/providers.js';
import type { FaceEngine, MatchCalibration } from '../ports/face-engine.js';
import { type ServiceContext, requireShoot } from './context.js';
import { retryWhileLocked } from './retry-locked.js';
import { sweepLapsedConsent } from './withdrawal.js';
import { loadMatchingRoster } from './scan-roster.js';
import { listEverything } from './scan-listing.js';
import { largestFirst } from '../domain/scan-order.js';
import { type AssetFailure, type AssetScanEnv, scanAsset } from './scan-asset.js';
import { scanWriteContext } from './scan-writer.js';
import { DEFAULT_MAX_PAUSE_MS, MAX_REQUEUES, pauseAfter, SourcePause } from './connector-backoff.js';

/**
 * What a scan is given: providers, not a loaded engine, so the shoot's approval, dates and scope are
 * checked once, here, before any connector is made or model loaded.
 */
export interface ScanDeps {
  /** makes the shoot's connector (wrapped so its errors name it); closed when the scan ends */
  connectors: ConnectorProvider;
  /** a worker pool (`pool`) is asked for only after the checks; closed when the scan ends */
  engines: EngineProvider;
  /** engine worker threads (default: the provider's, one per core) */
  workers?: number;
  /** one scan per shoot at a time: taken after the checks, released when the scan ends */
  lock?: (shootId: string) => Promise<{ release(): void | Promise<void> }>;
}

/** What the scan works with once the checks passed: the connector and a loaded engine. */
export interface ScanPorts {
  connector: Connector;
  engine: FaceEngine;
  calibration: MatchCalibration;
}

export interface ScanProgress {
  total: number;
  done: number;
  skipped: number;
  failed: number;
  current?: string;
}

export interface ScanOptions {
  /** a reviewer can stop a scan (AI Act Art. 14); assets already done stay done */
  signal?: AbortSignal;
  onProgress?: (p: ScanProgress) => void;
  /** how many assets are analysed at once (the engine pool's size) */
  concurrency?: number;
  /** reprocess assets whose content did not change */
  rescan?: boolean;
  pageSize?: number;
  /** the longest side of the rendition fetched for detection, from a connector with renditions (default 2048) */
  detectMax?: number;
  /** refuse (fail) an asset whose fetched bytes are larger than this (default 512 MiB) */
  maxBytes?: number;
  /** the longest a scan waits, in total, on a rate-limited or unreachable source before it stops (default 15 min) */
  maxPauseMs?: number;
}

/**
 * How many assets a scan keeps in flight for an engine of `workers` workers. An asset in flight is being
 * fetched, analysed or stored (a SQLite commit on the main thread); with only one spare, a worker waits
 * whenever two stores or fetches overlap. Two per worker keep an image queued for every worker
 * (docs/engine.md, "Scan throughput").
 */
export const scanInFlight = (workers: number): number => 2 * Math.max(1, workers);

/** The longest side of the rendition a scan detects faces on: a larger photo adds bytes, not faces. */
export const DEFAULT_DETECT_MAX = 2048;
/** No photo a scan analyses is larger than this (a cap on what a connector may hand over). */
export const DEFAULT_MAX_FETCH_BYTES = 512 * 1024 * 1024;

export interface ScanSummary {
  shootId: string;
  rosterHash: string;
  listed: number;
  processed: number;
  unchanged: number;
  failed: AssetFailure[];
  notImages: SkippedEntry[];
  /**
   * Every entry the scan did not analyse for a reason that is not a failure: the listing's skips (as in
   * `notImages`) and, at fetch, assets gone since the listing (`deleted`) or that the connector's user
   * may not read (`access-denied`).
   */
  skipped: SkippedEntry[];
  /** assets captured outside the shoot's days: refused before any biometric processing */
  outsideDates: { asset: string; capturedAt: string }[];
  /** assets without a capture time, held until a person allows them (`sitter shoot allow-undated`) */
  noCaptureTime: string[];
  faces: number;
  proposed: number;
  unidentified: number;
  stopped: boolean;
  /**
   * Why the scan stopped early, when it did not stop on request: `rate-limited` when the source stayed
   * busy or unreachable past `maxPauseMs` (the assets not yet done are done by the next scan).
   */
  stopReason?: 'rate-limited';
  /** how long the scan waited, in total, on a rate-limited or unreachable source */
  pausedMs: number;
}

/**
 * The scan: lists the shoot's assets through its connector, analyses each new or changed one, and
 * stores the proposals. Each asset is written whole or not at all (the writes waiting together share
 * a transaction, at most GROUP_COMMIT_MAX), so a scan killed at any point resumes where it stopped,
 * redoing at most the uncommitted batch; an unchanged asset (same content hash) is not processed again.
 */
export async function scanShoot(
  ctx: ServiceContext,
  deps: ScanDeps,
  shootId: string,
  opts: ScanOptions = {},
): Promise<ScanSummary> {
  const shoot = await admitScan(ctx, shootId);
  const lock = await deps.lock?.(shoot.id);
  let connector: Connector | undefined;
  let engine: FaceEngine | undefined;
  try {
    connector = await deps.connectors.forShoot(shoot);
    const handle = await deps.engines.open('pool', deps.workers ? { workers: deps.workers } : {});
    engine = handle.engine;
    return await scanWith(ctx, { connector, engine, calibration: handle.calibration }, shoot, opts);
  } finally {
    await engine?.close();
    await connector?.close?.();
    await lock?.release();
  }
}

/**
 * The checks every scan passes before a connector is made or a model loaded, whether it runs here or
 * on the queue: the shoot exists, is approved, within its retention and dated; lapsed consent is swept.
 */
export async function admitScan(ctx: ServiceContext, shootId: string): Promise<Shoot> {
  return ctx.store.transaction(async (uow) => {
    const s = await requireShoot(uow, shootId);
    assertBiometricProcessingAllowed(s, 'scanning', ctx.clock.now());
    requireShootDates(s);
    await sweepLapsedConsent(uow, shootId, ctx.clock.now(), ctx.actor);
    return s;
  });
}

/**
 * What a scan of the shoot works with (its dates, match limits and the roster's templates), put on
 * the record as it starts: the model, threshold and participants it matches against. A local scan
 * writes `scan.started`; each queue worker `scan.worker-started` with its name.
 */
export async function startScanOn(
  ctx: ServiceContext,
  shoot: Shoot,
  deps: ScanPorts,
  action: 'scan.started' | 'scan.worker-started',
  extra: Record<string, unknown> = {},
) {
  if (deps.calibration.modelDigest !== deps.engine.model.digest) {
    throw new BugError(
      `calibration is for model ${deps.calibration.modelDigest}, the engine runs ${deps.engine.model.digest}`,
    );
  }
  const { dates, limits, roster } = await reloadScanOn(ctx, shoot, deps);
  await ctx.store.transaction((uow) =>
    uow.audit.append(
      {
        actor: ctx.actor,
        action,
        shootId: shoot.id,
        subject: `shoot:${shoot.id}`,
        details: {
          rosterHash: roster.hash,
          participants: [...roster.refs.values()].sort(),
          model: deps.engine.model.id,
          modelDigest: deps.engine.model.digest,
          threshold: limits.threshold,
          margin: limits.margin,
          // the bands that tighten this threshold for faces the engine saw poorly, and the floor below which none is proposed
          ...(deps.calibration.quality ? { qualityPolicy: deps.calibration.quality } : {}),
          connector: deps.connector.info.name,
          // the same net either way (embedder-choice.ts): which runtime ran it, for the record
          ...(deps.engine.embeddingRuntime ? { embeddingRuntime: deps.engine.embeddingRuntime } : {}),
          ...(deps.engine.embeddingFallback ? { embeddingFallback: deps.engine.embeddingFallback } : {}),
          ...extra,
        },
      },
      ctx.clock.now(),
    ),
  );
  return { dates, limits, roster };
}

/** The shoot's dates, match limits and roster, read again (a queue worker's periodic refresh). */
export async function reloadScanOn(ctx: ServiceContext, shoot: Shoot, deps: Omit<ScanPorts, 'connector'>) {
  const dates = requireShootDates(shoot);
  const limits: MatchThresholds = matchLimits(shoot, deps.calibration);
  const roster = await loadMatchingRoster(ctx, shoot, deps.engine.model.digest);
  return { dates, limits, roster };
}

/** The scan proper, on a shoot whose checks passed, with its connector and a loaded engine. */
async function scanWith(ctx: ServiceContext, deps: ScanPorts, shoot: Shoot, opts: ScanOptions): Promise<ScanSummary> {
  const shootId = shoot.id;
  const { dates, limits, roster } = await startScanOn(ctx, shoot, deps, 'scan.started');

  const { assets: listed, skipped } = await listEverything(
    deps.connector,
    shoot.source,
    opts.pageSize ?? 200,
    opts.signal,
  );
  const listedIds = new Set(listed.map((a) => a.id));
  const known = new Map(
    (await ctx.store.transaction((uow) => uow.assets.listByShoot(shootId))).map((a) => [a.connectorAssetId, a]),
  );
  const summary: ScanSummary = {
    shootId,
    rosterHash: roster.hash,
    listed: listed.length,
    processed: 0,
    unchanged: 0,
    failed: [],
    notImages: skipped,
    skipped: [...skipped],
    outsideDates: [],
    noCaptureTime: [],
    faces: 0,
    proposed: 0,
    unidentified: 0,
    stopped: false,
    pausedMs: 0,
  };
  const progress = () =>
    opts.onProgress?.({
      total: listed.length,
      done: summary.processed,
      skipped: summary.unchanged,
      failed: summary.failed.length,
    });

  // Reviewed work is never thrown away: on --rescan, an unchanged asset with decided faces is kept.
  const decided = new Set(
    (await ctx.store.transaction((uow) => uow.faces.listByShootWithoutEmbeddings(shootId)))
      .filter((f) => f.state === 'confirmed' || f.state === 'rejected')
      .map((f) => f.assetId),
  );
  const env: AssetScanEnv = {
    // The assets' writes that wait while another commits share its successor (scan-writer.ts).
    ctx: scanWriteContext(ctx),
    shoot,
    dates,
    connector: deps.connector,
    engine: deps.engine,
    roster,
    limits,
    quality: deps.calibration.quality,
    fetchOptions: scanFetchOptions(deps.connector, opts),
    listedIds,
    ...(opts.signal ? { signal: opts.signal } : {}),
    keep: (asset): asset is Asset => asset?.scanState === 'scanned' && (!opts.rescan || decided.has(asset.id)),
  };
  const pause = new SourcePause();
  const attempts = new Map<string, number>();

  /** One asset; returns the error of a busy source when the asset must wait and go back in the queue. */
  const processOne = async (item: ListedAsset): Promise<{ busy: unknown } | undefined> => {
    const outcome = await scanAsset(env, item, known.get(item.id), {
      mayRetry: (attempts.get(item.id) ?? 0) < MAX_REQUEUES,
    });
    switch (outcome.kind) {
      case 'unchanged':
      case 'settled-elsewhere':
        summary.unchanged += 1;
        return;
      case 'outside':
        summary.outsideDates.push({ asset: item.id, capturedAt: outcome.capturedAt });
        return;
      case 'held':
        summary.noCaptureTime.push(item.id);
        return;
      case 'skipped':
        summary.skipped.push(outcome.entry);
        return;
      case 'stopped':
        summary.stopped = true;
        return;
      case 'busy':
        return { busy: outcome.error };
      case 'failed':
        summary.failed.push(outcome.failure);
        return;
      case 'analysed':
        summary.processed += 1;
        summary.faces += outcome.faces;
        summary.proposed += outcome.proposed;
        summary.unidentified += outcome.unidentified;
        return;
    }
  };

  // A small pool of in-flight assets: the engine (a worker pool) does the heavy work in parallel.
  // Largest first, so no large photo is left to run alone at the end (domain/scan-order.ts).
  const queue = largestFirst(listed);
  const failed = new AbortController();
  const workers = Array.from({ length: Math.max(1, opts.concurrency ?? 1) }, async () => {
    for (let item = queue.shift(); item; item = queue.shift()) {
      if (failed.signal.aborted) return;
      if (summary.stopReason) return;
      if (opts.signal?.aborted || !(await waitOut(pause, opts.signal))) {
        summary.stopped = true;
        return;
      }
      opts.onProgress?.({
        total: listed.length,
        done: summary.processed,
        skipped: summary.unchanged,
        failed: summary.failed.length,
        current: item.fileName,
      });
      let outcome: { busy: unknown } | undefined;
      try {
        outcome = await processOne(item);
      } catch (error) {
        failed.abort();
        throw error;
      }
      if (outcome) {
        const attempt = (attempts.get(item.id) ?? 0) + 1;
        attempts.set(item.id, attempt);
        pause.hold(pauseAfter(outcome.busy, attempt));
        summary.pausedMs = pause.totalMs;
        if (pause.totalMs > (opts.maxPauseMs ?? DEFAULT_MAX_PAUSE_MS)) {
          // Resumable: nothing of this asset or those still queued was recorded, so the next scan does them.
          summary.stopped = true;
          summary.stopReason = 'rate-limited';
          return;
        }
        queue.push(item);
        continue;
      }
      progress();
    }
  });
  // A bug in one asset stops the others (shared abort), is put on the record, then reported.
  const settled = await Promise.allSettled(workers);
  const crash = settled.find((r): r is PromiseRejectedResult => r.status === 'rejected');
  if (crash) {
    try {
      await retryWhileLocked(() =>
        ctx.store.transaction((uow) =>
          uow.audit.append(
            {
              actor: ctx.actor,
              action: 'scan.stopped',
              shootId,
              subject: `shoot:${shootId}`,
              details: {
                rosterHash: roster.hash,
                processed: summary.processed,
                error: String(crash.reason instanceof Error ? crash.reason.message : crash.reason),
              },
            },
            ctx.clock.now(),
          ),
        ),
      );
    } catch {
      // The stop could not be recorded (the disk is full, say): the error that stopped the scan matters more.
    }
    throw scanStoppedBy(crash.reason, summary);
  }

  await retryWhileLocked(() =>
    ctx.store.transaction((uow) =>
      uow.audit.append(
        {
          actor: ctx.actor,
          action: summary.stopped ? 'scan.stopped' : 'scan.finished',
          shootId,
          subject: `shoot:${shootId}`,
          details: {
            rosterHash: roster.hash,
            // What embedded the last images: not the runtime on scan.started only when the pool had to
            // fall back to tfjs-wasm during the scan (pool.ts, one runtime per pool).
            ...(deps.engine.embeddingRuntime ? { embeddingRuntime: deps.engine.embeddingRuntime } : {}),
            listed: summary.listed,
            processed: summary.processed,
            unchanged: summary.unchanged,
            failed: summary.failed.length,
            notImages: skipped.length,
            skipped: summary.skipped.length,
            ...(summary.stopReason ? { stopReason: summary.stopReason } : {}),
            pausedMs: summary.pausedMs,
            outsideDates: summary.outsideDates.length,
            noCaptureTime: summary.noCaptureTime.length,
            faces: summary.faces,
            proposed: summary.proposed,
            unidentified: summary.unidentified,
          },
        },
        ctx.clock.now(),
      ),
    ),
  );
  return summary;
}

/**
 * The error that stopped a scan, told with what the scan had already committed: each finished asset
 * is saved on its own, so "nothing was changed" would be false, and running the scan again
 * continues where it stopped.
 */
function scanStoppedBy(reason: unknown, summary: ScanSummary): unknown {
  if (!isSitterError(reason)) return reason;
  const done = `This scan had committed ${summary.processed} analysed asset${summary.processed === 1 ? '' : 's'} and ${summary.failed.length} failed one${summary.failed.length === 1 ? '' : 's'} before it stopped; they are kept, and running the scan again continues from there.`;
  const hint = (reason.hint ?? '').replace(/\s*Nothing was changed\.?/, '');
  return new SitterError(
    reason.code,
    reason.message,
    `${hint ? `${hint} ` : ''}${done}`,
    {
      ...((reason.details as object | undefined) ?? {}),
      committed: { processed: summary.processed, failed: summary.failed.length, unchanged: summary.unchanged },
    },
    { cause: reason },
  );
}

/**
 * What a scan asks a fetch for: with `capabilities.renditions`, a rendition just large enough to find
 * faces on (boxes are relative, so they apply to the original); always a byte cap, the scan's signal and
 * the lowest priority, so a reviewer's crops and a push go first through the connector's request budget.
 */
export function scanFetchOptions(connector: Connector, opts: ScanOptions): FetchOptions {
  return {
    ...(connector.capabilities.renditions ? { rendition: { maxDimension: opts.detectMax ?? DEFAULT_DETECT_MAX } } : {}),
    priority: 'bulk',
    maxBytes: opts.maxBytes ?? DEFAULT_MAX_FETCH_BYTES,
    ...(opts.signal ? { signal: opts.signal } : {}),
  };
}

/** Waits out the source's pause; false when the scan was stopped while waiting. */
async function waitOut(pause: SourcePause, signal: AbortSignal | undefined): Promise<boolean> {
  try {
    await pause.wait(signal);
    return true;
  } catch (error) {
    if (signal?.aborted) return false;
    throw error;
  }
}
