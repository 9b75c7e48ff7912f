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
