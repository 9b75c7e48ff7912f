import { pushShoot, type PushSummary } from '../../core/services/push-service.js';
import type { Session } from '../session.js';
import { withShootConnector } from './shoot-connector.js';

export interface PushRequest {
  /**
   * Only bring the DAM in line after withdrawals (also on a closed shoot): the places Sitter's push
   * record names, written from the current record, which now lacks the withdrawn; people are taken
   * off, never added.
   */
  withdrawals?: boolean;
}

/** Writes confirmed, consent-linked metadata back through the shoot's connector. */
export function push(session: Session, shootId: string, request: PushRequest = {}): Promise<PushSummary> {
  return withShootConnector(session, shootId, (connector, shoot) =>
    pushShoot(session.ctx, connector, shoot, request.withdrawals ? { reason: 'withdrawal' } : {}),
  );
}
