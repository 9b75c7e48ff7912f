import type { AuditEntry } from './audit.js';

/**
 * A legal hold on a shoot (litigation, a regulator's request): while it is set, erasure still deletes
 * the biometric data (that is never needed as evidence) but keeps the consent records and names. The
 * hold lives on the audit chain itself, so setting and releasing it is tamper-evident and the current
 * state is simply the last of these entries for the shoot.
 */
export const HOLD_SET = 'shoot.hold-set';
export const HOLD_RELEASED = 'shoot.hold-released';

export interface LegalHold {
  reason: string;
  by: string;
  since: Date;
  /** the audit entry that set it */
  seq: number;
}

export function holdFromChain(entries: readonly AuditEntry[], shootId: string): LegalHold | null {
  let hold: LegalHold | null = null;
  for (const e of entries) {
    if (e.shootId !== shootId) continue;
    if (e.action === HOLD_SET)
      hold = { reason: String(e.details.reason ?? ''), by: String(e.details.by ?? e.actor), since: e.at, seq: e.seq };
    else if (e.action === HOLD_RELEASED) hold = null;
  }
  return hold;
}
