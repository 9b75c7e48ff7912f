import { eraseParticipant, type ErasureReceipt } from '../../core/services/erase-service.js';
import { withdrawConsent, type WithdrawalReceipt } from '../../core/services/withdraw-service.js';
import type { Session } from '../session.js';
import { withShootConnector } from './shoot-connector.js';

/** `sitter withdraw`: the cascade in the store, then the DAM through the shoot's own connector, then the receipt. */
export function withdraw(session: Session, shootId: string, participant: string): Promise<WithdrawalReceipt> {
  return withShootConnector(session, shootId, (connector, shoot) =>
    withdrawConsent(session.ctx, connector, shoot, participant),
  );
}

/** `sitter erase` (GDPR Art. 17): the withdrawal cascade, the erasure, and the check read back through the connector. */
export function erase(session: Session, shootId: string, participant: string): Promise<ErasureReceipt> {
  return withShootConnector(session, shootId, (connector, shoot) =>
    eraseParticipant(session.ctx, connector, shoot, participant),
  );
}
