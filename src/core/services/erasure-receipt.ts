import { formatAnchor } from '../domain/anchor.js';
import type { LegalHold } from '../domain/legal-hold.js';
import { participantPseudonym } from '../domain/pseudonym.js';
import type { ServiceContext } from './context.js';
import type { ErasureVerification } from './erasure-check.js';
import type { PushFailure } from '../domain/push-failure.js';
import type { PushedAsset } from './push-service.js';

/** What the erasure removed from the store (pushRecords: the records of places since cleared). */
export interface ErasureRemoved {
  consentRecords: number;
  decisions: number;
  rejections: number;
  faces: number;
  pushRecords: number;
  participantRow: 'blanked' | 'kept under legal hold';
}

export interface ErasureReceipt {
  shoot: string;
  /** the reference the user gave; printed, never put on the chain */
  participant: string;
  /** how the chain refers to the person from now on */
  pseudonym: string;
  /**
   * erased: in one run; held: a legal hold kept the consent record and names; completed: an erasure
   * interrupted after the records were removed (before its receipt), finished by this run
   */
  outcome: 'erased' | 'held' | 'completed';
  erasedAt: string;
  /** set when a legal hold kept the consent record and names */
  hold: LegalHold | null;
  /** false when the person had already withdrawn */
  withdrawnNow: boolean;
  templatesDeleted: number;
  matchesRevoked: number;
  /** a place that could not be cleared keeps its record and is a trace */
  removed: ErasureRemoved;
  damUpdates: PushedAsset[];
  /** as a push reports them (`stage: 'leftovers'` for a failed sweep of temp files) */
  damFailures: PushFailure[];
  verification: ErasureVerification;
  audit: { seq: number; hash: string };
  anchor: string;
}

export type ReceiptContent = Omit<ErasureReceipt, 'pseudonym' | 'audit' | 'anchor'> & { participantId: number };

/**
 * The receipt on the chain, pseudonymously, in the transaction that clears the erasure's pending
 * mark (`erasureId`, null under a hold, where nothing was blanked): a kill before this commit
 * leaves the erasure pending, and a rerun finishes it.
 */
export async function writeErasureReceipt(
  ctx: ServiceContext,
  content: ReceiptContent,
  erasureId: number | null,
): Promise<ErasureReceipt> {
  const { participantId, participant, shoot, ...receipt } = content;
  const pseudonym = participantPseudonym({ id: participantId });
  const { verification } = receipt;
  const onRecord = {
    participant: pseudonym,
    outcome: receipt.outcome,
    erasedAt: receipt.erasedAt,
    held: receipt.hold ? { seq: receipt.hold.seq } : null,
    withdrawnNow: receipt.withdrawnNow,
    templatesDeleted: receipt.templatesDeleted,
    matchesRevoked: receipt.matchesRevoked,
    removed: receipt.removed,
    damUpdates: receipt.damUpdates,
    damFailures: receipt.damFailures.length,
    verification: {
      clean: verification.clean,
      traces: verification.traces,
      keptUnderHold: verification.keptUnderHold.length,
      unverified: verification.unverified.length,
    },
  };
  const entry = await ctx.store.transaction(async (uow) => {
    const appended = await uow.audit.append(
      {
        actor: ctx.actor,
        action: 'participant.erasure-receipt',
        shootId: shoot,
        subject: `participant:${pseudonym}`,
        details: onRecord,
      },
      ctx.clock.now(),
    );
    if (erasureId !== null) await uow.erasures.finish(erasureId, appended.seq);
    return appended;
  });
  return {
    ...receipt,
    shoot,
    participant,
    pseudonym,
    audit: { seq: entry.seq, hash: entry.hash },
    anchor: formatAnchor(entry),
  };
}
