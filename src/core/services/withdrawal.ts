import type { Participant } from '../domain/records.js';
import type { UnitOfWork } from '../ports/store.js';

export interface CascadeResult {
  templatesDeleted: number;
  matchesRevoked: number;
  /** assets whose pushed metadata must be updated through the connector */
  affectedAssetIds: number[];
}

/**
 * Rule 6, inside the store: a withdrawn participant's templates go, every face linked to them loses
 * the link and its embedding, and the assets are flagged so their DAM metadata gets updated.
 */
export async function withdrawalCascade(uow: UnitOfWork, participant: Participant): Promise<CascadeResult> {
  const templatesDeleted = await uow.templates.deleteByParticipant(participant.id);
  const faces = await uow.faces.listByParticipant(participant.id);
  const affected = new Set<number>();
  for (const face of faces) {
    face.participantId = null;
    face.state = 'unidentified';
    face.score = null;
    face.margin = null;
    face.embedding = null;
    face.reason = 'consent-withdrawn';
    affected.add(face.assetId);
  }
  const assets = await uow.assets.listByShoot(participant.shootId);
  for (const asset of assets) {
    // The face is now an unnamed person: the asset needs manual handling like any other.
    if (affected.has(asset.id)) asset.flags = [...new Set([...asset.flags, 'consent-withdrawn', 'unidentified-person'])];
  }
  return { templatesDeleted, matchesRevoked: faces.length, affectedAssetIds: [...affected] };
}
