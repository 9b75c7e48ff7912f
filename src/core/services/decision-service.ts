import { participantPseudonym } from '../domain/pseudonym.js';
import { SitterError } from '../domain/errors.js';
import { assertUndoable, decide, type ReviewAction, revocation, stateAfterUndo } from '../domain/face-transitions.js';
import type { DecisionAction, Face, Participant } from '../domain/records.js';
import { faceBinding, templateBinding } from '../domain/seal-binding.js';
import { confirmersOf } from '../domain/review.js';
import { assertBiometricProcessingAllowed, type Shoot } from '../domain/shoot.js';
import type { UnitOfWork } from '../ports/store.js';
import { type ServiceContext, requireShoot } from './context.js';
import { reviewerIdentity } from './reviewer-identity.js';

export type { ReviewAction };

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
 * One reviewer decision on one face, inside the caller's unit of work: the facts loaded, the
 * transition decided (domain/face-transitions.ts `decide`), its effects stored and put on the record.
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
  const participant =
    action.kind === 'assign'
      ? (participantsByRef.get(action.participantRef) ?? null)
      : face.participantId !== null
        ? (participantsById.get(face.participantId) ?? null)
        : null;
  const elsewhere =
    action.kind === 'assign' && participant
      ? ((await uow.faces.listByAsset(face.assetId)).find(
          (f) =>
            f.id !== face.id &&
            f.participantId === participant.id &&
            (f.state === 'proposed' || f.state === 'confirmed'),
        ) ?? null)
      : null;
  const plan = decide({
    face,
    decisions,
    action,
    reviewer,
    reviewersRequired: shoot.reviewersRequired,
    now,
    participant,
    consent: participant && action.kind !== 'reject' ? await uow.consents.current(participant.id) : null,
    elsewhere,
  });

  const saved = await uow.decisions.add({ ...plan.decision, shootId: shoot.id, faceId: face.id });
  // A template learned from this face named the person now rejected or replaced: it goes too (rule 3).
  if (plan.dropLearnedTemplate) await uow.templates.deleteByOrigin(shoot.id, `face:${face.id}`);
  if (plan.rememberRejection) {
    await uow.rejections.add({
      shootId: shoot.id,
      assetId: face.assetId,
      participantId: plan.participant!.id,
      x: face.x,
      y: face.y,
      w: face.w,
      h: face.h,
      decisionId: saved.id,
      createdAt: now,
    });
  }
  face.state = plan.next.state;
  face.participantId = plan.next.participantId;
  if (plan.learn) await learnTemplate(ctx, uow, face, previous.participantId, now);
  if (plan.dropEmbedding) face.embedding = null;
  const { reliedOn } = plan;
  await uow.audit.append(
    {
      actor: reviewer,
      action: `decision.${plan.action}`,
      shootId: shoot.id,
      subject: `face:${face.id}`,
      details: {
        participant: plan.participant ? participantPseudonym(plan.participant) : null,
        state: face.state,
        previousState: previous.state,
        confirmedBy: plan.confirmedBy,
        learned: plan.learn,
        score: face.score,
        margin: face.margin,
        ...(reliedOn ? { consentRecord: reliedOn.id, formSha256: reliedOn.formSha256 } : {}),
      },
    },
    now,
  );
  return {
    face: face.id,
    action: plan.action,
    participant: plan.participant?.externalRef ?? null,
    reviewer,
    state: face.state,
    confirmedBy: plan.confirmedBy,
    learned: plan.learn,
    consentRecord: reliedOn ? { id: reliedOn.id, formSha256: reliedOn.formSha256 } : null,
  };
}

/**
 * A confirmed face becomes an extra template of its person. Its embedding is opened bound to this
 * face and proposal (a blob moved here from another face fails loudly, and nothing is learned), then
 * sealed again bound to the participant's template.
 */
