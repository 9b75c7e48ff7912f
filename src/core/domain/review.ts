import type { Decision, Face, FaceState } from './records.js';

/**
 * Rule 5 (human oversight): how many distinct reviewers have confirmed a face's current participant,
 * replayed from its decisions. A rejection, or an assignment to someone else, starts the count again.
 */
export function confirmersOf(face: Pick<Face, 'participantId'>, decisions: readonly Decision[]): string[] {
  let confirmers: string[] = [];
  let participant: number | null = null;
  for (const d of decisions) {
    if (d.undoneAt) continue;
    if (d.action === 'reject') {
      confirmers = [];
      participant = null;
    } else {
      if (d.participantId !== participant) confirmers = [];
      participant = d.participantId;
      if (!confirmers.includes(d.reviewer)) confirmers.push(d.reviewer);
    }
  }
  return participant === face.participantId ? confirmers : [];
}

/** The state a face reaches once `confirmers` people have confirmed it. */
export function stateAfterConfirmations(confirmers: number, required: 1 | 2): FaceState {
  return confirmers >= required ? 'confirmed' : 'proposed';
}

/** The consent record version a confirmed face was named under, and its signed form's sha256. */
export interface ConsentLink {
  /** ConsentRecord.id: one version of one participant's record */
  id: number;
  formSha256: string;
}

/**
 * Under which consent record a face is confirmed: the one relied on by the decision that made it
 * confirmed (the last confirm or assign of its current participant that still stands; in two-person
 * review, the second confirmation). Null for a face that is not confirmed, or was confirmed before
 * Sitter recorded the link.
 */
export function consentLinkOf(
  face: Pick<Face, 'participantId' | 'state'>,
  decisions: readonly Decision[],
): ConsentLink | null {
  if (face.state !== 'confirmed') return null;
  let last: Decision | null = null;
  for (const d of decisions) {
    if (d.undoneAt) continue;
    last = d.action === 'reject' ? null : d;
  }
  if (
    !last ||
    last.participantId !== face.participantId ||
    last.consentRecordId === null ||
    last.consentFormSha256 === null
  )
    return null;
  return { id: last.consentRecordId, formSha256: last.consentFormSha256 };
}
