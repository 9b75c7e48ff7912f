import type { QualityPolicy } from '../domain/quality-bands.js';
/**
 * One asset of a scan, from fetch to the stored result: the one step the local scan (`scan-service.ts`)
 * and a queue worker (`scan-queue-service.ts`) both run, so an asset is judged, analysed and recorded
 * the same way wherever it is scanned.
 */
import { UNDATED_ALLOWED_FLAG } from '../domain/asset-flags.js';
import { connectorFailureKind } from '../domain/connector-failure.js';
import { isDiskFull } from '../domain/disk-full.js';
import { isSitterError } from '../domain/errors.js';
import type { MatchThresholds } from '../domain/matching.js';
import type { Asset } from '../domain/records.js';
import { renditionKey } from '../domain/rendition.js';
import { assertListedAsset } from '../domain/scope.js';
import type { Shoot } from '../domain/shoot.js';
import { captureVerdict, type ShootDates } from '../domain/shoot-dates.js';
import type { Connector, FetchOptions, ListedAsset, SkippedEntry } from '../ports/connector.js';
import type { FaceAnalysis, FaceEngine } from '../ports/face-engine.js';
import type { ServiceContext } from './context.js';
import { retryWhileLocked } from './retry-locked.js';
import { contentHashMisreported } from './scan-listing.js';
import {
  recordFailure,
  recordOutOfScope,
  recordRevision,
  type SourceFacts,
  storeAnalysis,
  type WriteGuard,
} from './scan-records.js';
import type { Roster } from './scan-roster.js';

/** What one asset's scan needs: the shoot's checks passed, its connector, a loaded engine, the roster. */
export interface AssetScanEnv {
  ctx: ServiceContext;
  shoot: Shoot;
  dates: ShootDates;
  connector: Connector;
  engine: FaceEngine;
  roster: Roster;
  limits: MatchThresholds;
  /** the calibration's quality floor and bands (domain/quality-bands.ts); undefined: one threshold for every face */
  quality: QualityPolicy | undefined;
  fetchOptions: FetchOptions;
  /** the ids of the listing the asset came from (rule 1: the bytes must be of a listed asset) */
  listedIds: ReadonlySet<string>;
  signal?: AbortSignal;
  /** an analysed asset whose content did not change is kept, not analysed again (the rescan rule) */
  keep(asset: Asset | undefined): asset is Asset;
  /** a queue worker's claim on the job, run first in the asset's write (scan-records.ts WriteGuard) */
  guard?: WriteGuard;
}

export interface AssetFailure {
  asset: string;
  code: string;
  message: string;
}

/** What became of one asset. `busy`: the source was busy or the engine lost its worker; try again later. */
export type AssetOutcome =
  | { kind: 'unchanged' }
  | { kind: 'analysed'; faces: number; proposed: number; unidentified: number }
  | { kind: 'outside'; capturedAt: string }
  | { kind: 'held' }
  | { kind: 'skipped'; entry: SkippedEntry }
  | { kind: 'failed'; failure: AssetFailure }
  | { kind: 'stopped' }
  | { kind: 'busy'; error: unknown }
  /** a queue job another worker had already settled: nothing was written */
  | { kind: 'settled-elsewhere' };

/** Failures that pass with time: a busy or unreachable source; for a queue worker, also a lost engine worker. */
export interface RetryPolicy {
  /** may the asset go back to be tried again (false: a busy source is recorded as the asset's failure) */
  mayRetry: boolean;
  /** engine failures that a fresh worker may not repeat (ENGINE_WORKER_DIED, ENGINE_TIMEOUT) count as busy */
  engineFailuresPass?: boolean;
}

const PASSING_ENGINE_FAILURES = new Set(['ENGINE_WORKER_DIED', 'ENGINE_TIMEOUT']);

/**
 * Scans one listed asset: skips it when unchanged, judges its capture time, analyses it and stores the
 * result in one unit of work. Throws what would fail every next asset the same way (a bug, a full
 * disk, a refused login): the caller stops.
 */
