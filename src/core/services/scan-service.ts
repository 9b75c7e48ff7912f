import { UNDATED_ALLOWED_FLAG } from '../domain/asset-flags.js';
import { isDiskFull } from '../domain/disk-full.js';
import { BugError, isSitterError, SitterError } from '../domain/errors.js';
import { type MatchThresholds } from '../domain/matching.js';
import type { Asset } from '../domain/records.js';
import { matchLimits } from '../domain/match-limits.js';
import { assertListedAsset } from '../domain/scope.js';
import { assertBiometricProcessingAllowed, type Shoot } from '../domain/shoot.js';
import { captureVerdict, requireShootDates } from '../domain/shoot-dates.js';
import type { Connector, ListedAsset, SkippedEntry } from '../ports/connector.js';
import type { ConnectorProvider, EngineProvider } from '../ports/providers.js';
import type { FaceAnalysis, FaceEngine, MatchCalibration } from '../ports/face-engine.js';
import { type ServiceContext, requireShoot } from './context.js';
import { retryWhileLocked } from './retry-locked.js';
import { sweepLapsedConsent } from './withdrawal.js';
import { loadMatchingRoster } from './scan-roster.js';
import { contentHashMisreported, listEverything } from './scan-listing.js';
import { recordFailure, recordOutOfScope, storeAnalysis } from './scan-records.js';

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
  lock?: (shootId: string) => { release(): void };
}

/** What the scan works with once the checks passed: the connector and a loaded engine. */
interface ScanPorts {
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
}

export interface AssetFailure {
  asset: string;
  code: string;
  message: string;
}

export interface ScanSummary {
  shootId: string;
  rosterHash: string;
  listed: number;
  processed: number;
  unchanged: number;
  failed: AssetFailure[];
  notImages: SkippedEntry[];
  /** assets captured outside the shoot's days: refused before any biometric processing */
  outsideDates: { asset: string; capturedAt: string }[];
  /** assets without a capture time, held until a person allows them (`sitter shoot allow-undated`) */
  noCaptureTime: string[];
  faces: number;
  proposed: number;
  unidentified: number;
  stopped: boolean;
}

/**
 * The scan: lists the shoot's assets through its connector, analyses each new or changed one, and
 * stores the proposals. Each asset is committed on its own, so a scan killed at any point resumes
 * where it stopped; an unchanged asset (same content hash) is not processed again.
 */
export async function scanShoot(
  ctx: ServiceContext,
  deps: ScanDeps,
  shootId: string,
  opts: ScanOptions = {},
): Promise<ScanSummary> {
  const shoot = await ctx.store.transaction(async (uow) => {
    const s = await requireShoot(uow, shootId);
    assertBiometricProcessingAllowed(s, 'scanning', ctx.clock.now());
    requireShootDates(s);
    await sweepLapsedConsent(uow, shootId, ctx.clock.now(), ctx.actor);
    return s;
  });
  const lock = deps.lock?.(shoot.id);
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
    lock?.release();
  }
}

