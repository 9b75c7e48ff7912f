/**
 * Checking one raw record's values (required, formats, dates in order, what biometric consent and a
 * minor need) into a Draft, and participant ids across the file.
 */
import type { Problems } from './problems.js';
import { relativePath } from './paths.js';
import type { RawRecord } from './raw-record.js';
import {
  parseId,
  parseIsoDate,
  parseName,
  parseScopes,
  parseSha256,
  parseYesNo,
  type ConsentColumn,
  type Parsed,
} from './values.js';

/** A record being checked: what is known so far (undefined where a problem was reported). */
export interface Draft {
  line: number;
  /** where a cell is on another line than `line` */
  cellLine: Readonly<Partial<Record<ConsentColumn, number>>>;
  participantId?: string;
  name?: string;
  biometricConsent?: boolean;
  signedAt?: Date;
  expiresAt?: Date | null;
  withdrawnAt?: Date | null;
  formRefRelative?: string;
  formSha256?: string;
  /** undefined: not known (bad or skipped); null: none */
  referencePhotoRelative?: string | null;
  minor?: boolean;
  guardian?: string | null;
  publicationScopes?: string[];
  // filled by checkFiles
  formRef?: string;
  referencePhoto?: string | null;
  referencePhotoSha256?: string | null;
}

const REQUIRED = 'required value is empty';

export function checkRecord(rec: RawRecord, problems: Problems): Draft {
  const d: Draft = { line: rec.line, cellLine: rec.cellLines };
  const lineOf = (c: ConsentColumn): number => rec.cellLines[c] ?? rec.line;
  const report = (c: ConsentColumn, problem: string): void => problems.add(lineOf(c), c, problem);

  /** The cell's trimmed text; undefined when the column was already reported. */
  const text = (c: ConsentColumn): string | undefined => {
    if (rec.skip.has(c)) return undefined;
    const v = rec.values[c] ?? '';
    return Array.isArray(v) ? v.join(';') : v.trim();
  };
  /** Run `parse` on a non-empty cell; report its problem. */
  const read = <T>(c: ConsentColumn, required: boolean, parse: (raw: string) => Parsed<T>): T | null | undefined => {
    const raw = text(c);
    if (raw === undefined) return undefined;
    if (raw === '') {
      if (required) {
        report(c, REQUIRED);
        return undefined;
      }
      return null;
    }
    const r = parse(raw);
    if (r.ok) return r.value;
    report(c, r.problem);
    return undefined;
  };
  const known = <T>(v: T | null | undefined): T | undefined => (v === null ? undefined : v);

  d.participantId = known(read('participant_id', true, parseId));
  const name = read('name', true, parseName);
  if (name === '') report('name', REQUIRED);
  else d.name = known(name);
  d.biometricConsent = known(read('biometric_consent', true, (v) => parseYesNo(v, 'consent')));
  d.signedAt = known(read('signed_at', true, parseIsoDate));

  const expiresAt = read('expires_at', false, parseIsoDate);
  if (expiresAt && d.signedAt && expiresAt.getTime() <= d.signedAt.getTime())
    report('expires_at', 'is not after signed_at');
  else d.expiresAt = expiresAt;

  const withdrawnAt = read('withdrawn_at', false, parseIsoDate);
  if (withdrawnAt && d.signedAt && withdrawnAt.getTime() < d.signedAt.getTime())
    report('withdrawn_at', 'is before signed_at');
  else d.withdrawnAt = withdrawnAt;

  d.formRefRelative = known(read('form_ref', true, relativePath));
  d.formSha256 = known(read('form_sha256', true, parseSha256));

  // A withdrawn record never needs its reference photo again: it is not read (so a deleted photo
  // cannot block a withdrawal). Otherwise biometric consent needs one.
  const withdrawnText = text('withdrawn_at');
  if (withdrawnText !== undefined && withdrawnText !== '') d.referencePhotoRelative = null;
  else if (withdrawnText !== undefined) {
    const photo = read('reference_photo', false, relativePath);
    if (photo === null && d.biometricConsent === true) {
      report('reference_photo', 'missing reference photo (required when biometric_consent is yes)');
    } else if (photo === null && d.biometricConsent === undefined) {
      // consent unknown (already reported): cannot say whether a photo is needed
    } else d.referencePhotoRelative = photo;
  }

  d.minor = known(read('minor', true, (v) => parseYesNo(v, 'plain')));
  const guardian = read('guardian', false, parseName);
  if ((guardian === null || guardian === '') && d.minor === true) {
    report('guardian', 'missing guardian (required when minor is yes)');
  } else if (guardian !== undefined) d.guardian = guardian === '' ? null : guardian;

  const scopes = read('publication_scopes', false, parseScopes);
  if (scopes !== undefined) d.publicationScopes = scopes ?? [];
  return d;
}

export function checkDuplicateIds(drafts: Draft[], problems: Problems): void {
  const first = new Map<string, Draft>();
  for (const d of drafts) {
    if (d.participantId === undefined) continue;
    const key = d.participantId.toLowerCase();
    const earlier = first.get(key);
    if (earlier) {
      problems.add(
        d.cellLine.participant_id ?? d.line,
        'participant_id',
        `duplicate participant ${JSON.stringify(d.participantId)} (first on line ${earlier.cellLine.participant_id ?? earlier.line})`,
      );
    } else first.set(key, d);
  }
}
