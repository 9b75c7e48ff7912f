import { participantPseudonym } from '../domain/pseudonym.js';
import { consentStatus } from '../domain/consent.js';
import { SitterError } from '../domain/errors.js';
import type { ConsentRecord, Decision, DecisionAction, Face, Participant } from '../domain/records.js';
import { faceBinding, templateBinding } from '../domain/seal-binding.js';
import { confirmersOf, stateAfterConfirmations } from '../domain/review.js';
import { assertBiometricProcessingAllowed, type Shoot } from '../domain/shoot.js';
import type { UnitOfWork } from '../ports/store.js';
import { type ServiceContext, requireShoot } from './context.js';

export type ReviewAction = { kind: 'confirm' } | { kind: 'reject' } | { kind: 'assign'; participantRef: string };

export interface DecisionOutcome {
  face: number;
  action: DecisionAction;
  participant: string | null;
  reviewer: string;
  state: Face['state'];
  /** reviewers who have confirmed the current participant (two-person review) */
  confirmedBy: string[];
  /** whether the face became an extra template of the participant */
  learned: boolean;
  /** the consent record version this confirmation or assignment relied on (null for a rejection) */
  consentRecord: { id: number; formSha256: string } | null;
}

async function requireFace(uow: UnitOfWork, shoot: Shoot, faceId: number): Promise<Face> {
  const face = await uow.faces.find(faceId);
  if (!face || face.shootId !== shoot.id) {
    throw new SitterError(
      'FACE_NOT_FOUND',
      `Shoot "${shoot.id}" has no face ${faceId}.`,
      `List the faces with \`sitter matches ${shoot.id}\`.`,
    );
  }
  return face;
}

/**
 * Rule 3 at decision time: consent may have expired or been withdrawn since the scan. Returns the
 * record version the decision relies on.
 */
async function requireEligible(uow: UnitOfWork, participant: Participant, now: Date): Promise<ConsentRecord> {
  const consent = await uow.consents.current(participant.id);
  const status = consent ? consentStatus(consent, now) : 'no-record';
  if (!consent || status !== 'eligible') {
    throw new SitterError(
      'CONSENT_NOT_VALID',
      `${participant.displayName} (${participant.externalRef}) cannot be identified: their biometric consent is ${status}.`,
      'Only participants with valid biometric consent can be linked to a face. Reject the match, or import an updated consent record.',
    );
  }
  return consent;
}

/**
 * One reviewer decision on one face, inside the caller's unit of work. Confirmation needs the
 * shoot's number of distinct reviewers (rule 5); a confirmed face may become an extra template while
 * the person's consent holds; rejection drops the stored embedding (rule 4).
 */