/** The scan proper, on a shoot whose checks passed, with its connector and a loaded engine. */
async function scanWith(ctx: ServiceContext, deps: ScanPorts, shoot: Shoot, opts: ScanOptions): Promise<ScanSummary> {
  const shootId = shoot.id;
  if (deps.calibration.modelDigest !== deps.engine.model.digest) {
    throw new BugError(
      `calibration is for model ${deps.calibration.modelDigest}, the engine runs ${deps.engine.model.digest}`,
    );
  }
  const dates = requireShootDates(shoot);
  const limits: MatchThresholds = matchLimits(shoot, deps.calibration);
  const roster = await loadMatchingRoster(ctx, shoot, deps.engine.model.digest);
  await ctx.store.transaction((uow) =>
    uow.audit.append(
      {
        actor: ctx.actor,
        action: 'scan.started',
        shootId,
        subject: `shoot:${shootId}`,
        details: {
          rosterHash: roster.hash,
          participants: [...roster.refs.values()].sort(),
          model: deps.engine.model.id,
          modelDigest: deps.engine.model.digest,
          threshold: limits.threshold,
          margin: limits.margin,
          connector: deps.connector.info.name,
        },
      },
      ctx.clock.now(),
    ),
  );

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
    outsideDates: [],
    noCaptureTime: [],
    faces: 0,
    proposed: 0,
    unidentified: 0,
    stopped: false,
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
  const isUnchanged = (asset: Asset | undefined, hash: string | undefined) =>
    asset?.scanState === 'scanned' &&
    hash !== undefined &&
    asset.contentSha256 === hash &&
    (!opts.rescan || decided.has(asset.id));

  const processOne = async (item: ListedAsset): Promise<void> => {
    assertListedAsset(shootId, listedIds, item.id); // rule 1, for every asset the scan touches
    const before = known.get(item.id);
    if (isUnchanged(before, item.contentHash)) {
      summary.unchanged += 1;
      return;
    }
    let analysis: FaceAnalysis;
    let contentHash: string;
    let size: number;
    try {
      const fetched = await deps.connector.fetch(shoot.source, item.id);
      assertListedAsset(shootId, listedIds, fetched.asset.id); // the bytes must be of the asset that was listed
      contentHash = fetched.contentHash;
      size = fetched.bytes.byteLength;
      if (isUnchanged(before, contentHash)) {
        summary.unchanged += 1;
        return;
      }
      // Historical or unrelated content stays out: judged on the capture time before any face is looked for.
      const verdict = captureVerdict(dates, fetched.asset.capturedAt ?? item.capturedAt ?? null);
      const allowedUndated =
        before?.flags.includes(UNDATED_ALLOWED_FLAG) === true && before.contentSha256 === contentHash;
      if (verdict.kind === 'outside') {
        summary.outsideDates.push({ asset: item.id, capturedAt: verdict.capturedAt });
        await recordOutOfScope(
          ctx,
          shoot.id,
          item,
          contentHash,
          size,
          'refused',
          `outside-shoot-dates: captured ${verdict.capturedAt}, the shoot is ${dates.from} to ${dates.to} (${dates.utcOffset})`,
          { capturedAt: verdict.capturedAt, from: dates.from, to: dates.to },
        );
        return;
      }
      if (verdict.kind === 'no-capture-time' && !allowedUndated) {
        summary.noCaptureTime.push(item.id);
        await recordOutOfScope(
          ctx,
          shoot.id,
          item,
          contentHash,
          size,
          'held',
          'no-capture-time: the photo carries no capture time; a person decides whether it belongs to the shoot',
          {},
        );
        return;
      }
      analysis = await deps.engine.analyse(fetched.bytes);
      // The hash the record keeps (and push hands back as expectedContentHash) is the one of what the
      // engine analysed: a connector whose fetch misreports it would have names land on other content.
      if (analysis.image.contentHash !== contentHash)
        throw contentHashMisreported(deps.connector, item.id, contentHash, analysis.image.contentHash);
    } catch (error) {
      // A full disk is no one asset's fault, and every next asset would fail the same way: the scan stops.
      if (!isSitterError(error) || isDiskFull(error)) throw error;
      summary.failed.push({ asset: item.id, code: error.code, message: error.message });
      await retryWhileLocked(() => recordFailure(ctx, shootId, item, error));
      return;
    }
    // Other commands may hold the database for a moment (a decision, a withdrawal): wait for them.
    const counts = await retryWhileLocked(() =>
      storeAnalysis(ctx, shoot, item, contentHash, size, analysis, roster, limits),
    );
    summary.processed += 1;
    summary.faces += counts.faces;
    summary.proposed += counts.proposed;
    summary.unidentified += counts.unidentified;
  };

  // A small pool of in-flight assets: the engine (a worker pool) does the heavy work in parallel.
  const queue = [...listed];
  const failed = new AbortController();
  const workers = Array.from({ length: Math.max(1, opts.concurrency ?? 1) }, async () => {
    for (let item = queue.shift(); item; item = queue.shift()) {
      if (failed.signal.aborted) return;
      if (opts.signal?.aborted) {
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
      try {
        await processOne(item);
      } catch (error) {
        failed.abort();
        throw error;
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
            listed: summary.listed,
            processed: summary.processed,
            unchanged: summary.unchanged,
            failed: summary.failed.length,
            notImages: skipped.length,
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
