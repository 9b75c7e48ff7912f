import { participantPseudonym } from '../domain/pseudonym.js';
import { createHash } from 'node:crypto';
import { flagsAfterScan, flagsOutOfScope, UNDATED_ALLOWED_FLAG } from '../domain/asset-flags.js';
import { canonicalJson } from '../domain/audit.js';
import { consentStatus } from '../domain/consent.js';
import { bytesToEmbedding, embeddingToBytes } from '../domain/embedding.js';
import { isDiskFull } from '../domain/disk-full.js';
import { BugError, isSitterError, SitterError } from '../domain/errors.js';
import { boxIou, SAME_FACE_IOU } from '../domain/geometry.js';
import {
  type CarriedConfirmation,
  planCarryOver,
  type PreviousConfirmation,
  settleVerdict,
} from '../domain/carry-over.js';
import {
  type FaceVerdict,
  matchImage,
  type MatchThresholds,
  participantDistance,
  type ParticipantTemplates,
} from '../domain/matching.js';
import type { Asset, Decision, Face } from '../domain/records.js';
import { matchLimits } from '../domain/match-limits.js';
import { assertListedAsset } from '../domain/scope.js';
import { faceBinding, templateBinding } from '../domain/seal-binding.js';
import { assertBiometricProcessingAllowed, type Shoot } from '../domain/shoot.js';
import { captureVerdict, requireShootDates } from '../domain/shoot-dates.js';
import type { Connector, ListedAsset, SkippedEntry } from '../ports/connector.js';
import type { ConnectorProvider, EngineProvider } from '../ports/providers.js';
import type { UnitOfWork } from '../ports/store.js';
import type { FaceAnalysis, FaceEngine, MatchCalibration } from '../ports/face-engine.js';
import { type ServiceContext, requireShoot } from './context.js';
import { retryWhileLocked } from './retry-locked.js';
import { biometricRoster } from './roster.js';
import { sweepLapsedConsent } from './withdrawal.js';

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

interface Roster {
  hash: string;
  modelDigest: string;
  templates: ParticipantTemplates[];
  refs: Map<number, string>;
}

/** The shoot's templates of eligible participants, for this model only, decrypted in memory. */
async function loadMatchingRoster(ctx: ServiceContext, shoot: Shoot, modelDigest: string): Promise<Roster> {
  return ctx.store.transaction(async (uow) => {
    const eligible = await biometricRoster(uow, shoot.id, ctx.clock.now());
    const byParticipant = new Map<number, ParticipantTemplates>();
    const refs = new Map<number, string>();
    // The chain and the roster hash see pseudonyms only (domain/pseudonym.ts).
    for (const e of eligible) refs.set(e.participant.id, participantPseudonym(e.participant));
    const templateIds: Record<string, number[]> = {};
    for (const t of await uow.templates.listByShoot(shoot.id)) {
      const ref = refs.get(t.participantId);
      if (!ref || t.modelDigest !== modelDigest) continue; // rule 3, and never compare across models
      const entry = byParticipant.get(t.participantId) ?? { participantId: t.participantId, embeddings: [] };
      // A blob moved from another row fails here, loudly: nobody is named on its strength.
      entry.embeddings.push(bytesToEmbedding(await ctx.keyVault.decrypt(templateBinding(t), t.embedding)));
      byParticipant.set(t.participantId, entry);
      (templateIds[ref] ??= []).push(t.id);
    }
    if (byParticipant.size === 0) {
      throw new SitterError(
        'NO_TEMPLATES',
        `Shoot "${shoot.id}" has no enrolled participant with valid biometric consent for this face model.`,
        `Run \`sitter enrol ${shoot.id}\` first.`,
      );
    }
    const hash = createHash('sha256')
      .update(canonicalJson({ modelDigest, templates: templateIds }))
      .digest('hex');
    return { hash, modelDigest, templates: [...byParticipant.values()], refs };
  });
}

/** A connector's fetch said one hash and handed over bytes of another: its fault, named, nothing recorded. */
function contentHashMisreported(connector: Connector, assetId: string, said: string, analysed: string): SitterError {
  return new SitterError(
    'CONNECTOR_CONTENT_HASH_WRONG',
    `Connector "${connector.info.name}" said "${assetId}" is ${said}, but the bytes it handed over are ${analysed}; no face of it was recorded.`,
    "The connector's fetch must report the sha256 of the bytes it returns: report this to the connector's author (for a plugin, run the contract suite on it), then scan again.",
    { connector: connector.info.name, asset: assetId, said, analysed },
  );
}

