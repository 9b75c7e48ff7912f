import { createHash } from 'node:crypto';

/**
 * Consent records and rule 3: consent gates biometrics.
 * Only a record with biometric consent "yes" that is signed, not expired and not withdrawn (as of
 * the Clock) makes a participant eligible for enrolment or matching. Everyone else is listed only.
 */

/** What a participant's record says about biometric processing, as of a given time. */
export type ConsentStatus = 'eligible' | 'photos-only' | 'withdrawn' | 'expired' | 'not-yet-signed';

export interface ConsentFacts {
  biometricConsent: boolean;
  signedAt: Date | null;
  expiresAt: Date | null;
  withdrawnAt: Date | null;
}

export function consentStatus(record: ConsentFacts, now: Date): ConsentStatus {
  if (record.withdrawnAt && record.withdrawnAt.getTime() <= now.getTime()) return 'withdrawn';
  if (!record.biometricConsent) return 'photos-only';
  if (!record.signedAt || record.signedAt.getTime() > now.getTime()) return 'not-yet-signed';
  if (record.expiresAt && record.expiresAt.getTime() <= now.getTime()) return 'expired';
  return 'eligible';
}

export function isBiometricallyEligible(record: ConsentFacts, now: Date): boolean {
  return consentStatus(record, now) === 'eligible';
}

/**
 * What the store remembers of a shoot's withdrawals when a new row arrives: the withdrawn signed
 * forms (by digest, kept even after the person is erased) and, per participant, the latest
 * withdrawal that has taken effect in their whole record history.
 */
export interface WithdrawalMemory {
  /** digest of a withdrawn form (see formDigest) -> when it was first withdrawn */
  forms: ReadonlyMap<string, Date>;
  /** participant id -> their latest withdrawal that took effect */
  latestByParticipant: ReadonlyMap<number, Date>;
}

/** How a withdrawn form is remembered: a digest of its sha256, so the memory names nobody. */
export function formDigest(formSha256: string): string {
  return createHash('sha256').update(`sitter-withdrawn-form:${formSha256.toLowerCase()}`).digest('hex');
}

export type RowRefusal =
  { kind: 'form-withdrawn'; withdrawnAt: Date } | { kind: 'withdrawal-stands'; withdrawnAt: Date };

/**
 * A withdrawal stands until a new consent is given (GDPR Art. 7(3)). A row that does not itself
 * carry a withdrawal in effect is refused when it reuses a withdrawn signed form, whatever its dates
 * (editing signed_at on the old form is not a new consent), or, for someone who withdrew, when it is
 * not signed after their latest withdrawal and by now. Rows that restate a withdrawal always pass.
 */
export function refuseConsentRow(
  memory: WithdrawalMemory,
  participantId: number | null,
  row: ConsentFacts & { formSha256: string },
  now: Date,
): RowRefusal | null {
  if (row.withdrawnAt && row.withdrawnAt.getTime() <= now.getTime()) return null;
  const formWithdrawnAt = memory.forms.get(formDigest(row.formSha256));
  if (formWithdrawnAt) return { kind: 'form-withdrawn', withdrawnAt: formWithdrawnAt };
  const latest = participantId === null ? undefined : memory.latestByParticipant.get(participantId);
  if (!latest) return null;
  const signed = row.signedAt?.getTime();
  if (signed === undefined || signed <= latest.getTime() || signed > now.getTime())
    return { kind: 'withdrawal-stands', withdrawnAt: latest };
  return null;
}
