import { consentStatus, type ConsentStatus } from './consent.js';
import { SitterError } from './errors.js';
import type {
  ConsentRecord,
  ConsentRevokedReason,
  Decision,
  DecisionAction,
  Face,
  FaceState,
  Participant,
} from './records.js';
import { confirmersOf, stateAfterConfirmations } from './review.js';

/**
 * Every way a face changes state, as pure functions: a reviewer's decision (rule 5), its undo, a
 * link revoked when consent goes (rules 3 and 6). The services load the facts, call these, and store
 * what they return; none of them mutates a face its own way.
 */

/** A consent record as of the decision, or its absence. */
export type ConsentFact = ConsentRecord | null;

function statusOf(consent: ConsentFact, now: Date): ConsentStatus | 'no-record' {
  return consent ? consentStatus(consent, now) : 'no-record';
}

/**
 * Rule 3 at decision time: consent may have expired or been withdrawn since the scan. Returns the
 * record version the decision relies on.
 */
export function requireEligible(participant: Participant, consent: ConsentFact, now: Date): ConsentRecord {
  const status = statusOf(consent, now);
  if (!consent || status !== 'eligible') {
    throw new SitterError(
      'CONSENT_NOT_VALID',
      `${participant.displayName} (${participant.externalRef}) cannot be identified: their biometric consent is ${status}.`,
      'Only participants with valid biometric consent can be linked to a face. Reject the match, or import an updated consent record.',
    );
  }
  return consent;
}

export type ReviewAction = { kind: 'confirm' } | { kind: 'reject' } | { kind: 'assign'; participantRef: string };

/** What a decision needs to know, loaded by the service. */
export interface DecisionFacts {
  face: Face;
  /** the face's decisions so far, oldest first (undone ones included: they are skipped) */
  decisions: readonly Decision[];
  action: ReviewAction;
  reviewer: string;
  reviewersRequired: 1 | 2;
  now: Date;
  /**
   * The person the decision is about: for confirm and reject the one the face names now, for assign
   * the one `participantRef` names (null when the shoot has nobody by that reference).
   */
  participant: Participant | null;
  /** that person's current consent record */
  consent: ConsentFact;
  /** for assign: another proposed or confirmed face of the same photo that already names the person */
  elsewhere: Face | null;
}

/** What a decision does, for the service to store. */
export interface DecisionPlan {
  action: DecisionAction;
  participant: Participant | null;
  /** the consent record version a confirm or assign relied on (null for a rejection) */
  reliedOn: ConsentRecord | null;
  /** the decision row, without the ids the store gives */
  decision: Omit<Decision, 'id' | 'shootId' | 'faceId'>;
  /** the face's state and participant after the decision */
  next: { state: FaceState; participantId: number | null };
  /** reviewers who have confirmed the current participant, this decision included */
  confirmedBy: string[];
  /** a template learned from this face named someone the decision rejects or replaces: it goes (rule 3) */
  dropLearnedTemplate: boolean;
  /** the rejected pair is remembered apart from the face, so a rescan never proposes it again */
  rememberRejection: boolean;
  /** the confirmed face's embedding becomes an extra template of the person (confirm only) */
  learn: boolean;
  /** the face's embedding is dropped (rule 4): rejected, or confirmed (after learning) */
  dropEmbedding: boolean;
}

/**
 * Who put the face in its state, for a refusal: with several reviewers (a team workspace), the one
 * who decided a moment earlier elsewhere is named, not only the state they left.
 */
function decidedBy(f: DecisionFacts): string {
  const last = f.decisions.filter((d) => !d.undoneAt).at(-1);
  if (!last || (f.face.state !== 'confirmed' && f.face.state !== 'rejected')) return '';
  return ` (already decided by ${last.reviewer}: ${last.action}, ${last.at.toISOString()})`;
}

/** The refusals of a decision, in the order a reviewer should hear them. */
function refuseDecision(f: DecisionFacts, confirmers: readonly string[]): void {
  const { face, action, participant } = f;
  if (action.kind === 'confirm') {
    if (face.state !== 'proposed' || !participant) {
      throw new SitterError(
        'NOT_A_PROPOSAL',
        `Face ${face.id} is ${face.state}${decidedBy(f)}, not a proposal: there is nothing to confirm.`,
        'Use --assign PARTICIPANT to name a face yourself, or --reject.',
      );
    }
    if (confirmers.includes(f.reviewer)) {
      throw new SitterError(
        'SAME_REVIEWER',
        `${f.reviewer} has already confirmed face ${face.id}; shoot "${face.shootId}" needs a second, different reviewer.`,
        'Ask another reviewer to confirm it (--reviewer NAME).',
      );
    }
  } else if (action.kind === 'reject') {
    if (!participant || (face.state !== 'proposed' && face.state !== 'confirmed')) {
      throw new SitterError(
        'NOTHING_TO_REJECT',
        `Face ${face.id} is ${face.state}${decidedBy(f)}: it names nobody, so there is nothing to reject.`,
        'Only proposed or confirmed matches can be rejected.',
      );
    }
  } else {
    if (!participant) {
      throw new SitterError(
        'PARTICIPANT_NOT_FOUND',
        `Shoot "${face.shootId}" has no participant "${action.participantRef}".`,
        `See the roster with \`sitter consent list ${face.shootId}\`.`,
      );
    }
    if (face.state === 'ignored')
      throw new SitterError('FACE_IGNORED', `Face ${face.id} is ignored (not a usable face).`, 'Pick another face.');
    if (f.elsewhere) {
      throw new SitterError(
        'ALREADY_IN_PHOTO',
        `${participant.displayName} (${participant.externalRef}) is already ${f.elsewhere.state} on face ${f.elsewhere.id} of this photo: one person appears once per photo.`,
        `Reject face ${f.elsewhere.id} first if that match is wrong.`,
      );
    }
  }
}

