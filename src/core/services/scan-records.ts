/**
 * What a scan writes for one asset: its faces and proposals (carrying confirmed faces over to a changed
 * photo), an asset refused or held by its capture time, and a failure. Each in its own unit of work.
 */
import { participantPseudonym } from '../domain/pseudonym.js';
import { flagsAfterFailure, flagsAfterScan, flagsOutOfScope } from '../domain/asset-flags.js';
import { consentStatus } from '../domain/consent.js';
import { embeddingToBytes } from '../domain/embedding.js';
import type { SitterError } from '../domain/errors.js';
import { boxIou, SAME_FACE_IOU } from '../domain/geometry.js';
import {
  type CarriedConfirmation,
  planCarryOver,
  type PreviousConfirmation,
  settleVerdict,
} from '../domain/carry-over.js';
import { type FaceVerdict, matchImage, type MatchThresholds, participantDistance } from '../domain/matching.js';
import { type FaceLimits, faceLimits, type QualityPolicy } from '../domain/quality-bands.js';
import type { Asset, Decision, Face } from '../domain/records.js';
import { faceBinding } from '../domain/seal-binding.js';
import { assertBiometricProcessingAllowed, type Shoot } from '../domain/shoot.js';
import type { ListedAsset } from '../ports/connector.js';
import type { UnitOfWork } from '../ports/store.js';
import type { DetectedFace, FaceAnalysis } from '../ports/face-engine.js';
import { type ServiceContext, requireShoot } from './context.js';
import type { Roster } from './scan-roster.js';

/**
 * A queue worker's claim on its job, run as the first write of the unit of work that stores an asset's
 * result (`ScanJobRepository.settle`): false when another worker settled the job first, and then the
 * write stores nothing. The local scan passes none.
 */
export type WriteGuard = (
  uow: UnitOfWork,
  outcome: 'analysed' | 'failed' | 'refused' | 'held',
  error?: string,
) => Promise<boolean>;

/**
 * What the source said about the content a scan looked at: its hash (of the bytes fetched, a rendition
 * or the original), its size when known, the listing's revision and which rendition it was.
 */
export interface SourceFacts {
  contentHash: string;
  /** the original's size in bytes, when the listing or an original fetch tells it */
  size: number | null;
  revision: string | null;
  /** null: the original; `max:<N>`: a rendition (domain/rendition.ts) */
  rendition: string | null;
}

/** The asset's fields that record what the source said about the content (SourceFacts). */
const sourceFields = (facts: SourceFacts) => ({
  contentSha256: facts.contentHash,
  size: facts.size,
  sourceRevision: facts.revision,
  rendition: facts.rendition,
});

/**
 * The asset record of a listed asset, made (pending) the first time the scan meets it. `created`: made
 * in this unit of work, so no face, rejection or decision can refer to it yet.
 */
async function findOrAddAsset(
  uow: UnitOfWork,
  shootId: string,
  item: ListedAsset,
): Promise<{ asset: Asset; created: boolean }> {
  const found = await uow.assets.findByConnectorId(shootId, item.id);
  if (found) return { asset: found, created: false };
  const asset = await uow.assets.add({
    shootId,
    connectorAssetId: item.id,
    fileName: item.fileName,
    contentSha256: null,
    size: item.size ?? null,
    width: null,
    height: null,
    orientation: null,
    sourceRevision: null,
    rendition: null,
    scanState: 'pending',
    error: null,
    flags: [],
    scannedAt: null,
  });
  return { asset, created: true };
}

/**
 * An asset the scan will not analyse because of its capture time: recorded with its state and
 * reason, and any faces an earlier scan found on it removed (they should never have been looked for).
 */
