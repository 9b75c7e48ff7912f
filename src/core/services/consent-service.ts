import { retryWhileLocked, WITHDRAWAL_LOCK_WAIT_MS } from './retry-locked.js';
import { participantPseudonym, participantSubject } from '../domain/pseudonym.js';
import type { ConsentImport, ConsentRow } from '../consent/index.js';
import { refuseConsentRow, type RowRefusal } from '../domain/consent.js';
import { BugError, SitterError } from '../domain/errors.js';
import type { ConsentRecord, Participant } from '../domain/records.js';
import { assertOpen, type Shoot } from '../domain/shoot.js';
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
  /** the sign-off that let them join (null when no amendment was needed) */
  amendment: RosterAmendment | null;
  templatesDeleted: number;
  matchesRevoked: number;
  /** assets whose DAM metadata named a withdrawn person: the caller updates them through the connector */
  affectedAssetIds: number[];
}

/** The sign-off of participants joining a shoot after approval declared its roster complete. */
export interface RosterAmendment {
  approvedBy: string;
  at: string;
  participants: string[];
  fileSha256: string;
}

export interface ConsentImportOptions {
  /** who signs off participants this file adds to an approved shoot (`--amend --approved-by NAME`) */
  amendmentApprovedBy?: string;
}

interface RefusedRow {
  participant: string;
  line: number;
  reason: RowRefusal['kind'];
  withdrawnAt: string;
  signedAt: string;
}

/** Rule 6's refusal, naming every refused row; a reused withdrawn form is the first thing said. */
const standsList = (rows: RefusedRow[]) =>
  rows
    .map((s) => `${s.participant} (line ${s.line}: signed ${s.signedAt.slice(0, 10)}, withdrew ${s.withdrawnAt})`)
    .join(', ');

function refusedRowsError(shootId: string, refused: RefusedRow[]): SitterError {
  const reused = refused.filter((r) => r.reason === 'form-withdrawn');
  if (reused.length > 0) {
    const list = reused
      .map(
        (r) =>
          `${r.participant} (line ${r.line}): that signed form was withdrawn on ${r.withdrawnAt.slice(0, 10)} and cannot be used again`,
      )
      .join('; ');
    const others = refused.filter((r) => r.reason !== 'form-withdrawn');
    return new SitterError(
      'FORM_WITHDRAWN',
      `This file reuses ${reused.length === 1 ? 'a withdrawn consent form' : `${reused.length} withdrawn consent forms`} ` +
        `in shoot "${shootId}": ${list}.` +
        (others.length ? ` It would also undo withdrawals without a new consent: ${standsList(others)}.` : '') +
        ' A withdrawal stands until a new consent is given; nothing was imported.',
      'A new consent needs a newly signed form (its own form file and form_sha256, signed_at after ' +
        'the withdrawal). If the file is an old copy, add the withdrawal (withdrawn_at) to these rows ' +
        'or leave them out.',
      refused,
    );
  }
  return new SitterError(
    'WITHDRAWAL_STANDS',
    `This file would undo ${refused.length === 1 ? 'a withdrawal' : `${refused.length} withdrawals`} in shoot ` +
      `"${shootId}": ${standsList(refused)}. A withdrawal stands until a new consent is given; nothing was imported.`,
    'If the file is an old copy, add the withdrawal (withdrawn_at) to these rows or leave them out. ' +
      'If the person consented again, import the new signed form with a signed_at after the ' +
      'withdrawal and not in the future.',
    refused,
  );
}