async function applyDecision(
  ctx: ServiceContext,
  uow: UnitOfWork,
  shoot: Shoot,
  face: Face,
  action: ReviewAction,
  reviewer: string,
  participantsById: Map<number, Participant>,
  participantsByRef: Map<string, Participant>,
): Promise<DecisionOutcome> {
  const now = ctx.clock.now();
  const previous = { state: face.state, participantId: face.participantId };
  const decisions = await uow.decisions.listByFace(face.id);
  let participant: Participant | null =
    face.participantId !== null ? (participantsById.get(face.participantId) ?? null) : null;
  let reliedOn: ConsentRecord | null = null;

  if (action.kind === 'confirm') {
    if (face.state !== 'proposed' || !participant) {
      throw new SitterError(
        'NOT_A_PROPOSAL',
        `Face ${face.id} is ${face.state}, not a proposal: there is nothing to confirm.`,
        'Use --assign PARTICIPANT to name a face yourself, or --reject.',
      );
    }
    if (confirmersOf(face, decisions).includes(reviewer)) {
      throw new SitterError(
        'SAME_REVIEWER',
        `${reviewer} has already confirmed face ${face.id}; shoot "${shoot.id}" needs a second, different reviewer.`,
        'Ask another reviewer to confirm it (--reviewer NAME).',
      );
    }
    reliedOn = await requireEligible(uow, participant, now);
  } else if (action.kind === 'reject') {
    if (!participant || (face.state !== 'proposed' && face.state !== 'confirmed')) {
      throw new SitterError(
        'NOTHING_TO_REJECT',
        `Face ${face.id} is ${face.state}: it names nobody, so there is nothing to reject.`,
        'Only proposed or confirmed matches can be rejected.',
      );
    }
  } else {
    participant = participantsByRef.get(action.participantRef) ?? null;
    if (!participant) {
      throw new SitterError(
        'PARTICIPANT_NOT_FOUND',
        `Shoot "${shoot.id}" has no participant "${action.participantRef}".`,
        `See the roster with \`sitter consent list ${shoot.id}\`.`,
      );
    }
    if (face.state === 'ignored')
      throw new SitterError('FACE_IGNORED', `Face ${face.id} is ignored (not a usable face).`, 'Pick another face.');
    const target = participant;
    const elsewhere = (await uow.faces.listByAsset(face.assetId)).find(
      (f) => f.id !== face.id && f.participantId === target.id && (f.state === 'proposed' || f.state === 'confirmed'),
    );
    if (elsewhere) {
      throw new SitterError(
        'ALREADY_IN_PHOTO',
        `${target.displayName} (${target.externalRef}) is already ${elsewhere.state} on face ${elsewhere.id} of this photo: one person appears once per photo.`,
        `Reject face ${elsewhere.id} first if that match is wrong.`,
      );
    }
    reliedOn = await requireEligible(uow, participant, now);
  }

  const kind: DecisionAction = action.kind;
  const record: Omit<Decision, 'id'> = {
    shootId: shoot.id,
    faceId: face.id,
    reviewer,
    action: kind,
    participantId: participant?.id ?? null,
    at: now,
    undoneAt: null,
    previousState: previous.state,
    previousParticipantId: previous.participantId,
    consentRecordId: reliedOn?.id ?? null,
    consentFormSha256: reliedOn?.formSha256 ?? null,
  };
  const saved = await uow.decisions.add(record);
  decisions.push(saved);

  let learned = false;
  if (kind === 'reject' || (kind === 'assign' && previous.participantId !== participant!.id)) {
    // A template learned from this face named the person now rejected or replaced: it goes too (rule 3).
    await uow.templates.deleteByOrigin(shoot.id, `face:${face.id}`);
  }
  if (kind === 'reject') {
    face.state = 'rejected';
    face.embedding = null;
    await uow.rejections.add({
      shootId: shoot.id,
      assetId: face.assetId,
      participantId: participant!.id,
      x: face.x,
      y: face.y,
      w: face.w,
      h: face.h,
      decisionId: saved.id,
      createdAt: now,
    });
  } else {
    face.participantId = participant!.id;
    const confirmers = confirmersOf(face, decisions);
    face.state = stateAfterConfirmations(confirmers.length, shoot.reviewersRequired);
    if (face.state === 'confirmed') {
      if (face.embedding && face.modelDigest && kind === 'confirm') {
        // Opened bound to this face and proposal (a blob moved here from another face fails loudly,
        // and nothing is learned), then sealed again bound to the participant's template.
        const template = {
          shootId: shoot.id,
          participantId: participant!.id,
          modelDigest: face.modelDigest,
          origin: 'confirmed-face' as const,
        };
        const plain = await ctx.keyVault.decrypt(
          faceBinding({ ...face, participantId: previous.participantId, modelDigest: face.modelDigest }),
          face.embedding,
        );
        const embedding = await ctx.keyVault.encrypt(templateBinding(template), plain);
        plain.fill(0);
        await uow.templates.add({ ...template, embedding, originRef: `face:${face.id}`, createdAt: now });
        learned = true;
      }
      face.embedding = null;
    }
  }
  const confirmedBy = kind === 'reject' ? [] : confirmersOf(face, decisions);
  await uow.audit.append(
    {
      actor: reviewer,
      action: `decision.${kind}`,
      shootId: shoot.id,
      subject: `face:${face.id}`,
      details: {
        participant: participant ? participantPseudonym(participant) : null,
        state: face.state,
        previousState: previous.state,
        confirmedBy,
        learned,
        score: face.score,
        margin: face.margin,
        ...(reliedOn ? { consentRecord: reliedOn.id, formSha256: reliedOn.formSha256 } : {}),
      },
    },
    now,
  );
  const consentRecord = reliedOn ? { id: reliedOn.id, formSha256: reliedOn.formSha256 } : null;
  return {
    face: face.id,
    action: kind,
    participant: participant?.externalRef ?? null,
    reviewer,
    state: face.state,
    confirmedBy,
    learned,
    consentRecord,
  };
}