async function learnTemplate(
  ctx: ServiceContext,
  uow: UnitOfWork,
  face: Face,
  proposedParticipantId: number | null,
  now: Date,
): Promise<void> {
  const template = {
    shootId: face.shootId,
    participantId: face.participantId!,
    modelDigest: face.modelDigest!,
    origin: 'confirmed-face' as const,
  };
  const plain = await ctx.keyVault.decrypt(
    faceBinding({ ...face, participantId: proposedParticipantId, modelDigest: face.modelDigest! }),
    face.embedding!,
  );
  const embedding = await ctx.keyVault.encrypt(templateBinding(template), plain);
  plain.fill(0);
  await uow.templates.add({ ...template, embedding, originRef: `face:${face.id}`, createdAt: now });
}

async function participantMaps(uow: UnitOfWork, shootId: string) {
  const participants = await uow.participants.listByShoot(shootId);
  return {
    byId: new Map(participants.map((p) => [p.id, p])),
    byRef: new Map(participants.map((p) => [p.externalRef, p])),
  };
}

/** The face as the reviewer saw it when deciding (the review app's queue item). */
export interface SeenFace {
  state: Face['state'];
  /** the participant_id it named, or null */
  participant: string | null;
}

/**
 * Another reviewer (another process, another machine) changed the face after this reviewer's screen
 * showed it: the decision was made on a view that no longer holds, so it is refused, never applied
 * on top of theirs. Checked in the decision's own unit of work.
 */
async function assertStillAsSeen(
  uow: UnitOfWork,
  face: Face,
  seen: SeenFace,
  action: ReviewAction,
  byId: Map<number, Participant>,
): Promise<void> {
  const now = face.participantId !== null ? (byId.get(face.participantId)?.externalRef ?? null) : null;
  if (face.state === seen.state && now === seen.participant) return;
  const last = (await uow.decisions.listByFace(face.id)).filter((d) => !d.undoneAt).at(-1) ?? null;
  const by = last ? ` by ${last.reviewer}` : '';
  throw new SitterError(
    'FACE_DECIDED_ELSEWHERE',
    `Face ${face.id} was ${face.state}${now ? ` (${now})` : ''}${by} after you saw it: your ${action.kind} was not applied.`,
    `It has left your queue. To look at it again: sitter review ${face.shootId} --state ${face.state === 'unidentified' ? 'proposed' : face.state}`,
    {
      face: face.id,
      state: face.state,
      participant: now,
      decidedBy: last?.reviewer ?? null,
      decidedAt: last ? last.at.toISOString() : null,
    },
  );
}

export async function decideFace(
  ctx: ServiceContext,
  shootId: string,
  faceId: number,
  action: ReviewAction,
  reviewer: string | undefined,
  seen?: SeenFace,
): Promise<DecisionOutcome> {
  const who = await reviewerIdentity(ctx, reviewer);
  return ctx.store.transaction(async (uow) => {
    const shoot = await requireShoot(uow, shootId);
    assertBiometricProcessingAllowed(shoot, 'review', ctx.clock.now());
    const face = await requireFace(uow, shoot, faceId);
    const maps = await participantMaps(uow, shootId);
    if (seen) await assertStillAsSeen(uow, face, seen, action, maps.byId);
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
  reviewer: string | undefined,
): Promise<DecisionOutcome[]> {
  const who = await reviewerIdentity(ctx, reviewer);
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
export async function undoLastDecision(
  ctx: ServiceContext,
  shootId: string,
  reviewer: string | undefined,
): Promise<UndoOutcome> {
  const who = await reviewerIdentity(ctx, reviewer);
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
    assertUndoable(last, await uow.decisions.listByFace(last.faceId), shootId);
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
    const restored = stateAfterUndo(
      last,
      await uow.decisions.listByFace(face.id),
      last.previousParticipantId !== null ? await uow.consents.current(last.previousParticipantId) : null,
      shoot.reviewersRequired,
      now,
    );
    if (restored.revoked) Object.assign(face, revocation(restored.revoked));
    else Object.assign(face, { state: restored.state, participantId: restored.participantId });
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