export async function scanAsset(
  env: AssetScanEnv,
  item: ListedAsset,
  before: Asset | undefined,
  retry: RetryPolicy,
): Promise<AssetOutcome> {
  const { ctx, shoot, connector } = env;
  assertListedAsset(shoot.id, env.listedIds, item.id); // rule 1, for every asset the scan touches
  // A hash says "unchanged" only against a hash of the same bytes (the same rendition).
  const isUnchanged = (hash: string | undefined, rendition: string | null) =>
    env.keep(before) && hash !== undefined && before.contentSha256 === hash && before.rendition === rendition;
  // contract 3: the source's change token says "unchanged" without a download.
  const sameRevision =
    connector.capabilities.revisions === true &&
    item.revision !== undefined &&
    env.keep(before) &&
    before.sourceRevision === item.revision;
  if (sameRevision || isUnchanged(item.contentHash, null)) return { kind: 'unchanged' };
  let analysis: FaceAnalysis;
  let facts: SourceFacts;
  try {
    const fetched = await connector.fetch(shoot.source, item.id, env.fetchOptions);
    assertListedAsset(shoot.id, env.listedIds, fetched.asset.id); // the bytes must be of the asset that was listed
    const rendition = renditionKey(fetched.rendition);
    facts = {
      contentHash: fetched.contentHash,
      // a rendition's byte count is not the photo's size: only the listing or an original tells it
      size: item.size ?? fetched.asset.size ?? (rendition === null ? fetched.bytes.byteLength : null),
      revision: item.revision ?? null,
      rendition,
    };
    const contentHash = facts.contentHash;
    if (isUnchanged(contentHash, rendition)) {
      // Only metadata moved (another editor, or Sitter's own push): the next scan needs no fetch.
      if (facts.revision !== null && before && before.sourceRevision !== facts.revision)
        await retryWhileLocked(() => recordRevision(ctx, shoot.id, item, facts.revision));
      return { kind: 'unchanged' };
    }
    // Historical or unrelated content stays out: judged on the capture time before any face is looked for.
    const dates = env.dates;
    const verdict = captureVerdict(dates, fetched.asset.capturedAt ?? item.capturedAt ?? null);
    const allowedUndated =
      before?.flags.includes(UNDATED_ALLOWED_FLAG) === true && before.contentSha256 === contentHash;
    const outOfScope = (state: 'refused' | 'held', reason: string, details: Record<string, unknown>) =>
      retryWhileLocked(() => recordOutOfScope(ctx, shoot.id, item, facts, state, reason, details, env.guard));
    if (verdict.kind === 'outside') {
      const written = await outOfScope(
        'refused',
        `outside-shoot-dates: captured ${verdict.capturedAt}, the shoot is ${dates.from} to ${dates.to} (${dates.utcOffset})`,
        { capturedAt: verdict.capturedAt, from: dates.from, to: dates.to },
      );
      return written ? { kind: 'outside', capturedAt: verdict.capturedAt } : { kind: 'settled-elsewhere' };
    }
    if (verdict.kind === 'no-capture-time' && !allowedUndated) {
      const written = await outOfScope(
        'held',
        'no-capture-time: the photo carries no capture time; a person decides whether it belongs to the shoot',
        {},
      );
      return written ? { kind: 'held' } : { kind: 'settled-elsewhere' };
    }
    // Nothing reads the bytes after this: a pool takes them without a copy (about 5 MB per photo).
    analysis = await env.engine.analyse(fetched.bytes, { handOver: true });
    // The hash the record keeps (and push hands back as expectedContentHash) is the one of what the
    // engine analysed: a connector whose fetch misreports it would have names land on other content.
    if (analysis.image.contentHash !== contentHash)
      throw contentHashMisreported(connector, item.id, contentHash, analysis.image.contentHash);
  } catch (error) {
    const kind = connectorFailureKind(error);
    // Gone or forbidden since the listing: nothing to analyse, and not the asset's failure.
    if (kind === 'not-found' || kind === 'access-denied')
      return { kind: 'skipped', entry: skippedAtFetch(item, kind, error) };
    if (kind === 'aborted' && env.signal?.aborted) return { kind: 'stopped' };
    // A busy source is no one asset's fault: the caller pauses and tries the asset again (a few times).
    if ((kind === 'rate-limited' || kind === 'transient') && retry.mayRetry) return { kind: 'busy', error };
    if (retry.engineFailuresPass && retry.mayRetry && isSitterError(error) && PASSING_ENGINE_FAILURES.has(error.code))
      return { kind: 'busy', error };
    // A refused login, like a full disk, would fail every next asset the same way: the scan stops.
    if (!isSitterError(error) || isDiskFull(error) || kind === 'auth') throw error;
    const written = await retryWhileLocked(() => recordFailure(ctx, shoot.id, item, error, env.guard));
    if (!written) return { kind: 'settled-elsewhere' };
    return { kind: 'failed', failure: { asset: item.id, code: error.code, message: error.message } };
  }
  // Other commands may hold the database for a moment (a decision, a withdrawal): wait for them.
  const counts = await retryWhileLocked(() =>
    storeAnalysis(ctx, shoot, item, facts, analysis, env.roster, env.limits, env.quality, env.guard),
  );
  return counts ? { kind: 'analysed', ...counts } : { kind: 'settled-elsewhere' };
}

/** A listed asset that a fetch found gone or forbidden: reported as skipped, not failed. */
function skippedAtFetch(item: ListedAsset, kind: 'not-found' | 'access-denied', error: unknown): SkippedEntry {
  const why = error instanceof Error ? error.message : String(error);
  return kind === 'not-found'
    ? { id: item.id, reason: 'deleted', message: `deleted from the source since it was listed (${why})` }
    : { id: item.id, reason: 'access-denied', message: `the connector's user may not read it (${why})` };
}
