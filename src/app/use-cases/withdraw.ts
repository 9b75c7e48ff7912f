import { eraseParticipant, type ErasureReceipt } from '../../core/services/erase-service.js';
import { requireShoot } from '../../core/services/context.js';
import { withdrawConsent, type WithdrawalReceipt } from '../../core/services/withdraw-service.js';
import type { Session } from '../session.js';
import { withShootConnector } from './shoot-connector.js';

/**
 * `sitter withdraw`: the cascade in the store, then the DAM through the shoot's own connector, then
 * the receipt. The connector is made only after the withdrawal is committed: one that cannot be made
 * (a plugin gone, a secret missing) leaves the withdrawal standing and the receipt says the DAM was not
 * updated (rule 6: a withdrawal is never refused for the DAM's sake).
 */
export async function withdraw(session: Session, shootId: string, participant: string): Promise<WithdrawalReceipt> {
  const shoot = await session.ctx.store.transaction((uow) => requireShoot(uow, shootId));
  return withdrawConsent(session.ctx, () => session.connectors.forShoot(shoot), shoot.id, participant);
}

/**
 * `sitter erase` (GDPR Art. 17): the withdrawal cascade, the erasure, and the check read back through
 * the connector. Unlike a withdrawal, an erasure needs the connector before it starts: its proof reads
 * the DAM back, so a connector that cannot be made refuses the erasure before anything is deleted.
 */
export function erase(session: Session, shootId: string, participant: string): Promise<ErasureReceipt> {
  return withShootConnector(session, shootId, (connector, shoot) =>
    eraseParticipant(session.ctx, connector, shoot, participant),
  );
}