async function participantMaps(uow: UnitOfWork, shootId: string) {
  const participants = await uow.participants.listByShoot(shootId);
  return {
    byId: new Map(participants.map((p) => [p.id, p])),
    byRef: new Map(participants.map((p) => [p.externalRef, p])),
  };
}

function requireReviewer(reviewer: string): string {
  const name = reviewer.trim();
  if (!name)
    throw new SitterError(
      'REVIEWER_REQUIRED',
      'Every decision needs the reviewer who made it.',
      'Pass --reviewer NAME.',
    );
  return name;
}

export async function decideFace(
  ctx: ServiceContext,
  shootId: string,
  faceId: number,
  action: ReviewAction,
  reviewer: string,
): Promise<DecisionOutcome> {
  const who = requireReviewer(reviewer);
  return ctx.store.transaction(async (uow) => {
    const shoot = await requireShoot(uow, shootId);
    assertBiometricProcessingAllowed(shoot, 'review', ctx.clock.now());
    const face = await requireFace(uow, shoot, faceId);
    const maps = await participantMaps(uow, shootId);
    return applyDecision(ctx, uow, shoot, face, action, who, maps.byId, maps.byRef);
  });
}

export interface BulkSelector {
  /** proposals whose score is at least this */
  allAbove?: number;
  /** proposals in one asset (its connector id or file name) */
  asset?: string;
  /** proposals of one participant (participant_id) */
  participant?: string;
}

/** Confirms or rejects every matching proposal, in one unit of work (all or nothing). */
export async function decideBulk(
  ctx: ServiceContext,
  shootId: string,
  selector: BulkSelector,
  action: 'confirm' | 'reject',
  reviewer: string,
): Promise<DecisionOutcome[]> {
  const who = requireReviewer(reviewer);
  if (selector.allAbove === undefined && !selector.asset && !selector.participant) {
    throw new SitterError(
      'BULK_SELECTOR_REQUIRED',
      'A bulk decision needs a selection.',
      'Pass --all-above SCORE, --asset FILE or --participant ID.',
    );
  }
  return ctx.store.transaction(async (uow) => {
    const shoot = await requireShoot(uow, shootId);
    assertBiometricProcessingAllowed(shoot, 'review', ctx.clock.now());
    const maps = await participantMaps(uow, shootId);
    const assets = await uow.assets.listByShoot(shootId);
    const assetIds = selector.asset
      ? new Set(
          assets.filter((a) => a.connectorAssetId === selector.asset || a.fileName === selector.asset).map((a) => a.id),
        )
      : null;
    if (assetIds && assetIds.size === 0)
      throw new SitterError(
        'ASSET_NOT_FOUND',
        `Shoot "${shootId}" has no asset "${selector.asset}".`,
        `List them with \`sitter matches ${shootId}\`.`,
      );
    const participant = selector.participant ? maps.byRef.get(selector.participant) : undefined;
    if (selector.participant && !participant)
      throw new SitterError(
        'PARTICIPANT_NOT_FOUND',
        `Shoot "${shootId}" has no participant "${selector.participant}".`,
        `See the roster with \`sitter consent list ${shootId}\`.`,
      );
    const faces = (await uow.faces.listByShoot(shootId)).filter(
      (f) =>
        f.state === 'proposed' &&
        (selector.allAbove === undefined || (f.score ?? -1) >= selector.allAbove) &&
        (!assetIds || assetIds.has(f.assetId)) &&
        (!participant || f.participantId === participant.id),
    );
    const out: DecisionOutcome[] = [];
    for (const face of faces) {
      // In two-person mode a bulk confirm skips the faces this reviewer already confirmed.
      if (action === 'confirm' && confirmersOf(face, await uow.decisions.listByFace(face.id)).includes(who)) continue;
      out.push(await applyDecision(ctx, uow, shoot, face, { kind: action }, who, maps.byId, maps.byRef));
    }
    return out;
  });
}

