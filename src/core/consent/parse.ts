/**
 * Consent import, the pure half: read a consent file (CSV or JSON) into typed rows, or refuse the
 * whole file with every problem listed by line and column. No I/O: the files a row names (its form
 * and reference photo) are reached through the ConsentFileAccess port. Format: docs/consent-format.md.
 */
import { createHash } from 'node:crypto';
import { BugError } from '../domain/errors.js';
import type { ConsentFileAccess } from '../ports/consent-files.js';
import { checkFiles } from './check-files.js';
import { checkDuplicateIds, checkRecord, type Draft } from './check-record.js';
import { LineIndex } from './lines.js';
import { invalid, Problems } from './problems.js';
import type { RawRecord } from './raw-record.js';
import { readCsv } from './read-csv.js';
import { readJson } from './read-json.js';

export type ConsentFileFormat = 'csv' | 'json';

export interface ConsentFileInput {
  /** the file's content, decoded as UTF-8 (a leading BOM is allowed) */
  text: string;
  format: ConsentFileFormat;
  /** for messages only, e.g. "consent.csv" */
  fileName: string;
}

/** One participant's consent record, checked. Assignable to ConsentFacts (src/core/domain/consent.ts). */
export interface ConsentRow {
  /** the line of the file where this record starts (CSV) or its object opens (JSON) */
  line: number;
  participantId: string;
  name: string;
  /** explicit consent to biometric processing; false is "photos yes, biometrics no" */
  biometricConsent: boolean;
  signedAt: Date;
  expiresAt: Date | null;
  withdrawnAt: Date | null;
  /** absolute, real path of the signed form, inside the consent file's folder */
  formRef: string;
  /** form_ref as written, normalised to `/` separators, relative to the consent file's folder */
  formRefRelative: string;
  /** lower-case hex; checked against the form file */
  formSha256: string;
  /** absolute, real path; null when none was given or the record is withdrawn */
  referencePhoto: string | null;
  referencePhotoRelative: string | null;
  referencePhotoSha256: string | null;
  minor: boolean;
  /** who signed for a minor (may also be set for an adult under guardianship) */
  guardian: string | null;
  /** what the person agreed their photos may be used for, e.g. ["web", "print"]; [] for none */
  publicationScopes: string[];
}

export interface ConsentImport {
  fileName: string;
  format: ConsentFileFormat;
  /** sha256 of the file's text as UTF-8 (the file's bytes when it was read as UTF-8) */
  fileSha256: string;
  rows: ConsentRow[];
}

/**
 * Parse and check a consent file. All or nothing: resolves with every row, or rejects with a
 * SitterError CONSENT_FILE_INVALID whose `details` is every ConsentProblem, sorted by line.
 */
export async function parseConsentFile(input: ConsentFileInput, files: ConsentFileAccess): Promise<ConsentImport> {
  const problems = new Problems();
  const fileSha256 = createHash('sha256').update(input.text, 'utf8').digest('hex');

  const replacement = input.text.indexOf('\uFFFD');
  if (replacement >= 0) {
    problems.add(
      LineIndex.ofString(input.text).lineAt(replacement),
      null,
      'the file is not valid UTF-8 text (save it as UTF-8, e.g. "CSV UTF-8")',
    );
  }

  // null: the file could not be read as a whole (a syntax error, the wrong JSON shape)
  let records: RawRecord[] | null;
  if (input.format === 'csv') records = readCsv(input.text, problems);
  else if (input.format === 'json') records = readJson(input.text, problems);
  else throw new BugError(`unknown consent file format ${JSON.stringify(input.format)}`);
  if (records === null) records = [];
  else if (records.length === 0) problems.add(1, null, 'the file has no participant records');

  // Each stage replaces the one before in the same array: a large roster is held once, not once
  // per stage (raw records, drafts, rows), which set the peak memory of a 100,000-row import.
  const drafts = replaceEach(records, (r) => checkRecord(r, problems));
  checkDuplicateIds(drafts, problems);
  await checkFiles(drafts, files, problems);

  if (problems.size > 0) throw invalid(input.fileName, problems.sorted());

  const rows = replaceEach(drafts, toRow);
  shareRepeatedDates(rows);
  return { fileName: input.fileName, format: input.format, fileSha256, rows };
}

/** Maps an array onto itself: each item's old form can be collected as soon as it is replaced. */
function replaceEach<A, B>(items: A[], map: (item: A) => B): B[] {
  const out = items as unknown as B[];
  for (let i = 0; i < items.length; i++) out[i] = map(items[i] as A);
  return out;
}

/**
 * A date equal to the row before's becomes that one Date: a roster signed on a few days held one
 * Date (about 90 bytes) per row and column, a tenth of a large import's memory. Nothing in Sitter
 * edits a Date in place.
 */
function shareRepeatedDates(rows: ConsentRow[]): void {
  const same = (a: Date | null, b: Date | null): boolean => a !== null && b !== null && a.getTime() === b.getTime();
  for (let i = 1; i < rows.length; i++) {
    const row = rows[i] as ConsentRow;
    const before = rows[i - 1] as ConsentRow;
    if (same(row.signedAt, before.signedAt)) row.signedAt = before.signedAt;
    if (same(row.expiresAt, before.expiresAt)) row.expiresAt = before.expiresAt;
    if (same(row.withdrawnAt, before.withdrawnAt)) row.withdrawnAt = before.withdrawnAt;
  }
}

function toRow(d: Draft): ConsentRow {
  const need = <T>(v: T | undefined, what: string): T => {
    if (v === undefined)
      throw new BugError(`consent row on line ${d.line} has no ${what} although no problem was reported`);
    return v;
  };
  return {
    line: d.line,
    participantId: need(d.participantId, 'participant_id'),
    name: need(d.name, 'name'),
    biometricConsent: need(d.biometricConsent, 'biometric_consent'),
    signedAt: need(d.signedAt, 'signed_at'),
    expiresAt: need(d.expiresAt, 'expires_at'),
    withdrawnAt: need(d.withdrawnAt, 'withdrawn_at'),
    formRef: need(d.formRef, 'form_ref'),
    formRefRelative: need(d.formRefRelative, 'form_ref'),
    formSha256: need(d.formSha256, 'form_sha256'),
    referencePhoto: need(d.referencePhoto, 'reference_photo'),
    referencePhotoRelative: need(d.referencePhotoRelative, 'reference_photo'),
    referencePhotoSha256: need(d.referencePhotoSha256, 'reference_photo'),
    minor: need(d.minor, 'minor'),
    guardian: need(d.guardian, 'guardian'),
    publicationScopes: need(d.publicationScopes, 'publication_scopes'),
  };
}
