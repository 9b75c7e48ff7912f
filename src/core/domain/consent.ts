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
 * A withdrawal stands until a new consent is given (GDPR Art. 7(3)): a record that would make a
 * withdrawn person no longer withdrawn is accepted only as a new consent, signed after the
 * withdrawal. Re-importing the old file (the form signed before) must not quietly undo it.
 */
export function wouldUndoWithdrawal(current: ConsentFacts, next: ConsentFacts, now: Date): boolean {
  if (consentStatus(current, now) !== 'withdrawn' || !current.withdrawnAt) return false;
  if (next.withdrawnAt && next.withdrawnAt.getTime() <= now.getTime()) return false;
  return !(next.signedAt && next.signedAt.getTime() > current.withdrawnAt.getTime());
}
