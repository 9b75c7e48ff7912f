import { consentStatus, type ConsentStatus } from '../domain/consent.js';
import type { ExifOrientation } from '../domain/orientation.js';
import type { Asset, Decision, Face, FaceState, Participant } from '../domain/records.js';
import { type ConsentLink, confirmersOf, consentLinkOf } from '../domain/review.js';
import { type ServiceContext, requireShoot } from './context.js';

export interface FaceView {
  face: number;
  box: { x: number; y: number; w: number; h: number };
  state: FaceState;
  /** participant_id from the consent file, or null */
  participant: string | null;
  participantName: string | null;
  consent: ConsentStatus | 'no-record' | null;
  score: number | null;
  margin: number | null;
  detectorScore: number;
  reason: string | null;
  /** reviewers who confirmed the current participant (two-person review shows who went first) */
  confirmedBy: string[];
  /**
   * For a confirmed face: the consent record version it was named under; `current` is false when the
   * participant's record has a newer version since (the face stays confirmed under the old one).
   */
  consentRecord: (ConsentLink & { current: boolean }) | null;
}

export interface AssetView {
  asset: number;
  /** the connector's id (a relative path for the local folder) */
  assetRef: string;
  file: string;
  flags: string[];
  scanState: Asset['scanState'];
  error: string | null;
  /** the displayed size and the EXIF orientation the engine applied at scan (null until analysed) */
  width: number | null;
  height: number | null;
  orientation: ExifOrientation | null;
  faces: FaceView[];
}

export interface ShootMatches {
  shoot: string;
  reviewersRequired: 1 | 2;
  assets: AssetView[];
}

/** Every asset of the shoot with its faces, states and proposals: the data behind `matches` and review. */
export async function loadMatches(ctx: ServiceContext, shootId: string): Promise<ShootMatches> {
  return ctx.store.transaction(async (uow) => {
    const shoot = await requireShoot(uow, shootId);
    const now = ctx.clock.now();
    const participants = new Map<number, Participant>(
      (await uow.participants.listByShoot(shootId)).map((p) => [p.id, p]),
    );
    const consents = await uow.consents.currentForShoot(shootId);
    const faces = await uow.faces.listByShootWithoutEmbeddings(shootId);
    // Grouped once: per-face filtering of every decision would be quadratic on a large shoot.
    const decisionsByFace = new Map<number, Decision[]>();
    for (const d of await uow.decisions.listByShoot(shootId)) {
      const list = decisionsByFace.get(d.faceId);
      if (list) list.push(d);
      else decisionsByFace.set(d.faceId, [d]);
    }
    const byAsset = new Map<number, Omit<Face, 'embedding'>[]>();
    for (const f of faces) {
      const list = byAsset.get(f.assetId);
      if (list) list.push(f);
      else byAsset.set(f.assetId, [f]);
    }
    const assets = await uow.assets.listByShoot(shootId);
    return {
      shoot: shoot.id,
      reviewersRequired: shoot.reviewersRequired,
      assets: assets.map((a) => ({
        asset: a.id,
        assetRef: a.connectorAssetId,
        file: a.fileName,
        flags: a.flags,
        scanState: a.scanState,
        error: a.error,
        width: a.width,
        height: a.height,
        orientation: a.orientation,
        faces: (byAsset.get(a.id) ?? []).map((f) => {
          const p = f.participantId !== null ? participants.get(f.participantId) : undefined;
          const c = p ? consents.get(p.id) : undefined;
          const decisions = decisionsByFace.get(f.id) ?? [];
          const link = consentLinkOf(f, decisions);
          return {
            face: f.id,
            box: { x: f.x, y: f.y, w: f.w, h: f.h },
            state: f.state,
            participant: p?.externalRef ?? null,
            participantName: p?.displayName ?? null,
            consent: p ? (c ? consentStatus(c, now) : 'no-record') : null,
            score: f.score,
            margin: f.margin,
            detectorScore: f.detectorScore,
            reason: f.reason,
            confirmedBy: f.state === 'proposed' || f.state === 'confirmed' ? confirmersOf(f, decisions) : [],
            consentRecord: link ? { ...link, current: link.id === c?.id } : null,
          };
        }),
      })),
    };
  });
}

export interface QueueItem {
  asset: AssetView;
  face: FaceView;
  /** lower is more uncertain: reviewers see these first */
  certainty: number;
}

export interface QueueFilter {
  participant?: string;
  asset?: string;
  state?: FaceState;
}

/**
 * The review queue: proposals, most uncertain first (the smallest margin, or the score nearest the
 * threshold, whichever is less certain), filtered by participant, asset or state.
 */
export function reviewQueue(matches: ShootMatches, threshold: number, filter: QueueFilter = {}): QueueItem[] {
  const items: QueueItem[] = [];
  for (const asset of matches.assets) {
    if (filter.asset && asset.assetRef !== filter.asset && asset.file !== filter.asset) continue;
    for (const face of asset.faces) {
      if (face.state !== (filter.state ?? 'proposed')) continue;
      if (filter.participant && face.participant !== filter.participant) continue;
      const distance = face.score !== null ? 1 - face.score : threshold;
      const certainty = Math.min(face.margin ?? Infinity, threshold - distance);
      items.push({ asset, face, certainty });
    }
  }
  return items.sort((a, b) => a.certainty - b.certainty || a.face.face - b.face.face);
}
