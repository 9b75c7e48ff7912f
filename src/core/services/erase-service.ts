import { retryWhileLocked, WITHDRAWAL_LOCK_WAIT_MS } from './retry-locked.js';
import { formatAnchor } from '../domain/anchor.js';
import { erasureDigest } from '../domain/erasure.js';
import type { AuditEntry } from '../domain/audit.js';
import { SitterError } from '../domain/errors.js';
import type { Erasure } from '../domain/records.js';
import { ERASED_REF_PREFIX, participantPseudonym, participantSubject } from '../domain/pseudonym.js';
import type { Connector } from '../ports/connector.js';
import type { UnitOfWork } from '../ports/store.js';
import { type ServiceContext, requireShoot } from './context.js';
import { identityOf, mentionsOf, type PersonIdentity, placesWrittenFor, verifyErasure } from './erasure-check.js';
import { type ErasureReceipt, type ErasureRemoved, writeErasureReceipt } from './erasure-receipt.js';
import { currentHold } from './legal-hold-service.js';
import { pushShoot } from './push-service.js';
import { withdrawalCascade } from './withdrawal.js';

export type { ErasureReceipt } from './erasure-receipt.js';

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
    // In this same commit: the erasure is pending until its receipt is written. A kill before the receipt
    // leaves the row blanked (the reference no longer finds it), so the rerun finds the erasure by this digest.
    const erasure = await uow.erasures.add({
      shootId: person.shootId,
      participantId: participant.id,
      refDigest: erasureDigest(person.shootId, person.externalRef),
      pendingSince: ctx.clock.now(),
      receiptSeq: null,
    });
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
    return { removed, erasureId: erasure.id };
  });
}

/**
 * An erasure of this reference already begun: null when the reference names someone on the roster
 * (the same reference imported again after an erasure is a new person to erase). A finished one is
 * a refusal naming its receipt; a pending one (interrupted before its receipt) is returned to finish.
 */
async function earlierErasure(ctx: ServiceContext, shootId: string, participantRef: string): Promise<Erasure | null> {
  return ctx.store.transaction(async (uow) => {
    if (await uow.participants.findByExternalRef(shootId, participantRef)) return null;
    const erasure = await uow.erasures.findByDigest(shootId, erasureDigest(shootId, participantRef));
    if (!erasure || erasure.pendingSince) return erasure;
    const receipt = (await uow.audit.all()).find((e) => e.seq === erasure.receiptSeq);
    const anchor = receipt ? formatAnchor(receipt) : `entry ${erasure.receiptSeq}`;
    throw new SitterError(
      'ALREADY_ERASED',
      `Participant "${participantRef}" of shoot "${shootId}" is already erased (on the audit record as ${participantPseudonym({ id: erasure.participantId })}).`,
      `Their erasure receipt is audit entry ${erasure.receiptSeq}; check it with \`sitter audit verify --anchor ${anchor}\`.`,
      { participant: participantPseudonym({ id: erasure.participantId }), receipt: anchor },
    );
  });
}

/** What the interrupted run removed, as its `participant.erased` entry (same commit as the blanking) says. */
function removedOnRecord(entries: readonly AuditEntry[], participantId: number): ErasureRemoved {
  const erased = entries.findLast(
    (e) => e.action === 'participant.erased' && e.subject === participantSubject({ id: participantId }),
  );
  // Written in the blanking's commit, so present; the zeros only keep a damaged chain from stopping the receipt.
  const none = { consentRecords: 0, decisions: 0, rejections: 0, faces: 0, pushRecords: 0, participantRow: 'blanked' };
  return (erased?.details ?? none) as unknown as ErasureRemoved;
}

/**
 * Finishes an erasure killed after the records were removed and before its receipt: clears any place
 * still naming the person, runs the proof and writes the receipt, clearing the pending mark. The name
 * and guardian are gone with the row, so the proof searches for the reference and the consent URI
 * (what Sitter writes into files); the receipt says so.
 */
async function finishInterruptedErasure(
  ctx: ServiceContext,
  connector: Connector,
  erasure: Erasure,
  participantRef: string,
): Promise<ErasureReceipt> {
  const person: PersonIdentity = {
    shootId: erasure.shootId,
    participantId: erasure.participantId,
    externalRef: participantRef,
    displayName: '',
    guardian: null,
  };
  const removed = await ctx.store.transaction(async (uow) =>
    removedOnRecord(await uow.audit.all(), erasure.participantId),
  );
  const dam = await clearWrittenPlaces(ctx, connector, person, []);
  const verification = await verifyErasure(ctx, connector, dam.source, person, false);
  verification.checked.push(
    'this run finished an erasure interrupted before its receipt: the name and guardian were already erased, ' +
      'so rows, chain and files were searched for the reference and the consent URI',
  );
  return writeErasureReceipt(
    ctx,
    {
      shoot: erasure.shootId,
      participant: participantRef,
      participantId: erasure.participantId,
      outcome: 'completed',
      erasedAt: (erasure.pendingSince ?? ctx.clock.now()).toISOString(),
      hold: null,
      withdrawnNow: false,
      templatesDeleted: 0,
      matchesRevoked: 0,
      removed,
      damUpdates: dam.damUpdates,
      damFailures: dam.damFailures,
      verification,
    },
    erasure.id,
  );
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
  const earlier = await earlierErasure(ctx, shootId, participantRef);
  if (earlier) return finishInterruptedErasure(ctx, connector, earlier, participantRef);
  // As a withdrawal: not refused for a moment's busy database (a push or a scan committing).
  const staged = await retryWhileLocked(
    () => ctx.store.transaction((uow) => withdrawForErasure(ctx, uow, shootId, participantRef)),
    { maxWaitMs: WITHDRAWAL_LOCK_WAIT_MS },
  );
  const { person } = staged;
  const dam = await clearWrittenPlaces(ctx, connector, person, staged.cascade.affectedAssetIds);
  const blanked = staged.hold
    ? {
        removed: {
          consentRecords: 0,
          decisions: 0,
          rejections: 0,
          faces: 0,
          pushRecords: 0,
          participantRow: 'kept under legal hold' as const,
        },
        erasureId: null,
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
  return writeErasureReceipt(
    ctx,
    {
      shoot: shootId,
      participant: participantRef,
      participantId: person.participantId,
      outcome: staged.hold ? 'held' : 'erased',
      erasedAt: staged.now.toISOString(),
      hold: staged.hold,
      withdrawnNow: staged.withdrawnNow,
      templatesDeleted: staged.cascade.templatesDeleted,
      matchesRevoked: staged.cascade.matchesRevoked,
      removed: blanked.removed,
      damUpdates: dam.damUpdates,
      damFailures: dam.damFailures,
      verification,
    },
    blanked.erasureId,
  );
}
