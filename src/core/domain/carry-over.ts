import { boxIou, SAME_FACE_CARRY_IOU } from './geometry.js';
import type { FaceVerdict } from './matching.js';
import type { Decision, Face } from './records.js';

/**
 * Reviewed work survives a changed photo (an editor's re-export): what happens to each confirmed
 * face when the photo is analysed again, and to the matcher's verdicts around it. Pure: the scan
 * loads the facts and stores the result.
 */

/** A confirmed face of the photo as it was, with what the scan knows of it now. */
export interface PreviousConfirmation {
  face: Pick<Face, 'id' | 'state' | 'participantId' | 'x' | 'y' | 'w' | 'h'>;
  /** the decisions that confirmed it (standing confirm/assign of its participant) */
  confirmations: Decision[];
  /** the person's consent holds now (rule 3): only then is anything carried */
  eligible: boolean;
}

/** A confirmation of the old photo and the new face that overlaps it most. */
export interface CarriedConfirmation {
  participantId: number;
  oldFaceId: number;
  /** index of the new face in the analysis */
  faceIndex: number;
  /** the decisions that confirmed the old face: who named this person, and when */
  confirmations: Decision[];
}

export interface CarryOverPlan {
  /** new face index -> the confirmation it keeps */
  carried: Map<number, CarriedConfirmation>;
  /** confirmations whose overlapping new face no longer matches the person: the face is matched afresh */
  dropped: CarriedConfirmation[];
}

/**
 * Each confirmed face, of someone whose consent still holds, carries over to the new face that
 * overlaps it most (at least `SAME_FACE_CARRY_IOU`, a new face taken once), but only if that face
 * still matches the same person at the shoot's threshold (`stillMatches`): a box alone proves nothing.
 * A confirmation with no overlapping new face is simply gone (the face left the picture).
 */
export function planCarryOver(
  previous: readonly PreviousConfirmation[],
  detected: readonly Pick<Face, 'x' | 'y' | 'w' | 'h'>[],
  stillMatches: (faceIndex: number, participantId: number) => boolean,
): CarryOverPlan {
  const carried = new Map<number, CarriedConfirmation>();
  const dropped: CarriedConfirmation[] = [];
  for (const { face: old, confirmations, eligible } of previous) {
    if (old.state !== 'confirmed' || old.participantId === null || !eligible) continue;
    let best = -1;
    let bestIou = SAME_FACE_CARRY_IOU;
    for (const [i, box] of detected.entries()) {
      const overlap = boxIou(old, box);
      if (overlap >= bestIou && !carried.has(i)) {
        best = i;
        bestIou = overlap;
      }
    }
    if (best < 0) continue;
    const candidate = { participantId: old.participantId, oldFaceId: old.id, faceIndex: best, confirmations };
    if (stillMatches(best, old.participantId)) carried.set(best, candidate);
    else dropped.push(candidate);
  }
  return { carried, dropped };
}

/**
 * The matcher's verdict for one new face, settled against what the store knows now: a proposal of
 * someone whose consent lapsed since the scan started names nobody (rule 3 per write,
 * `consent-lapsed`), nor does one of someone already carried over onto another face of the photo
 * (one person once per photo, `taken`).
 */
export function settleVerdict(
  verdict: FaceVerdict,
  lapsed: ReadonlySet<number>,
  carriedParticipants: ReadonlySet<number>,
): FaceVerdict {
  if (verdict.kind !== 'proposed') return verdict;
  if (lapsed.has(verdict.participantId))
    return { kind: 'unidentified', reason: 'consent-lapsed', nearestDistance: null };
  if (carriedParticipants.has(verdict.participantId))
    return { kind: 'unidentified', reason: 'taken', nearestDistance: verdict.distance };
  return verdict;
}
