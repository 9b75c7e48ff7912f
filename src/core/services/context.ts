import type { Clock } from '../ports/clock.js';
import type { KeyVault } from '../ports/key-vault.js';
import type { Store, UnitOfWork } from '../ports/store.js';
import { SitterError } from '../domain/errors.js';
import type { Participant } from '../domain/records.js';
import type { Shoot } from '../domain/shoot.js';

/** What every service needs: the ports, and who is acting (recorded on the audit chain). */
export interface ServiceContext {
  store: Store;
  clock: Clock;
  keyVault: KeyVault;
  /** the person or process responsible for the action, e.g. the OS user name */
  actor: string;
}

export async function requireShoot(uow: UnitOfWork, shootId: string): Promise<Shoot> {
  const shoot = await uow.shoots.find(shootId);
  if (!shoot) {
    throw new SitterError(
      'SHOOT_NOT_FOUND',
      `There is no shoot "${shootId}" in this workspace.`,
      'List the shoots with `sitter shoot list`, or create one with `sitter shoot create`.',
    );
  }
  return shoot;
}

export async function requireParticipant(
  uow: UnitOfWork,
  shootId: string,
  participantRef: string,
): Promise<Participant> {
  const participant = await uow.participants.findByExternalRef(shootId, participantRef);
  if (!participant) {
    throw new SitterError(
      'PARTICIPANT_NOT_FOUND',
      `Shoot "${shootId}" has no participant "${participantRef}".`,
      `See the roster with \`sitter consent list ${shootId}\`; someone already erased is no longer listed.`,
    );
  }
  return participant;
}
