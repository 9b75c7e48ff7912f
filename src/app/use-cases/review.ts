import { DEFAULT_CALIBRATION } from '../../core/engine/calibration.js';
import { SitterError } from '../../core/domain/errors.js';
import { matchLimits } from '../../core/domain/match-limits.js';
import { loadMatches, type QueueFilter, type QueueItem, reviewQueue } from '../../core/services/matches-service.js';
import { readReferencePhoto } from '../../core/services/reference-photo.js';
import { type ReviewInfo, reviewInfo, type ReviewParticipant } from '../../core/services/review-info.js';
import type { Session } from '../session.js';

export interface ReviewQueue {
  info: ReviewInfo;
  items: QueueItem[];
}

/**
 * The review queue, most uncertain first, measured against the threshold the scan proposed with
 * (the shoot's own, else the calibration of the model set): `matchLimits`, as the scan uses it.
 */
export async function loadReviewQueue(
  session: Session,
  shootId: string,
  filter: QueueFilter = {},
): Promise<ReviewQueue> {
  const info = await reviewInfo(session.ctx, shootId);
  const matches = await loadMatches(session.ctx, shootId);
  return { info, items: reviewQueue(matches, matchLimits(info.shoot, DEFAULT_CALIBRATION).threshold, filter) };
}

/** A participant's reference photo, shown only while it is the one the consent import recorded. */
export async function referencePhoto(session: Session, p: ReviewParticipant): Promise<Uint8Array> {
  if (!p.referencePhoto || !p.referencePhotoSha256)
    throw new SitterError('NO_REFERENCE_PHOTO', 'No reference photo on the consent record.');
  return readReferencePhoto(session.files, p.ref, { path: p.referencePhoto, sha256: p.referencePhotoSha256 });
}
