import type { ConsentImport, ConsentRow } from '../consent/index.js';
import type { ConsentRecord, Participant } from '../domain/records.js';
import { BugError } from '../domain/errors.js';
import { assertOpen } from '../domain/shoot.js';
import { type ServiceContext, requireShoot } from './context.js';
import { loadRoster, type RosterEntry } from './roster.js';
import { withdrawalCascade } from './withdrawal.js';

export interface ConsentImportSummary {
  shootId: string;
  file: string;
  fileSha256: string;
  added: string[];
  updated: string[];
  unchanged: string[];
  withdrawn: string[];
  /** participants already on the roster but absent from this file: kept as they were */
  notInFile: string[];
  /** true when participants joined a roster that approval had declared complete */
  addedAfterApproval: boolean;
  templatesDeleted: number;
  matchesRevoked: number;
  /** assets whose DAM metadata named a withdrawn person: the caller updates them through the connector */
  affectedAssetIds: number[];
}

const sameTime = (a: Date | null, b: Date | null) => (a ? a.getTime() : null) === (b ? b.getTime() : null);

function recordDiffers(current: ConsentRecord, row: ConsentRow): boolean {
  return (
    current.biometricConsent !== row.biometricConsent ||
    !sameTime(current.signedAt, row.signedAt) ||
    !sameTime(current.expiresAt, row.expiresAt) ||
    !sameTime(current.withdrawnAt, row.withdrawnAt) ||
    current.formRef !== row.formRef ||
    current.formSha256 !== row.formSha256 ||
    current.referencePhoto !== row.referencePhoto ||
    current.referencePhotoSha256 !== row.referencePhotoSha256 ||
    current.publicationScopes.join(';') !== row.publicationScopes.join(';')
  );
}

function participantDiffers(p: Participant, row: ConsentRow): boolean {
  return p.displayName !== row.name || p.minor !== row.minor || p.guardian !== row.guardian;
}

/**
 * Applies a checked consent file to a shoot's roster in one unit of work. Records are versioned (a
 * changed record is appended, never overwritten) so the history of each consent stays provable;
 * a newly withdrawn consent runs the withdrawal cascade at once.
 */
export async function importConsent(ctx: ServiceContext, shootId: string, file: ConsentImport, importedFrom: string): Promise<ConsentImportSummary> {
  return ctx.store.transaction(async (uow) => {
    const shoot = await requireShoot(uow, shootId);
    assertOpen(shoot, 'consent import');
    const now = ctx.clock.now();
    const summary: ConsentImportSummary = {
      shootId,
      file: importedFrom,
      fileSha256: file.fileSha256,
      added: [],
      updated: [],
      unchanged: [],
      withdrawn: [],
      notInFile: [],
      addedAfterApproval: false,
      templatesDeleted: 0,
      matchesRevoked: 0,
      affectedAssetIds: [],
    };
    // The roster and its current records are read once and new rows written in bulk: looking each
    // row up and inserting it one at a time made a 100,000-row file quadratic (every lookup flushed
    // every row tracked so far).
    const roster = new Map((await uow.participants.listByShoot(shootId)).map((p) => [p.externalRef, p]));
    const currentRecords = await uow.consents.currentForShoot(shootId);
    const newRows = file.rows.filter((row) => !roster.has(row.participantId));
    const added = await uow.participants.addMany(newRows.map((row) => ({ shootId, externalRef: row.participantId, displayName: row.name, minor: row.minor, guardian: row.guardian, createdAt: now })));
    const newParticipants = new Map(added.map((p) => [p.externalRef, p]));
    const newRecords: Omit<ConsentRecord, 'id'>[] = [];
    const inFile = new Set<string>();
    for (const row of file.rows) {
      inFile.add(row.participantId);
      const existing = roster.get(row.participantId) ?? null;
      const participant = existing ?? newParticipants.get(row.participantId);
      if (!participant) throw new BugError(`participant ${row.participantId} was neither on the roster nor added`);
      const isNew = existing === null;
      const personChanged = existing !== null && participantDiffers(existing, row);
      if (existing && personChanged) {
        existing.displayName = row.name;
        existing.minor = row.minor;
        existing.guardian = row.guardian;
      }
      const current = isNew ? null : (currentRecords.get(participant.id) ?? null);
      const recordChanged = !current || recordDiffers(current, row);
      if (recordChanged) {
        newRecords.push({
          participantId: participant.id,
          biometricConsent: row.biometricConsent,
          publicationScopes: row.publicationScopes,
          signedAt: row.signedAt,
          expiresAt: row.expiresAt,
          withdrawnAt: row.withdrawnAt,
          formRef: row.formRef,
          formSha256: row.formSha256,
          referencePhoto: row.referencePhoto,
          referencePhotoSha256: row.referencePhotoSha256,
          importedFrom,
          importedFileSha256: file.fileSha256,
          importedAt: now,
        });
      }
      const changed = recordChanged || personChanged;
      if (isNew) summary.added.push(row.participantId);
      else if (changed) summary.updated.push(row.participantId);
      else summary.unchanged.push(row.participantId);

      // A withdrawal dated in the future takes effect when it arrives (sweepLapsedConsent), not now.
      const newlyWithdrawn = row.withdrawnAt !== null && row.withdrawnAt.getTime() <= now.getTime() && (!current || current.withdrawnAt === null || current.withdrawnAt.getTime() > now.getTime());
      if (newlyWithdrawn && !isNew) {
        const cascade = await withdrawalCascade(uow, participant);
        summary.withdrawn.push(row.participantId);
        summary.templatesDeleted += cascade.templatesDeleted;
        summary.matchesRevoked += cascade.matchesRevoked;
        summary.affectedAssetIds.push(...cascade.affectedAssetIds);
        await uow.audit.append(
          { actor: ctx.actor, action: 'consent.withdrawn', shootId, subject: `participant:${row.participantId}`, details: { withdrawnAt: row.withdrawnAt, ...cascade } },
          now,
        );
      } else if (newlyWithdrawn) {
        summary.withdrawn.push(row.participantId);
      }
    }
    await uow.consents.addMany(newRecords);
    for (const ref of roster.keys()) {
      if (!inFile.has(ref)) summary.notInFile.push(ref);
    }
    summary.addedAfterApproval = shoot.status === 'approved' && summary.added.length > 0;
    await uow.audit.append(
      {
        actor: ctx.actor,
        action: 'consent.imported',
        shootId,
        subject: `file:${importedFrom}`,
        details: { fileSha256: file.fileSha256, format: file.format, added: summary.added, updated: summary.updated, unchanged: summary.unchanged.length, withdrawn: summary.withdrawn, addedAfterApproval: summary.addedAfterApproval },
      },
      now,
    );
    return summary;
  });
}

export async function listConsent(ctx: ServiceContext, shootId: string): Promise<RosterEntry[]> {
  return ctx.store.transaction(async (uow) => {
    await requireShoot(uow, shootId);
    return loadRoster(uow, shootId, ctx.clock.now());
  });
}
