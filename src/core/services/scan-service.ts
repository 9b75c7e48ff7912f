import { UNDATED_ALLOWED_FLAG } from '../domain/asset-flags.js';
import { isDiskFull } from '../domain/disk-full.js';
import { BugError, isSitterError, SitterError } from '../domain/errors.js';
import { type MatchThresholds } from '../domain/matching.js';
import type { Asset } from '../domain/records.js';
import { matchLimits } from '../domain/match-limits.js';
import { assertListedAsset } from '../domain/scope.js';
import { assertBiometricProcessingAllowed, type Shoot } from '../domain/shoot.js';
import { captureVerdict, requireShootDates } from '../domain/shoot-dates.js';
import { connectorFailureKind } from '../domain/connector-failure.js';
import { renditionKey } from '../domain/rendition.js';
import type { Connector, FetchOptions, ListedAsset, SkippedEntry } from '../ports/connector.js';
import type { ConnectorProvider, EngineProvider } from '../ports/providers.js';
import type { FaceAnalysis, FaceEngine, MatchCalibration } from '../ports/face-engine.js';
import { type ServiceContext, requireShoot } from './context.js';
import { retryWhileLocked } from './retry-locked.js';
import { sweepLapsedConsent } from './withdrawal.js';
import { loadMatchingRoster } from './scan-roster.js';
import { contentHashMisreported, listEverything } from './scan-listing.js';
import { recordFailure, recordOutOfScope, recordRevision, type SourceFacts, storeAnalysis } from './scan-records.js';
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
          // the bands that tighten this threshold for faces the engine saw poorly, and the floor below which none is proposed
          ...(deps.calibration.quality ? { qualityPolicy: deps.calibration.quality } : {}),
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
  const keep = (asset: Asset | undefined): asset is Asset =>
    asset?.scanState === 'scanned' && (!opts.rescan || decided.has(asset.id));
  // A hash says "unchanged" only against a hash of the same bytes (the same rendition).
  const isUnchanged = (asset: Asset | undefined, hash: string | undefined, rendition: string | null) =>
    keep(asset) && hash !== undefined && asset.contentSha256 === hash && asset.rendition === rendition;
  // contract 3: the source's change token says "unchanged" without a download.
  const sameRevision = (asset: Asset | undefined, item: ListedAsset) =>
    deps.connector.capabilities.revisions === true &&
    item.revision !== undefined &&
    keep(asset) &&
    asset.sourceRevision === item.revision;
  const fetchOptions = scanFetchOptions(deps.connector, opts);
  const pause = new SourcePause();
  const attempts = new Map<string, number>();

  /** One asset; returns the error of a busy source when the asset must wait and go back in the queue. */
  const processOne = async (item: ListedAsset): Promise<{ busy: unknown } | undefined> => {
    assertListedAsset(shootId, listedIds, item.id); // rule 1, for every asset the scan touches
    const before = known.get(item.id);
    if (sameRevision(before, item) || isUnchanged(before, item.contentHash, null)) {
      summary.unchanged += 1;
      return;
    }
    let analysis: FaceAnalysis;
    let facts: SourceFacts;
    try {
      const fetched = await deps.connector.fetch(shoot.source, item.id, fetchOptions);
      assertListedAsset(shootId, listedIds, fetched.asset.id); // the bytes must be of the asset that was listed
      const rendition = renditionKey(fetched.rendition);
      facts = {
        contentHash: fetched.contentHash,
        // a rendition's byte count is not the photo's size: only the listing or an original tells it
        size: item.size ?? fetched.asset.size ?? (rendition === null ? fetched.bytes.byteLength : null),
        revision: item.revision ?? null,
        rendition,
      };
      const contentHash = facts.contentHash;
      if (isUnchanged(before, contentHash, rendition)) {
        summary.unchanged += 1;
        // Only metadata moved (another editor, or Sitter's own push): the next scan needs no fetch.
        if (facts.revision !== null && before && before.sourceRevision !== facts.revision)
          await retryWhileLocked(() => recordRevision(ctx, shootId, item, facts.revision));
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
          facts,
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
          facts,
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
      const kind = connectorFailureKind(error);
      // Gone or forbidden since the listing: nothing to analyse, and not the asset's failure.
      if (kind === 'not-found' || kind === 'access-denied') {
        summary.skipped.push(skippedAtFetch(item, kind, error));
        return;
      }
      if (kind === 'aborted' && opts.signal?.aborted) {
        summary.stopped = true;
        return;
      }
      // A busy source is no one asset's fault: the scan pauses and tries the asset again (a few times).
      if ((kind === 'rate-limited' || kind === 'transient') && (attempts.get(item.id) ?? 0) < MAX_REQUEUES)
        return { busy: error };
      // A refused login, like a full disk, would fail every next asset the same way: the scan stops.
      if (!isSitterError(error) || isDiskFull(error) || kind === 'auth') throw error;
      summary.failed.push({ asset: item.id, code: error.code, message: error.message });
      await retryWhileLocked(() => recordFailure(ctx, shootId, item, error));
      return;
    }
    // Other commands may hold the database for a moment (a decision, a withdrawal): wait for them.
    const counts = await retryWhileLocked(() =>
      storeAnalysis(ctx, shoot, item, facts, analysis, roster, limits, deps.calibration.quality),
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
function scanFetchOptions(connector: Connector, opts: ScanOptions): FetchOptions {
  return {
    ...(connector.capabilities.renditions ? { rendition: { maxDimension: opts.detectMax ?? DEFAULT_DETECT_MAX } } : {}),
    priority: 'bulk',
    maxBytes: opts.maxBytes ?? DEFAULT_MAX_FETCH_BYTES,
    ...(opts.signal ? { signal: opts.signal } : {}),
  };
}

/** A listed asset that a fetch found gone or forbidden: reported as skipped, not failed. */
function skippedAtFetch(item: ListedAsset, kind: 'not-found' | 'access-denied', error: unknown): SkippedEntry {
  const why = error instanceof Error ? error.message : String(error);
  return kind === 'not-found'
    ? { id: item.id, reason: 'deleted', message: `deleted from the source since it was listed (${why})` }
    : { id: item.id, reason: 'access-denied', message: `the connector's user may not read it (${why})` };
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
