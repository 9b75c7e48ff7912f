import { formatAnchor } from '../domain/anchor.js';
import { SitterError } from '../domain/errors.js';
import type { LegalHold } from '../domain/legal-hold.js';
import { ERASED_REF_PREFIX, participantPseudonym, participantSubject } from '../domain/pseudonym.js';
import type { Connector } from '../ports/connector.js';
import type { UnitOfWork } from '../ports/store.js';
import { type ServiceContext, requireShoot } from './context.js';
import {
  type ErasureVerification,
  identityOf,
  mentionsOf,
  type PersonIdentity,
  placesWrittenFor,
  verifyErasure,
} from './erasure-check.js';
import { currentHold } from './legal-hold-service.js';
import { type PushedAsset, pushShoot } from './push-service.js';
import { withdrawalCascade } from './withdrawal.js';

export interface ErasureReceipt {
  shoot: string;
  /** the reference the user gave; printed, never put on the chain */
  participant: string;
  /** how the chain refers to the person from now on */
  pseudonym: string;
  erasedAt: string;
  /** set when a legal hold kept the consent record and names */
  hold: LegalHold | null;
  /** false when the person had already withdrawn */
  withdrawnNow: boolean;
  templatesDeleted: number;
  matchesRevoked: number;
  /** pushRecords: the records of places since cleared; a place that could not be cleared keeps its record and is a trace */
  removed: {
    consentRecords: number;
    decisions: number;
    rejections: number;
    faces: number;
    pushRecords: number;
    participantRow: 'blanked' | 'kept under legal hold';
  };
  damUpdates: PushedAsset[];
  damFailures: { asset: string; code: string; message: string }[];
  verification: ErasureVerification;
  audit: { seq: number; hash: string };
  anchor: string;
}

/** Step 1, one transaction: the withdrawal cascade (biometrics always go, hold or not). */
async function withdrawForErasure(ctx: ServiceContext, uow: UnitOfWork, shootId: string, participantRef: string) {
  await requireShoot(uow, shootId);
  const participant = await uow.participants.findByExternalRef(shootId, participantRef);
  if (!participant) {
    throw new SitterError(
      'PARTICIPANT_NOT_FOUND',
      `Shoot "${shootId}" has no participant "${participantRef}".`,
      `See the roster with \`sitter consent list ${shootId}\`; someone already erased is no longer listed (their receipt is on the audit record).`,
    );
  }
  const now = ctx.clock.now();
  const current = await uow.consents.current(participant.id);
  const withdrawnNow =
    current !== null && (current.withdrawnAt === null || current.withdrawnAt.getTime() > now.getTime());
  if (current && withdrawnNow) {
    const { id: _id, ...rest } = current;
    await uow.consents.add({ ...rest, withdrawnAt: now, importedFrom: 'sitter erase', importedAt: now });
  }
  // The faces that were the person (their boxes), found before the cascade unlinks them. A face a
  // reviewer said is NOT them is someone else's: only the decision and the rejection naming the person go.
  const namedOn = (await uow.decisions.listByParticipant(participant.id)).filter(
    (d) => d.action !== 'reject' && d.participantId === participant.id,
  );
  const faceIds = new Set([
    ...(await uow.faces.listByParticipant(participant.id)).filter((f) => f.state !== 'rejected').map((f) => f.id),
    ...namedOn.map((d) => d.faceId),
  ]);
  const cascade = await withdrawalCascade(uow, participant);
  // Erasure removes the records, not the fact that these forms were withdrawn: a stale file cannot bring the person back.
  const withdrawnAt = current?.withdrawnAt && !withdrawnNow ? current.withdrawnAt : now;
  await uow.withdrawals.rememberForms(
    shootId,
    (await uow.consents.listByParticipant(participant.id)).map((r) => ({
      formSha256: r.formSha256,
      withdrawnAt: r.withdrawnAt && r.withdrawnAt <= now ? r.withdrawnAt : withdrawnAt,
    })),
  );
  if (withdrawnNow) {
    await uow.audit.append(
      {
        actor: ctx.actor,
        action: 'consent.withdrawn',
        shootId,
        subject: participantSubject(participant),
        details: { withdrawnAt: now, via: 'erase', ...cascade },
      },
      now,
    );
  }
  return {
    person: identityOf(participant),
    hold: await currentHold(uow, shootId),
    withdrawnNow,
    cascade,
    faceIds: [...faceIds],
    now,
  };
}

/** Step 2, after the commit: every place Sitter wrote that names the person is re-pushed without them. */
async function clearWrittenPlaces(
  ctx: ServiceContext,
  connector: Connector,
  person: PersonIdentity,
  affected: number[],
) {
  const { source, places } = await ctx.store.transaction(async (uow) => ({
    source: (await requireShoot(uow, person.shootId)).source,
    places: await placesWrittenFor(uow, person),
  }));
  const naming = new Set(affected);
  if (connector.readWritten) {
    for (const a of places) {
      const files = await connector.readWritten(source, a.connectorAssetId).catch(() => []);
      if (files.some((f) => mentionsOf(f.text, person).length > 0)) naming.add(a.id);
    }
  }
  try {
    const pushed = await pushShoot(ctx, connector, person.shootId, { assetIds: [...naming], reason: 'withdrawal' });
    return { source, damUpdates: pushed.updated, damFailures: pushed.failed };
  } catch (error) {
    return {
      source,
      damUpdates: [],
      damFailures: [
        {
          asset: '*',
          code: error instanceof SitterError ? error.code : 'BUG',
          message: error instanceof Error ? error.message : String(error),
        },
      ],
    };
  }
}

