import { participantPseudonym, participantSubject } from '../domain/pseudonym.js';
import { formatAnchor } from '../domain/anchor.js';
import { SitterError } from '../domain/errors.js';
import type { Connector } from '../ports/connector.js';
import { type ServiceContext, requireShoot } from './context.js';
import { type PushFailure, type PushedAsset, pushShoot } from './push-service.js';
import { withdrawalCascade } from './withdrawal.js';

export interface WithdrawalReceipt {
  shoot: string;
  participant: string;
  name: string;
  withdrawnAt: string;
  templatesDeleted: number;
  matchesRevoked: number;
  /** the DAM metadata updated through the connector: names removed, or sidecars cleared */
  damUpdates: PushedAsset[];
  damFailures: PushFailure[];
  /** the audit entry that records this receipt: proof that can be checked with `sitter audit verify` */
  audit: { seq: number; hash: string };
  /** the chain's head right after the receipt (HASH@SEQ): an anchor to keep outside the workspace */
  anchor: string;
}

/**
 * Rule 6 as one command (GDPR Art. 7(3): withdrawing is as easy as consenting): a new version of
 * the consent record, the cascade in the store (templates, embeddings, matches), the DAM metadata
 * updated through the connector, and a receipt that is itself on the audit chain.
 */
export async function withdrawConsent(ctx: ServiceContext, connector: Connector, shootId: string, participantRef: string): Promise<WithdrawalReceipt> {
  const staged = await ctx.store.transaction(async (uow) => {
    await requireShoot(uow, shootId);
    const participant = await uow.participants.findByExternalRef(shootId, participantRef);
    if (!participant) {
      throw new SitterError('PARTICIPANT_NOT_FOUND', `Shoot "${shootId}" has no participant "${participantRef}".`, `See the roster with \`sitter consent list ${shootId}\`.`);
    }
    const current = await uow.consents.current(participant.id);
    if (!current) throw new SitterError('NO_CONSENT_RECORD', `${participantRef} has no consent record to withdraw.`, 'Import the consent file first.');
    if (current.withdrawnAt && current.withdrawnAt.getTime() <= ctx.clock.now().getTime()) {
      throw new SitterError('ALREADY_WITHDRAWN', `${participantRef} withdrew on ${current.withdrawnAt.toISOString()}; nothing more to do.`, `The earlier receipt is on the audit record: sitter audit export --shoot ${shootId}`);
    }
    const now = ctx.clock.now();
    const { id: _id, ...rest } = current;
    await uow.consents.add({ ...rest, withdrawnAt: now, importedFrom: 'sitter withdraw', importedAt: now });
    const cascade = await withdrawalCascade(uow, participant);
    await uow.audit.append({ actor: ctx.actor, action: 'consent.withdrawn', shootId, subject: participantSubject(participant), details: { withdrawnAt: now, via: 'command', ...cascade } }, now);
    return { participant, now, cascade };
  });
  // After the commit: the store no longer links the person to any face, so a re-push writes the
  // remaining people only, or clears the asset. Whatever happens there, the receipt is recorded.
  let damUpdates: PushedAsset[] = [];
  let damFailures: PushFailure[] = [];
  try {
    const pushed = await pushShoot(ctx, connector, shootId, { assetIds: staged.cascade.affectedAssetIds, reason: 'withdrawal' });
    damUpdates = pushed.updated;
    damFailures = pushed.failed;
  } catch (error) {
    damFailures = [{ asset: '*', code: error instanceof SitterError ? error.code : 'BUG', message: error instanceof Error ? error.message : String(error) }];
  }
  const receipt = {
    shoot: shootId,
    participant: participantRef,
    name: staged.participant.displayName,
    withdrawnAt: staged.now.toISOString(),
    templatesDeleted: staged.cascade.templatesDeleted,
    matchesRevoked: staged.cascade.matchesRevoked,
    damUpdates,
    damFailures,
  };
  const entry = await ctx.store.transaction((uow) =>
    // On the chain the receipt names nobody: the pseudonym instead of the reference, no name (erasure must be able to leave the chain as it is).
    uow.audit.append({ actor: ctx.actor, action: 'consent.withdrawal-receipt', shootId, subject: participantSubject(staged.participant), details: { ...receipt, participant: participantPseudonym(staged.participant), name: undefined } }, ctx.clock.now()),
  );
  return { ...receipt, audit: { seq: entry.seq, hash: entry.hash }, anchor: formatAnchor(entry) };
}