/**
 * One reviewer decision on one face (rule 5). Confirmation needs the shoot's number of distinct
 * reviewers; confirm and assign need the person's consent to hold now (rule 3); a rejection names
 * nobody and drops the embedding (rule 4). Throws the refusal a reviewer can act on.
 */
export function decide(f: DecisionFacts): DecisionPlan {
  const { face, action, participant } = f;
  refuseDecision(f, action.kind === 'confirm' ? confirmersOf(face, f.decisions) : []);
  const target = participant!;
  const reliedOn = action.kind === 'reject' ? null : requireEligible(target, f.consent, f.now);
  const decision: DecisionPlan['decision'] = {
    reviewer: f.reviewer,
    action: action.kind,
    participantId: target.id,
    at: f.now,
    undoneAt: null,
    previousState: face.state,
    previousParticipantId: face.participantId,
    consentRecordId: reliedOn?.id ?? null,
    consentFormSha256: reliedOn?.formSha256 ?? null,
  };
  const base = { action: action.kind, participant: target, reliedOn, decision };
  if (action.kind === 'reject') {
    return {
      ...base,
      next: { state: 'rejected', participantId: face.participantId },
      confirmedBy: [],
      dropLearnedTemplate: true,
      rememberRejection: true,
      learn: false,
      dropEmbedding: true,
    };
  }
  const after = [...f.decisions, { ...decision, id: Number.MAX_SAFE_INTEGER, shootId: face.shootId, faceId: face.id }];
  const confirmedBy = confirmersOf({ participantId: target.id }, after);
  const state = stateAfterConfirmations(confirmedBy.length, f.reviewersRequired);
  const confirmed = state === 'confirmed';
  return {
    ...base,
    next: { state, participantId: target.id },
    confirmedBy,
    dropLearnedTemplate: action.kind === 'assign' && face.participantId !== target.id,
    rememberRejection: false,
    learn: confirmed && action.kind === 'confirm' && face.embedding !== null && face.modelDigest !== null,
    dropEmbedding: confirmed,
  };
}

/** The face's decisions after `last` that still stand: an undo would restore a state nobody holds. */
export function assertUndoable(last: Decision, faceDecisions: readonly Decision[], shootId: string): void {
  const later = faceDecisions.filter((d) => !d.undoneAt && d.id > last.id);
  if (later.length > 0) {
    throw new SitterError(
      'UNDO_SUPERSEDED',
      `Your last decision (on face ${last.faceId}) was followed by ${later[0]!.reviewer}'s ${later[0]!.action}: undoing it now would restore a state nobody holds any more.`,
      `Decide the face again instead: sitter decide ${shootId} ${last.faceId} --confirm|--reject|--assign PARTICIPANT`,
    );
  }
}

/** What undoing a decision leaves on the face. */
export type FaceAfterUndo = Pick<Face, 'state' | 'participantId'> & { revoked: ConsentRevokedReason | null };

/**
 * The face as it was before `undone`, except (rules 3 and 5) never a link to someone whose consent no
 * longer holds, and a confirmed state only with the confirmations that still stand (`standing`: the
 * face's decisions with `undone` marked undone).
 */
export function stateAfterUndo(
  undone: Decision,
  standing: readonly Decision[],
  consent: ConsentFact,
  reviewersRequired: 1 | 2,
  now: Date,
): FaceAfterUndo {
  const restored = { state: undone.previousState, participantId: undone.previousParticipantId, revoked: null };
  if (restored.participantId === null || (restored.state !== 'proposed' && restored.state !== 'confirmed'))
    return restored;
  if (statusOf(consent, now) !== 'eligible')
    return { state: 'unidentified', participantId: null, revoked: 'consent-not-valid' };
  const confirmers = confirmersOf(restored, standing);
  return {
    ...restored,
    state: confirmers.length > 0 ? stateAfterConfirmations(confirmers.length, reviewersRequired) : 'proposed',
  };
}

/** The fields a revocation changes on a face. */
export type Revocation = Pick<Face, 'participantId' | 'state' | 'score' | 'margin' | 'embedding' | 'reason'>;

/**
 * A face loses the person it named because their consent no longer allows it (rules 3, 4, 6): it
 * names nobody, keeps no score and no embedding, and says why.
 */
export function revocation(reason: ConsentRevokedReason): Revocation {
  return { participantId: null, state: 'unidentified', score: null, margin: null, embedding: null, reason };
}

/** The reason a face is revoked for, from the person's consent status (`withdrawn` is the full cascade). */
export function revokedReasonOf(status: Exclude<ConsentStatus | 'no-record', 'eligible'>): ConsentRevokedReason {
  return `consent-${status}`;
}

/**
 * What a consent that no longer holds does to a person's data (rules 3 and 6 over time). A withdrawal
 * is the full cascade: templates, every link, the DAM. Anyone else no longer eligible (expired,
 * "biometrics no", not yet signed, no record) loses templates and pending proposals, while confirmed
 * identifications stay (they were made under valid consent). Nothing left to remove: nothing.
 */
export type LapseEffect = 'withdrawal-cascade' | 'revoke-proposals' | 'nothing';

export function lapseEffect(
  status: Exclude<ConsentStatus | 'no-record', 'eligible'>,
  held: { templates: boolean; proposed: number; confirmed: number },
): LapseEffect {
  if (status === 'withdrawn')
    return held.templates || held.proposed + held.confirmed > 0 ? 'withdrawal-cascade' : 'nothing';
  return held.templates || held.proposed > 0 ? 'revoke-proposals' : 'nothing';
}