/** Step 3, unless a legal hold is set: the consent record, names and boxes go; the row keeps only its pseudonym. */
async function removePersonalRecords(ctx: ServiceContext, person: PersonIdentity, faceIds: number[]) {
  return ctx.store.transaction(async (uow) => {
    const participant = await uow.participants.find(person.participantId);
    if (!participant)
      throw new SitterError(
        'PARTICIPANT_NOT_FOUND',
        'The participant disappeared during the erasure.',
        'Run the erasure again.',
      );
    const decisions = await uow.decisions.listByParticipant(participant.id);
    const removed = {
      consentRecords: await uow.consents.deleteByParticipant(participant.id),
      rejections: await uow.rejections.deleteByParticipant(participant.id),
      decisions: await uow.decisions.deleteByIds(decisions.map((d) => d.id)),
      faces: await uow.faces.deleteByIds(faceIds),
      // Their consent URI holds the reference. Only places cleared by now: one still naming the person keeps its record, reported by the proof.
      pushRecords: await uow.pushRecords.deleteClearedByParticipant(participant.id),
      participantRow: 'blanked' as const,
    };
    // The row stays (ids are never reused, so the chain's "#id" can never point at someone else) but
    // holds nothing that identifies anyone.
    participant.externalRef = `${ERASED_REF_PREFIX}${participantPseudonym(participant)}`;
    participant.displayName = '';
    participant.guardian = null;
    participant.minor = false;
    await uow.audit.append(
      {
        actor: ctx.actor,
        action: 'participant.erased',
        shootId: person.shootId,
        subject: participantSubject(participant),
        details: removed,
      },
      ctx.clock.now(),
    );
    return removed;
  });
}

/**
 * GDPR Art. 17 as one command: the withdrawal cascade, then the consent record, names and boxes
 * removed (unless a legal hold is set on the shoot, which keeps the record and is reported), then a
 * proof that nothing Sitter wrote still names the person. The receipt is on the chain, pseudonymously.
 */
export async function eraseParticipant(
  ctx: ServiceContext,
  connector: Connector,
  shootId: string,
  participantRef: string,
): Promise<ErasureReceipt> {
  const staged = await ctx.store.transaction((uow) => withdrawForErasure(ctx, uow, shootId, participantRef));
  const { person } = staged;
  const dam = await clearWrittenPlaces(ctx, connector, person, staged.cascade.affectedAssetIds);
  const removed = staged.hold
    ? {
        consentRecords: 0,
        decisions: 0,
        rejections: 0,
        faces: 0,
        pushRecords: 0,
        participantRow: 'kept under legal hold' as const,
      }
    : await removePersonalRecords(ctx, person, staged.faceIds);
  if (staged.hold) {
    await ctx.store.transaction((uow) =>
      uow.audit.append(
        {
          actor: ctx.actor,
          action: 'participant.erasure-held',
          shootId,
          subject: participantSubject({ id: person.participantId }),
          details: { holdSeq: staged.hold!.seq, reason: staged.hold!.reason },
        },
        ctx.clock.now(),
      ),
    );
  }
  const verification = await verifyErasure(ctx, connector, dam.source, person, staged.hold !== null);
  const pseudonym = participantPseudonym({ id: person.participantId });
  const onRecord = {
    participant: pseudonym,
    erasedAt: staged.now.toISOString(),
    held: staged.hold ? { seq: staged.hold.seq } : null,
    withdrawnNow: staged.withdrawnNow,
    templatesDeleted: staged.cascade.templatesDeleted,
    matchesRevoked: staged.cascade.matchesRevoked,
    removed,
    damUpdates: dam.damUpdates,
    damFailures: dam.damFailures.length,
    verification: {
      clean: verification.clean,
      traces: verification.traces,
      keptUnderHold: verification.keptUnderHold.length,
      unverified: verification.unverified.length,
    },
  };
  const entry = await ctx.store.transaction((uow) =>
    uow.audit.append(
      {
        actor: ctx.actor,
        action: 'participant.erasure-receipt',
        shootId,
        subject: `participant:${pseudonym}`,
        details: onRecord,
      },
      ctx.clock.now(),
    ),
  );
  return {
    shoot: shootId,
    participant: participantRef,
    pseudonym,
    erasedAt: onRecord.erasedAt,
    hold: staged.hold,
    withdrawnNow: staged.withdrawnNow,
    templatesDeleted: onRecord.templatesDeleted,
    matchesRevoked: onRecord.matchesRevoked,
    removed,
    damUpdates: dam.damUpdates,
    damFailures: dam.damFailures,
    verification,
    audit: { seq: entry.seq, hash: entry.hash },
    anchor: formatAnchor(entry),
  };
}
