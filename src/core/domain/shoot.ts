import { SitterError } from './errors.js';
import { shootDatesProblems } from './shoot-dates.js';

/**
 * A shoot is the whole scope of biometric processing (rule 1): one connector, one source, one roster.
 * It stays a draft until an approval records the DPIA reference, the approver and the time (rule 2).
 */
export type ShootStatus = 'draft' | 'approved' | 'closed';

export interface Shoot {
  id: string;
  name: string;
  purpose: string;
  connector: string;
  /** connector-specific options, e.g. credentials reference or folder filters */
  connectorOptions: Record<string, unknown>;
  /** where the shoot's assets live, in the connector's terms (a folder, a DAM collection id) */
  source: string;
  retentionDays: number;
  reviewersRequired: 1 | 2;
  /** first day of the shoot, YYYY-MM-DD; null only on shoots made before dates were declared */
  shootFrom: string | null;
  /** last day of the shoot (inclusive), YYYY-MM-DD */
  shootTo: string | null;
  /** the UTC offset the days are counted in, and EXIF times without offset are read in: +HH:MM */
  utcOffset: string | null;
  status: ShootStatus;
  dpiaRef: string | null;
  approvedBy: string | null;
  approvedAt: Date | null;
  /** per-shoot override of the calibrated distance threshold (null: the model's calibration) */
  matchThreshold: number | null;
  /** per-shoot override of the calibrated margin to the runner-up */
  matchMargin: number | null;
  createdAt: Date;
  closedAt: Date | null;
}

export const SHOOT_ID_PATTERN = /^[a-z0-9][a-z0-9._-]{0,63}$/i;
/** Long enough for any archive policy, short enough to catch a typo such as 36500. */
export const MAX_RETENTION_DAYS = 3650;

export interface NewShoot {
  id: string;
  name: string;
  purpose: string;
  source: string;
  retentionDays: number;
  connector: string;
  reviewersRequired: number;
  /** the days the shoot took place (inclusive), YYYY-MM-DD */
  from: string;
  to: string;
  /** +HH:MM; the zone the days are counted in */
  utcOffset: string;
}

/** Checks the fields every shoot must have before it can exist: purpose and retention (rule 2). */
export function validateNewShoot(input: NewShoot): void {
  const problems: string[] = [];
  if (!SHOOT_ID_PATTERN.test(input.id)) {
    problems.push(
      `shoot id "${input.id}" must be 1-64 letters, digits, ".", "_" or "-", starting with a letter or digit`,
    );
  }
  if (!input.name.trim()) problems.push('a name is required');
  if (!input.purpose.trim())
    problems.push('a purpose is required (GDPR Art. 5(1)(b): processing needs a stated purpose)');
  if (!input.source.trim()) problems.push('a source is required');
  if (!Number.isInteger(input.retentionDays) || input.retentionDays < 1 || input.retentionDays > MAX_RETENTION_DAYS) {
    problems.push(`retention days must be a whole number from 1 to ${MAX_RETENTION_DAYS}`);
  }
  problems.push(...shootDatesProblems({ from: input.from, to: input.to, utcOffset: input.utcOffset }));
  if (input.reviewersRequired !== 1 && input.reviewersRequired !== 2) {
    problems.push('reviewers must be 1 or 2');
  }
  if (problems.length > 0) {
    throw new SitterError(
      'SHOOT_INVALID',
      `Cannot create shoot: ${problems.join('; ')}.`,
      'Correct the options and run `sitter shoot create` again.',
      { problems },
    );
  }
}

/**
 * Rule 2: biometric processing (enrol, scan, match) needs an approved, open shoot.
 * @param step what the caller is about to do, for the message ("scan", "enrol")
 */
export function assertBiometricProcessingAllowed(shoot: Shoot, step: string, now?: Date): void {
  if (shoot.status === 'draft') {
    throw new SitterError(
      'SHOOT_NOT_APPROVED',
      `Shoot "${shoot.id}" is a draft: ${step} is refused until it is approved with a DPIA reference.`,
      `Record the approval first: sitter shoot approve ${shoot.id} --dpia REF --approved-by NAME`,
    );
  }
  if (shoot.status === 'closed') {
    throw new SitterError(
      'SHOOT_CLOSED',
      `Shoot "${shoot.id}" is closed: ${step} is refused and its biometric data has been purged.`,
      'Create a new shoot if new processing is needed and lawful.',
    );
  }
  if (now && shoot.approvedAt && retentionEnds(shoot)!.getTime() <= now.getTime()) {
    throw new SitterError(
      'RETENTION_ENDED',
      `The retention period of shoot "${shoot.id}" (${shoot.retentionDays} days from its approval) ` +
        `ended on ${retentionEnds(shoot)!.toISOString()}: ${step} is refused.`,
      `Close the shoot to purge its biometric data: sitter shoot close ${shoot.id} --yes`,
    );
  }
  if (!shoot.dpiaRef || !shoot.approvedBy || !shoot.approvedAt) {
    // An approved status without its record means the store was edited behind our back.
    throw new SitterError(
      'SHOOT_APPROVAL_INCOMPLETE',
      `Shoot "${shoot.id}" is marked approved but lacks its DPIA reference, approver or time.`,
      'Run `sitter audit verify` and re-approve the shoot.',
    );
  }
}

/** A closed shoot is read-only: no consent import, approval or scan changes it any more. */
export function assertOpen(shoot: Shoot, action: string): void {
  if (shoot.status === 'closed') {
    throw new SitterError(
      'SHOOT_CLOSED',
      `Shoot "${shoot.id}" is closed: ${action} is refused.`,
      'A closed shoot can be read and exported, not changed.',
    );
  }
}

/** When the shoot's biometric data must be gone (GDPR Art. 5(1)(e)): retention days after approval. */
export function retentionEnds(shoot: Pick<Shoot, 'approvedAt' | 'retentionDays'>): Date | null {
  return shoot.approvedAt ? new Date(shoot.approvedAt.getTime() + shoot.retentionDays * 86_400_000) : null;
}
