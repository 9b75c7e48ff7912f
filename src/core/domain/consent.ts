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
