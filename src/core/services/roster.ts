import { consentStatus, type ConsentStatus } from '../domain/consent.js';
import type { ConsentRecord, Participant } from '../domain/records.js';
import type { UnitOfWork } from '../ports/store.js';

export interface RosterEntry {
  participant: Participant;
  consent: ConsentRecord | null;
  status: ConsentStatus | 'no-record';
}

export type RosterCounts = Record<ConsentStatus | 'no-record' | 'total', number>;

/** The shoot's participants with their current consent record and what it allows as of `now`. */
export async function loadRoster(uow: UnitOfWork, shootId: string, now: Date): Promise<RosterEntry[]> {
  const participants = await uow.participants.listByShoot(shootId);
  const consents = await uow.consents.currentForShoot(shootId);
  return participants.map((participant) => {
    const consent = consents.get(participant.id) ?? null;
    return { participant, consent, status: consent ? consentStatus(consent, now) : 'no-record' };
  });
}

/**
 * Rule 3: the participants who may be enrolled or matched. Anyone else (photos only, withdrawn,
 * expired, not yet signed, no record) is listed but never biometrically processed.
 */
export async function biometricRoster(uow: UnitOfWork, shootId: string, now: Date): Promise<RosterEntry[]> {
  return (await loadRoster(uow, shootId, now)).filter((entry) => entry.status === 'eligible');
}

export function countRoster(roster: readonly RosterEntry[]): RosterCounts {
  const counts: RosterCounts = {
    total: 0,
    eligible: 0,
    'photos-only': 0,
    withdrawn: 0,
    expired: 0,
    'not-yet-signed': 0,
    'no-record': 0,
  };
  for (const entry of roster) {
    counts.total += 1;
    counts[entry.status] += 1;
  }
  return counts;
}