export async function recordOutOfScope(
  ctx: ServiceContext,
  shootId: string,
  item: ListedAsset,
  facts: SourceFacts,
  state: 'refused' | 'held',
  reason: string,
  details: Record<string, unknown>,
  guard?: WriteGuard,
): Promise<boolean> {
  return ctx.store.transaction(async (uow) => {
    if (guard && !(await guard(uow, state, reason))) return false;
    const { asset, created } = await findOrAddAsset(uow, shootId, item);
    // Reviewed work this drops is put on the record, as the carry-over of a changed photo is: a
    // person must be able to see whose confirmations went and re-review the photo if it is allowed.
    const confirmationsDropped = created ? [] : await droppedConfirmations(uow, asset.id);
    const facesRemoved = created ? 0 : await uow.faces.deleteByAsset(asset.id);
    const flags = flagsOutOfScope(state);
    asset.fileName = item.fileName;
    Object.assign(asset, sourceFields(facts));
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
        details: { reason: flags[0], contentHash: facts.contentHash, facesRemoved, confirmationsDropped, ...details },
      },
      ctx.clock.now(),
    );
    return true;
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

export async function recordFailure(
  ctx: ServiceContext,
  shootId: string,
  item: ListedAsset,
  error: SitterError,
  guard?: WriteGuard,
): Promise<boolean> {
  return ctx.store.transaction(async (uow) => {
    if (guard && !(await guard(uow, 'failed', `${error.code}: ${error.message}`))) return false;
    const { asset } = await findOrAddAsset(uow, shootId, item);
    asset.scanState = 'failed';
    asset.error = `${error.code}: ${error.message}`;
    asset.flags = flagsAfterFailure(asset.flags, error.code);
    asset.scannedAt = ctx.clock.now();
    await uow.audit.append(
      {
        actor: ctx.actor,
        action: 'scan.asset-failed',
        shootId,
        subject: `asset:${item.id}`,
        details: { code: error.code, message: error.message, ...(error.hint ? { hint: error.hint } : {}) },
      },
      ctx.clock.now(),
    );
    return true;
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

const bandName = (f: FaceLimits) => (f.kind === 'match' ? f.band : 'below-floor');

/**
 * Stores one analysed asset atomically: its faces, proposals and flags, the audit entry and, for a
 * queue worker, its job's settlement. Null when the guard found the job settled by another worker.
 */
export async function storeAnalysis(
  ctx: ServiceContext,
  shoot: Shoot,
  item: ListedAsset,
  facts: SourceFacts,
  analysis: FaceAnalysis,
  roster: Roster,
  limits: MatchThresholds,
  quality: QualityPolicy | undefined,
  guard?: WriteGuard,
): Promise<{ faces: number; proposed: number; unidentified: number } | null> {
  // Each face is matched at its quality band's limits, none below the floor (domain/quality-bands.ts).
  const perFace = analysis.faces.map((f) => faceLimits(f.quality, limits, quality));
  return ctx.store.transaction(async (uow) => {
    if (guard && !(await guard(uow, 'analysed'))) return null;
    const now = ctx.clock.now();
    // A scan runs for a long time: re-check, inside this write, that processing is still allowed.
    assertBiometricProcessingAllowed(await requireShoot(uow, shoot.id), 'scanning', now);
    const existing = await uow.assets.findByConnectorId(shoot.id, item.id);
    // An asset the scan meets for the first time has no faces, rejections or decisions to carry over
    // or replace: their reads are skipped (a first scan's writes are most of a scan's).
    const rejections = existing ? await uow.rejections.listByAsset(existing.id) : [];
    // Reviewed work survives a changed photo (domain/carry-over.ts).
    const previous: PreviousConfirmation[] = [];
    for (const old of existing ? await uow.faces.listByAsset(existing.id) : []) {
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
    if (existing) await uow.faces.deleteByAsset(existing.id);
    const verdicts: FaceVerdict[] = matchImage(
      analysis.faces.map((f) => f.embedding),
      roster.templates,
      perFace.map((f) => (f.kind === 'match' ? f.limits : null)),
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
    // Each face's row but its asset id and sealed embedding, which need the asset's row first.
    const plannedFace = (face: DetectedFace, i: number, v: FaceVerdict, carry: CarriedConfirmation | undefined) => {
      const common = { shootId: shoot.id, ...face.box, detectorScore: face.score, qualityBand: bandName(perFace[i]!) };
      if (carry) {
        // Its person was eligible in this very write, so never among the lapsed.
        const same = v.kind === 'proposed' && v.participantId === carry.participantId;
        return {
          ...common,
          state: 'confirmed' as const,
          participantId: carry.participantId,
          score: same ? v.score : null,
          margin: same && Number.isFinite(v.margin) ? v.margin : null,
          reason: null,
          proposedFor: null,
        };
      }
      const verdict = settleVerdict(v, lapsed, carriedParticipants);
      const proposed = verdict.kind === 'proposed';
      return {
        ...common,
        state: proposed ? ('proposed' as const) : ('unidentified' as const),
        participantId: proposed ? verdict.participantId : null,
        score: proposed ? verdict.score : null,
        margin: proposed && Number.isFinite(verdict.margin) ? verdict.margin : null,
        reason: proposed ? null : verdict.reason,
        proposedFor: proposed ? verdict.participantId : null,
      };
    };
    const planned = analysis.faces.map((face, i) => plannedFace(face, i, verdicts[i]!, carried.get(i)));
    const unidentified = planned.filter((f) => f.state === 'unidentified').length;
    // The facts the engine learnt while decoding this content travel with it to push and review.
    const scanned = {
      fileName: item.fileName,
      ...sourceFields(facts),
      width: analysis.image.width,
      height: analysis.image.height,
      orientation: analysis.image.orientation,
      scanState: 'scanned' as const,
      error: null,
      scannedAt: now,
      flags: flagsAfterScan(existing?.flags ?? [], unidentified > 0, analysis.image.preview !== undefined),
    };
    // A new asset is added as scanned, in one write; a known one is updated at the commit.
    const asset = existing
      ? Object.assign(existing, scanned)
      : await uow.assets.add({ shootId: shoot.id, connectorAssetId: item.id, ...scanned });
    const rows: Omit<Face, 'id'>[] = [];
    for (const [i, { proposedFor, ...row }] of planned.entries())
      rows.push({
        ...row,
        assetId: asset.id,
        // Rule 4: only a proposal keeps its (encrypted) embedding, for learning once confirmed.
        embedding:
          proposedFor === null
            ? null
            : await ctx.keyVault.encrypt(
                faceBinding({
                  shootId: shoot.id,
                  assetId: asset.id,
                  ...analysis.faces[i]!.box,
                  participantId: proposedFor,
                  modelDigest: roster.modelDigest,
                }),
                embeddingToBytes(analysis.faces[i]!.embedding),
              ),
        modelDigest: proposedFor === null ? null : roster.modelDigest,
        createdAt: now,
      });
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
    await uow.audit.append(
      {
        actor: ctx.actor,
        action: 'scan.asset',
        shootId: shoot.id,
        subject: `asset:${item.id}`,
        details: {
          contentHash: facts.contentHash,
          ...(facts.rendition ? { rendition: facts.rendition } : {}),
          // a RAW: which embedded preview the faces were found in (the hash is still the RAW's)
          ...(analysis.image.preview ? { analysedPreview: analysis.image.preview } : {}),
          // which runtime embedded this photo's faces (a pool can fall back to tfjs-wasm mid-scan)
          ...(analysis.embeddingRuntime ? { embeddingRuntime: analysis.embeddingRuntime } : {}),
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

/**
 * An analysed asset whose content is unchanged under a new revision (only metadata moved: another
 * editor, or Sitter's own push): the new token is kept so the next scan needs no fetch.
 */
export async function recordRevision(
  ctx: ServiceContext,
  shootId: string,
  item: ListedAsset,
  revision: string | null,
): Promise<void> {
  await ctx.store.transaction(async (uow) => {
    const asset = await uow.assets.findByConnectorId(shootId, item.id);
    if (asset) asset.sourceRevision = revision;
  });
}