function amendmentRequired(shoot: Shoot, added: string[], file: string): SitterError {
  return new SitterError(
    'ROSTER_AMENDMENT_REQUIRED',
    `Shoot "${shoot.id}" was approved by ${shoot.approvedBy} on ${shoot.approvedAt?.toISOString()}, ` +
      `declaring its roster complete; this file adds ${added.length} ` +
      `participant${added.length === 1 ? '' : 's'}: ${added.join(', ')}. Nothing was imported.`,
    `If they belong to the shoot, import with a sign-off of the amended roster: sitter consent import ${shoot.id} ${file} --amend --approved-by NAME`,
    { added },
  );
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
export async function importConsent(
  ctx: ServiceContext,
  shootId: string,
  file: ConsentImport,
  importedFrom: string,
  opts: ConsentImportOptions = {},
): Promise<ConsentImportSummary> {
  const approver = opts.amendmentApprovedBy?.trim();
  if (opts.amendmentApprovedBy !== undefined && !approver)
    throw new SitterError(
      'APPROVER_REQUIRED',
      'An amendment needs the name of the person signing it off.',
      'Pass --approved-by NAME with --amend.',
    );
  // A re-import may withdraw someone: like `withdraw`, not refused for a moment's busy database.
  return retryWhileLocked(() => applyConsentImport(ctx, shootId, file, importedFrom, opts, approver), {
    maxWaitMs: WITHDRAWAL_LOCK_WAIT_MS,
  });
}

function applyConsentImport(
  ctx: ServiceContext,
  shootId: string,
  file: ConsentImport,
  importedFrom: string,
  opts: ConsentImportOptions,
  approver: string | undefined,
): Promise<ConsentImportSummary> {
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
      amendment: null,
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
    const added = await uow.participants.addMany(
      newRows.map((row) => ({
        shootId,
        externalRef: row.participantId,
        displayName: row.name,
        minor: row.minor,
        guardian: row.guardian,
        createdAt: now,
      })),
    );
    const newParticipants = new Map(added.map((p) => [p.externalRef, p]));
    const newRecords: Omit<ConsentRecord, 'id'>[] = [];
    const inFile = new Set<string>();
    const refused: RefusedRow[] = [];
    // Rule 6: one read of what the shoot remembers of withdrawals (forms kept even after an erasure).
    const memory = await uow.withdrawals.memoryOfShoot(shootId, now);
    const formsWithdrawn: { formSha256: string; withdrawnAt: Date }[] = [];
    const corrected: Pick<Participant, 'id' | 'displayName' | 'minor' | 'guardian'>[] = [];
    for (const row of file.rows) {
      inFile.add(row.participantId);
      const existing = roster.get(row.participantId) ?? null;
      const participant = existing ?? newParticipants.get(row.participantId);
      if (!participant) throw new BugError(`participant ${row.participantId} was neither on the roster nor added`);
      const isNew = existing === null;
      const personChanged = existing !== null && participantDiffers(existing, row);
      if (existing && personChanged)
        corrected.push({ id: existing.id, displayName: row.name, minor: row.minor, guardian: row.guardian });
      const current = isNew ? null : (currentRecords.get(participant.id) ?? null);
      const refusal = refuseConsentRow(memory, isNew ? null : participant.id, row, now);
      if (refusal) {
        // Collected, not thrown at once, so the error names every refused row; the unit of work rolls back.
        refused.push({
          participant: row.participantId,
          line: row.line,
          reason: refusal.kind,
          withdrawnAt: refusal.withdrawnAt.toISOString(),
          signedAt: row.signedAt.toISOString(),
        });
        continue;
      }
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
          // the paper form that came back stays linked to the person's record through re-imports
          signedScan: current?.signedScan ?? null,
        });
      }
      const changed = recordChanged || personChanged;
      if (isNew) summary.added.push(row.participantId);
      else if (changed) summary.updated.push(row.participantId);
      else summary.unchanged.push(row.participantId);

      // A withdrawal dated in the future takes effect when it arrives (sweepLapsedConsent), not now.
      const newlyWithdrawn =
        row.withdrawnAt !== null &&
        row.withdrawnAt.getTime() <= now.getTime() &&
        (!current || current.withdrawnAt === null || current.withdrawnAt.getTime() > now.getTime());
      if (newlyWithdrawn)
        formsWithdrawn.push(
          { formSha256: row.formSha256, withdrawnAt: row.withdrawnAt! },
          ...(current ? [{ formSha256: current.formSha256, withdrawnAt: row.withdrawnAt! }] : []),
        );
      if (newlyWithdrawn && !isNew) {
        const cascade = await withdrawalCascade(uow, participant);
        summary.withdrawn.push(row.participantId);
        summary.templatesDeleted += cascade.templatesDeleted;
        summary.matchesRevoked += cascade.matchesRevoked;
        summary.affectedAssetIds.push(...cascade.affectedAssetIds);
        await uow.audit.append(
          {
            actor: ctx.actor,
            action: 'consent.withdrawn',
            shootId,
            subject: participantSubject(participant),
            details: { withdrawnAt: row.withdrawnAt, ...cascade },
          },
          now,
        );
      } else if (newlyWithdrawn) {
        summary.withdrawn.push(row.participantId);
      }
    }
    await uow.participants.updatePeople(corrected);
    await uow.consents.addMany(newRecords);
    for (const ref of roster.keys()) {
      if (!inFile.has(ref)) summary.notInFile.push(ref);
    }
    if (refused.length > 0) throw refusedRowsError(shootId, refused);
    await uow.withdrawals.rememberForms(shootId, formsWithdrawn);
    summary.addedAfterApproval = shoot.status === 'approved' && summary.added.length > 0;
    // The chain gets pseudonyms, never the file's references (see domain/pseudonym.ts).
    const pseudonymOf = (ref: string) => {
      const p = roster.get(ref) ?? newParticipants.get(ref);
      return p ? participantPseudonym(p) : '#?';
    };
    if (summary.addedAfterApproval) {
      if (!approver) throw amendmentRequired(shoot, summary.added, importedFrom);
      summary.amendment = {
        approvedBy: approver,
        at: now.toISOString(),
        participants: summary.added,
        fileSha256: file.fileSha256,
      };
      await uow.audit.append(
        {
          actor: ctx.actor,
          action: 'roster.amended',
          shootId,
          subject: `shoot:${shootId}`,
          details: {
            ...summary.amendment,
            participants: summary.amendment.participants.map(pseudonymOf),
            file: importedFrom,
            approval: { approvedBy: shoot.approvedBy, approvedAt: shoot.approvedAt },
          },
        },
        now,
      );
    }
    await uow.audit.append(
      {
        actor: ctx.actor,
        action: 'consent.imported',
        shootId,
        subject: `file:${importedFrom}`,
        details: {
          fileSha256: file.fileSha256,
          format: file.format,
          added: summary.added.map(pseudonymOf),
          updated: summary.updated.map(pseudonymOf),
          unchanged: summary.unchanged.length,
          withdrawn: summary.withdrawn.map(pseudonymOf),
          addedAfterApproval: summary.addedAfterApproval,
          amendedBy: summary.amendment?.approvedBy ?? null,
        },
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