/** Every page of the listing, with the guards the core relies on (rule 1 needs a trustworthy listing). */
async function listEverything(connector: Connector, source: string, pageSize: number, signal?: AbortSignal) {
  const assets: ListedAsset[] = [];
  const skipped: SkippedEntry[] = [];
  const ids = new Set<string>();
  const cursors = new Set<string>();
  const refuse = (why: string) =>
    new SitterError(
      'CONNECTOR_LISTING_INVALID',
      `Connector "${connector.info.name}" gave a listing Sitter cannot trust: ${why}.`,
      "Nothing was scanned from this listing. Report this to the connector's author; for a plugin, run the contract suite on it.",
    );
  let cursor: string | null = null;
  do {
    signal?.throwIfAborted();
    const page = await connector.list(source, { cursor, pageSize, ...(signal ? { signal } : {}) });
    for (const a of page.assets) {
      if (ids.has(a.id)) throw refuse(`asset "${a.id}" is listed twice`);
      ids.add(a.id);
      assets.push(a);
    }
    skipped.push(...page.skipped);
    cursor = page.nextCursor;
    if (cursor !== null) {
      if (cursors.has(cursor)) throw refuse('the listing loops (a cursor came back twice)');
      cursors.add(cursor);
    }
  } while (cursor !== null);
  return { assets, skipped };
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
 * An asset the scan will not analyse because of its capture time: recorded with its state and
 * reason, and any faces an earlier scan found on it removed (they should never have been looked for).
 */
async function recordOutOfScope(
  ctx: ServiceContext,
  shootId: string,
  item: ListedAsset,
  contentHash: string,
  size: number,
  state: 'refused' | 'held',
  reason: string,
  details: Record<string, unknown>,
): Promise<void> {
  await ctx.store.transaction(async (uow) => {
    const asset =
      (await uow.assets.findByConnectorId(shootId, item.id)) ??
      (await uow.assets.add({
        shootId,
        connectorAssetId: item.id,
        fileName: item.fileName,
        contentSha256: null,
        size,
        width: null,
        height: null,
        orientation: null,
        scanState: 'pending',
        error: null,
        flags: [],
        scannedAt: null,
      }));
    // Reviewed work this drops is put on the record, as the carry-over of a changed photo is: a
    // person must be able to see whose confirmations went and re-review the photo if it is allowed.
    const confirmationsDropped = await droppedConfirmations(uow, asset.id);
    const facesRemoved = await uow.faces.deleteByAsset(asset.id);
    const flags = flagsOutOfScope(state);
    asset.fileName = item.fileName;
    asset.contentSha256 = contentHash;
    asset.size = size;
    // Nothing was decoded: facts of an earlier content would describe something no longer there.
    asset.width = null;
    asset.height = null;
    asset.orientation = null;
    asset.scanState = state;
    asset.error = reason;
    asset.flags = flags;
    asset.scannedAt = ctx.clock.now();
    await uow.audit.append(
      {
        actor: ctx.actor,
        action: state === 'refused' ? 'scan.asset-refused' : 'scan.asset-held',
        shootId,
        subject: `asset:${item.id}`,
        details: { reason: flags[0], contentHash, facesRemoved, confirmationsDropped, ...details },
      },
      ctx.clock.now(),
    );
  });
}

/** The standing confirmations of one face: who named this person on it, and by which decisions. */
async function confirmationsOf(uow: UnitOfWork, face: Face): Promise<Decision[]> {
  return (await uow.decisions.listByFace(face.id)).filter(
    (d) => d.undoneAt === null && d.action !== 'reject' && d.participantId === face.participantId,
  );
}

/** The confirmed faces of an asset, as the audit chain may name them: pseudonyms, never a reference or name. */
async function droppedConfirmations(uow: UnitOfWork, assetId: number) {
  const dropped = [];
  for (const face of await uow.faces.listByAsset(assetId)) {
    if (face.state !== 'confirmed' || face.participantId === null) continue;
    const decisions = await confirmationsOf(uow, face);
    dropped.push({
      face: face.id,
      participant: participantPseudonym({ id: face.participantId }),
      decisions: decisions.map((d) => d.id),
      confirmedBy: decisions.map((d) => d.reviewer),
    });
  }
  return dropped;
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

async function recordFailure(
  ctx: ServiceContext,
  shootId: string,
  item: ListedAsset,
  error: SitterError,
): Promise<void> {
  await ctx.store.transaction(async (uow) => {
    const asset =
      (await uow.assets.findByConnectorId(shootId, item.id)) ??
      (await uow.assets.add({
        shootId,
        connectorAssetId: item.id,
        fileName: item.fileName,
        contentSha256: null,
        size: item.size,
        width: null,
        height: null,
        orientation: null,
        scanState: 'pending',
        error: null,
        flags: [],
        scannedAt: null,
      }));
    asset.scanState = 'failed';
    asset.error = `${error.code}: ${error.message}`;
    asset.scannedAt = ctx.clock.now();
    await uow.audit.append(
      {
        actor: ctx.actor,
        action: 'scan.asset-failed',
        shootId,
        subject: `asset:${item.id}`,
        details: { code: error.code, message: error.message },
      },
      ctx.clock.now(),
    );
  });
}

/** Does the re-detected face still match the confirmed person at the shoot's threshold? */
function stillMatches(
  embedding: Float32Array,
  roster: Roster,
  participantId: number,
  limits: MatchThresholds,
): boolean {
  const templates = roster.templates.find((t) => t.participantId === participantId);
  return templates !== undefined && participantDistance(embedding, templates) <= limits.threshold;
}

/**
 * What the audit entry says about a confirmation on a changed photo: carried or not, from which face
 * and decisions, by whose original confirmation, and what the new face became.
 */
function carryRecord(c: CarriedConfirmation, face: Face, kept: boolean, roster: Roster) {
  return {
    face: face.id,
    from: c.oldFaceId,
    participant: roster.refs.get(c.participantId) ?? null,
    carried: kept,
    outcome: kept ? 'confirmed' : face.state,
    decisions: c.confirmations.map((d) => d.id),
    confirmedBy: c.confirmations.map((d) => d.reviewer),
    ...(kept ? {} : { why: 'the re-detected face no longer matches this person at the shoot threshold' }),
  };
}

/** Stores one analysed asset atomically: its faces, proposals and flags, and the audit entry. */
async function storeAnalysis(
  ctx: ServiceContext,
  shoot: Shoot,
  item: ListedAsset,
  contentHash: string,
  size: number,
  analysis: FaceAnalysis,
  roster: Roster,
  limits: MatchThresholds,
) {
  return ctx.store.transaction(async (uow) => {
    const now = ctx.clock.now();
    // A scan runs for a long time: re-check, inside this write, that processing is still allowed.
    assertBiometricProcessingAllowed(await requireShoot(uow, shoot.id), 'scanning', now);
    let asset = await uow.assets.findByConnectorId(shoot.id, item.id);
    if (!asset) {
      asset = await uow.assets.add({
        shootId: shoot.id,
        connectorAssetId: item.id,
        fileName: item.fileName,
        contentSha256: null,
        size,
        width: null,
        height: null,
        orientation: null,
        scanState: 'pending',
        error: null,
        flags: [],
        scannedAt: null,
      });
    }
    const rejections = await uow.rejections.listByAsset(asset.id);
    // Reviewed work survives a changed photo (domain/carry-over.ts).
    const previous: PreviousConfirmation[] = [];
    for (const old of await uow.faces.listByAsset(asset.id)) {
      if (old.state !== 'confirmed' || old.participantId === null) continue;
      const consent = await uow.consents.current(old.participantId);
      const eligible = consent !== null && consentStatus(consent, now) === 'eligible';
      previous.push({ face: old, eligible, confirmations: eligible ? await confirmationsOf(uow, old) : [] });
    }
    const { carried, dropped } = planCarryOver(
      previous,
      analysis.faces.map((f) => f.box),
      (i, participantId) => stillMatches(analysis.faces[i]!.embedding, roster, participantId, limits),
    );
    const carriedParticipants = new Set([...carried.values()].map((c) => c.participantId));
    await uow.faces.deleteByAsset(asset.id);
    const verdicts: FaceVerdict[] = matchImage(
      analysis.faces.map((f) => f.embedding),
      roster.templates,
      limits,
      (i, participantId) =>
        rejections.some((r) => r.participantId === participantId && boxIou(r, analysis.faces[i]!.box) >= SAME_FACE_IOU),
    );
    // Rule 3 per write: a participant whose consent lapsed since the scan started is not proposed.
    const lapsed = new Set<number>();
    for (const v of verdicts) {
      if (v.kind !== 'proposed' || lapsed.has(v.participantId)) continue;
      const consent = await uow.consents.current(v.participantId);
      if (!consent || consentStatus(consent, now) !== 'eligible') lapsed.add(v.participantId);
    }
    const rows: Omit<Face, 'id'>[] = [];
    for (const [i, face] of analysis.faces.entries()) {
      const carry = carried.get(i);
      if (carry) {
        // Its person was eligible in this very write, so never among the lapsed.
        const v = verdicts[i]!;
        const same = v.kind === 'proposed' && v.participantId === carry.participantId;
        rows.push({
          shootId: shoot.id,
          assetId: asset.id,
          ...face.box,
          detectorScore: face.score,
          state: 'confirmed',
          participantId: carry.participantId,
          score: same ? v.score : null,
          margin: same && Number.isFinite(v.margin) ? v.margin : null,
          reason: null,
          embedding: null,
          modelDigest: null,
          createdAt: now,
        });
        continue;
      }
      const verdict = settleVerdict(verdicts[i]!, lapsed, carriedParticipants);
      const proposed = verdict.kind === 'proposed';
      rows.push({
        shootId: shoot.id,
        assetId: asset.id,
        ...face.box,
        detectorScore: face.score,
        state: proposed ? 'proposed' : 'unidentified',
        participantId: proposed ? verdict.participantId : null,
        score: proposed ? verdict.score : null,
        margin: proposed && Number.isFinite(verdict.margin) ? verdict.margin : null,
        reason: proposed ? null : verdict.reason,
        // Rule 4: only a proposal keeps its (encrypted) embedding, for learning once confirmed.
        embedding: proposed
          ? await ctx.keyVault.encrypt(
              faceBinding({
                shootId: shoot.id,
                assetId: asset.id,
                ...face.box,
                participantId: verdict.participantId,
                modelDigest: roster.modelDigest,
              }),
              embeddingToBytes(face.embedding),
            )
          : null,
        modelDigest: proposed ? roster.modelDigest : null,
        createdAt: now,
      });
    }
    const stored = await uow.faces.addMany(rows);
    for (const [i, carry] of carried) {
      const newId = stored[i]!.id;
      for (const d of await uow.decisions.listByFace(carry.oldFaceId)) d.faceId = newId;
      await uow.templates.reassignOrigin(shoot.id, `face:${carry.oldFaceId}`, `face:${newId}`);
    }
    const proposals = stored
      .filter((f) => f.state === 'proposed')
      .map((f) => ({
        face: f.id,
        participant: roster.refs.get(f.participantId ?? -1) ?? '?',
        score: f.score,
        margin: f.margin,
      }));
    const unidentified = stored.filter((f) => f.state === 'unidentified').length;
    asset.fileName = item.fileName;
    asset.contentSha256 = contentHash;
    asset.size = size;
    // The facts the engine learnt while decoding this content travel with it to push and review.
    asset.width = analysis.image.width;
    asset.height = analysis.image.height;
    asset.orientation = analysis.image.orientation;
    asset.scanState = 'scanned';
    asset.error = null;
    asset.scannedAt = now;
    asset.flags = flagsAfterScan(asset.flags, unidentified > 0);
    await uow.audit.append(
      {
        actor: ctx.actor,
        action: 'scan.asset',
        shootId: shoot.id,
        subject: `asset:${item.id}`,
        details: {
          contentHash,
          faces: analysis.faces.length,
          unidentified,
          proposals,
          carriedOver: [...carried.values(), ...dropped].map((c) =>
            carryRecord(c, stored[c.faceIndex]!, carried.has(c.faceIndex), roster),
          ),
        },
      },
      now,
    );
    return { faces: analysis.faces.length, proposed: proposals.length, unidentified };
  });
}