export interface UndoOutcome {
  face: number;
  undone: DecisionAction;
  /** 'gone' when a rescan has replaced the face since the decision */
  state: Face['state'] | 'gone';
  participant: string | null;
}

/** Undoes the reviewer's most recent decision in the shoot that is not undone yet. */
export async function undoLastDecision(ctx: ServiceContext, shootId: string, reviewer: string): Promise<UndoOutcome> {
  const who = requireReviewer(reviewer);
  return ctx.store.transaction(async (uow) => {
    const shoot = await requireShoot(uow, shootId);
    assertBiometricProcessingAllowed(shoot, 'review', ctx.clock.now());
    const last = (await uow.decisions.listByShoot(shootId)).filter((d) => d.reviewer === who && !d.undoneAt).at(-1);
    if (!last)
      throw new SitterError(
        'NOTHING_TO_UNDO',
        `${who} has no decision to undo in shoot "${shootId}".`,
        'Undo applies to your own decisions, most recent first.',
      );
    const now = ctx.clock.now();
    const later = (await uow.decisions.listByFace(last.faceId)).filter((d) => !d.undoneAt && d.id > last.id);
    if (later.length > 0) {
      throw new SitterError(
        'UNDO_SUPERSEDED',
        `Your last decision (on face ${last.faceId}) was followed by ${later[0]!.reviewer}'s ${later[0]!.action}: undoing it now would restore a state nobody holds any more.`,
        `Decide the face again instead: sitter decide ${shootId} ${last.faceId} --confirm|--reject|--assign PARTICIPANT`,
      );
    }
    last.undoneAt = now;
    await uow.rejections.deleteByDecision(last.id);
    // A template learned from this face goes with the decision that made it.
    const templatesRemoved = await uow.templates.deleteByOrigin(shootId, `face:${last.faceId}`);
    const face = await uow.faces.find(last.faceId);
    if (!face) {
      // A rescan replaced the faces of a changed asset: the decision is withdrawn, there is no face to restore.
      await uow.audit.append(
        {
          actor: who,
          action: 'decision.undone',
          shootId,
          subject: `face:${last.faceId}`,
          details: { decision: last.id, undone: last.action, faceGone: true, templatesRemoved },
        },
        now,
      );
      return { face: last.faceId, undone: last.action, state: 'gone', participant: null };
    }
    face.participantId = last.previousParticipantId;
    face.state = last.previousState;
    if (face.participantId !== null && (face.state === 'proposed' || face.state === 'confirmed')) {
      // Rules 3 and 5: never restore a link to someone whose consent no longer holds, and a confirmed
      // state only with the confirmations that still stand.
      const consent = await uow.consents.current(face.participantId);
      if (!consent || consentStatus(consent, now) !== 'eligible') {
        face.participantId = null;
        face.state = 'unidentified';
        face.reason = 'consent-not-valid';
      } else {
        const confirmers = confirmersOf(face, await uow.decisions.listByFace(face.id));
        face.state =
          confirmers.length > 0 ? stateAfterConfirmations(confirmers.length, shoot.reviewersRequired) : 'proposed';
      }
    }
    const maps = await participantMaps(uow, shootId);
    const participant = face.participantId !== null ? (maps.byId.get(face.participantId)?.externalRef ?? null) : null;
    await uow.audit.append(
      {
        actor: who,
        action: 'decision.undone',
        shootId,
        subject: `face:${face.id}`,
        details: {
          decision: last.id,
          undone: last.action,
          state: face.state,
          participant: face.participantId !== null ? participantPseudonym({ id: face.participantId }) : null,
          templatesRemoved,
        },
      },
      now,
    );
    return { face: face.id, undone: last.action, state: face.state, participant };
  });
}
