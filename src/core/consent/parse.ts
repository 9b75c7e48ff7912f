/**
 * Consent import, the pure half: read a consent file (CSV or JSON) into typed rows, or refuse the
 * whole file with every problem listed by line and column. No I/O: the files a row names (its form
 * and reference photo) are reached through the ConsentFileAccess port. Format: docs/consent-format.md.
 */
import { createHash } from 'node:crypto';
import { parse as parseCsv } from 'csv-parse/sync';
import { BugError, SitterError } from '../domain/errors.js';
import type { ConsentFileAccess, ResolveFailure } from '../ports/consent-files.js';
import { firstTooDeep, LineIndex, locateJson, type JsonLocation } from './lines.js';
import { lexicalPathProblem, normaliseRelativePath } from './paths.js';
import {
  CONSENT_COLUMNS,
  OPTIONAL_COLUMNS,
  isConsentColumn,
  parseId,
  parseIsoDate,
  parseName,
  parseScopes,
  parseSha256,
  parseYesNo,
  suggestColumn,
  type ConsentColumn,
  type Parsed,
} from './values.js';

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

/** One problem of a refused file. `column` is a column name, or null for a whole line or file. */
export interface ConsentProblem {
  line: number;
  column: string | null;
  problem: string;
}

export const CONSENT_FILE_INVALID = 'CONSENT_FILE_INVALID';

/** How many problems the error message spells out; `details` always holds all of them. */
const MESSAGE_PROBLEM_LIMIT = 50;

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

// ---------------------------------------------------------------------------------------------
// Problems

class Problems {
  private readonly list: ConsentProblem[] = [];
  add(line: number, column: string | null, problem: string): void {
    this.list.push({ line, column, problem });
  }
  get size(): number {
    return this.list.length;
  }
  /** By line, then in column order (whole-line problems first); stable otherwise. */
  sorted(): ConsentProblem[] {
    const rank = (c: string | null): number =>
      c === null ? -1 : isConsentColumn(c) ? CONSENT_COLUMNS.indexOf(c) : CONSENT_COLUMNS.length;
    return this.list
      .map((p, i) => ({ p, i }))
      .sort((a, b) => a.p.line - b.p.line || rank(a.p.column) - rank(b.p.column) || a.i - b.i)
      .map(({ p }) => p);
  }
}

function invalid(fileName: string, details: ConsentProblem[]): SitterError {
  const n = details.length;
  const shown = details.slice(0, MESSAGE_PROBLEM_LIMIT).map(formatProblem);
  if (n > MESSAGE_PROBLEM_LIMIT)
    shown.push(`  ... and ${n - MESSAGE_PROBLEM_LIMIT} more (all of them are in the --json output)`);
  return new SitterError(
    CONSENT_FILE_INVALID,
    `${fileName}: ${n} problem${n === 1 ? '' : 's'}, nothing was imported:\n${shown.join('\n')}`,
    `Fix every listed problem in ${fileName} and import it again (the whole file is refused while any remains). ` +
      'The format is described in docs/consent-format.md.',
    details,
  );
}

export function formatProblem(p: ConsentProblem): string {
  return `  line ${p.line}${p.column === null ? '' : `, ${p.column}`}: ${p.problem}`;
}

// ---------------------------------------------------------------------------------------------
// Reading: CSV and JSON to raw records

/**
 * One record as read. Plain objects, not a Map of cell objects per record: a 100,000-row roster
 * made millions of those, and collecting them was most of the parse.
 */
interface RawRecord {
  line: number;
  /** each column's value: text, or a list (a JSON publication_scopes) */
  values: Partial<Record<ConsentColumn, string | string[]>>;
  /** the cells on another line than the record's first (JSON keys); a CSV record's cells are all on its first */
  cellLines: Readonly<Partial<Record<ConsentColumn, number>>>;
  /** columns already reported (missing from the header, or of the wrong JSON type): not checked again */
  skip: ReadonlySet<ConsentColumn>;
}

const CSV_ERRORS: Record<string, string> = {
  CSV_QUOTE_NOT_CLOSED: 'a quoted value is never closed (a closing " is missing)',
  CSV_INVALID_CLOSING_QUOTE:
    'a quoted value is followed by more text before the next separator (write "" for a quote inside quotes)',
  INVALID_OPENING_QUOTE: 'a " appears inside an unquoted value (quote the whole value and write "" for the quote)',
};

function readCsv(text: string, problems: Problems): RawRecord[] | null {
  const bytes = new TextEncoder().encode(text);
  const lines = LineIndex.ofBytes(bytes);
  // The line a record starts on: skip the line breaks (empty lines) and the BOM before it.
  const startLine = (offset: number): number => {
    let i = offset;
    if (i === 0 && bytes[0] === 0xef && bytes[1] === 0xbb && bytes[2] === 0xbf) i = 3;
    while (i < bytes.length && (bytes[i] === 0x0a || bytes[i] === 0x0d)) i++;
    return lines.lineAt(Math.min(i, Math.max(bytes.length - 1, 0)));
  };

  // Each record becomes a RawRecord as the parser hands it over, so the parser's own per-record
  // objects die young instead of all being kept until the end (a 100,000-row roster's peak memory).
  let header: { fields: string[]; columns: (ConsentColumn | null)[]; skip: Set<ConsentColumn> } | undefined;
  let previousEnd = 0;
  const toRecord = (fields: string[], info: { bytes: number }): RawRecord | null => {
    const line = startLine(previousEnd);
    previousEnd = info.bytes;
    if (!header) {
      header = { fields, ...readHeader(fields, line, problems) };
      return null;
    }
    if (fields.every((f) => f.trim() === '')) return null; // a row of empty cells, as spreadsheets write
    if (fields.length !== header.fields.length) {
      problems.add(line, null, `has ${fields.length} values but the header has ${header.fields.length} columns`);
      return null;
    }
    const values: RawRecord['values'] = {};
    header.columns.forEach((c, i) => {
      if (c !== null) values[c] = fields[i] ?? '';
    });
    return { line, values, cellLines: SAME_LINE, skip: header.skip };
  };

  const records: RawRecord[] = [];
  try {
    parseCsv(bytes, {
      bom: true,
      delimiter: guessDelimiter(text),
      relax_column_count: true,
      skip_empty_lines: true,
      // Kept here, not by the parser: it is told to keep nothing.
      on_record: (fields: string[], info: { bytes: number }) => {
        const record = toRecord(fields, info);
        if (record) records.push(record);
        return null;
      },
    });
    return records;
  } catch (e) {
    const err = e as { code?: unknown; bytes?: unknown; message?: unknown };
    if (typeof err.code !== 'string') throw e;
    const line = typeof err.bytes === 'number' ? startLine(err.bytes) : 1;
    problems.add(line, null, `CSV syntax error: ${CSV_ERRORS[err.code] ?? String(err.message)}`);
    return null;
  }
}

const SAME_LINE: RawRecord['cellLines'] = Object.freeze({});

/** Comma, unless the header line has more semicolons or tabs (as European spreadsheets write). */
function guessDelimiter(text: string): string {
  const first = text.split(/\r\n|\r|\n/, 1)[0] ?? '';
  const count = (ch: string): number => first.split(ch).length - 1;
  const [best] = [',', ';', '\t'].map((d) => ({ d, n: count(d) })).sort((a, b) => b.n - a.n);
  return best && best.n > count(',') ? best.d : ',';
}

function readHeader(
  names: string[],
  line: number,
  problems: Problems,
): { columns: (ConsentColumn | null)[]; skip: Set<ConsentColumn> } {
  const seen = new Set<ConsentColumn>();
  const columns = names.map((raw, i): ConsentColumn | null => {
    const name = raw
      .replace(/^\uFEFF/, '')
      .trim()
      .toLowerCase();
    if (name === '') {
      problems.add(line, null, `empty column name in the header (column ${i + 1})`);
      return null;
    }
    if (!isConsentColumn(name)) {
      problems.add(line, name, unknownColumn(name));
      return null;
    }
    if (seen.has(name)) {
      problems.add(line, name, 'column appears twice in the header');
      return null;
    }
    seen.add(name);
    return name;
  });
  const skip = new Set<ConsentColumn>();
  for (const c of CONSENT_COLUMNS) {
    if (seen.has(c) || OPTIONAL_COLUMNS.has(c)) continue;
    problems.add(line, c, 'missing column');
    skip.add(c);
  }
  return { columns, skip };
}

function unknownColumn(name: string): string {
  const s = suggestColumn(name);
  return `unknown column ${JSON.stringify(name)}${s ? ` (did you mean ${JSON.stringify(s)}?)` : ''}`;
}

/**
 * A consent file nests four levels at most ({"participants": [{"publication_scopes": [...]}]});
 * anything far deeper is refused before parsing, as deep nesting would exhaust the stack.
 */
const MAX_JSON_DEPTH = 32;

const JSON_SHAPE = 'expected an array of participant records, or {"participants": [...]}';

function readJson(text: string, problems: Problems): RawRecord[] | null {
  const body = text.replace(/^\uFEFF/, '');
  const lines = LineIndex.ofString(body);
  const tooDeep = firstTooDeep(body, MAX_JSON_DEPTH);
  if (tooDeep >= 0) {
    problems.add(lines.lineAt(tooDeep), null, `nested more than ${MAX_JSON_DEPTH} levels deep (${JSON_SHAPE})`);
    return null;
  }
  let data: unknown;
  try {
    data = JSON.parse(body);
  } catch (e) {
    const message = e instanceof Error ? e.message : String(e);
    const at = /position (\d+)/.exec(message);
    problems.add(at ? lines.lineAt(Number(at[1])) : 1, null, `not valid JSON: ${message}`);
    return null;
  }
  const root = locateJson(body);
  let items: unknown[];
  let itemLocs: JsonLocation[];
  if (Array.isArray(data)) {
    items = data;
    itemLocs = root.items ?? [];
  } else if (isPlainObject(data) && Array.isArray(data.participants)) {
    items = data.participants;
    itemLocs = [];
    for (const m of root.members ?? []) {
      if (m.key === 'participants') itemLocs = m.value.items ?? [];
      else problems.add(lines.lineAt(m.keyOffset), m.key, `unknown key ${JSON.stringify(m.key)} (${JSON_SHAPE})`);
    }
  } else {
    problems.add(lines.lineAt(root.offset), null, JSON_SHAPE);
    return null;
  }

  const records: RawRecord[] = [];
  items.forEach((item, i) => {
    const loc = itemLocs[i];
    if (!loc) throw new BugError('JSON locator and JSON.parse disagree on the number of records');
    const line = lines.lineAt(loc.offset);
    if (!isPlainObject(item)) {
      problems.add(line, null, 'record is not an object');
      return;
    }
    const values: RawRecord['values'] = {};
    const cellLines: Partial<Record<ConsentColumn, number>> = {};
    const skip = new Set<ConsentColumn>();
    const seen = new Set<string>();
    for (const m of loc.members ?? []) {
      const keyLine = lines.lineAt(m.keyOffset);
      if (seen.has(m.key)) {
        problems.add(keyLine, m.key, 'key appears twice in this record');
        continue;
      }
      seen.add(m.key);
      if (!isConsentColumn(m.key)) {
        problems.add(keyLine, m.key, unknownColumn(m.key));
        continue;
      }
      const value = jsonCell(m.key, item[m.key]);
      if (value.ok) {
        values[m.key] = value.value;
        cellLines[m.key] = keyLine;
      } else {
        problems.add(keyLine, m.key, value.problem);
        skip.add(m.key);
      }
    }
    // An omitted key is an empty value, reported on the line the record opens.
    for (const c of CONSENT_COLUMNS) if (values[c] === undefined && !skip.has(c)) values[c] = '';
    records.push({ line, values, cellLines, skip });
  });
  return records;
}

function isPlainObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** A JSON value as the text a CSV cell would hold (or a list, for publication_scopes). */
function jsonCell(column: ConsentColumn, v: unknown): Parsed<string | string[]> {
  const yesNo = column === 'biometric_consent' || column === 'minor';
  if (v === null) return { ok: true, value: '' };
  if (typeof v === 'string') return { ok: true, value: v };
  if (typeof v === 'boolean' && yesNo) return { ok: true, value: v ? 'yes' : 'no' };
  if (
    typeof v === 'number' &&
    (column === 'participant_id' ? Number.isSafeInteger(v) : yesNo && (v === 0 || v === 1))
  ) {
    return { ok: true, value: String(v) };
  }
  if (Array.isArray(v) && column === 'publication_scopes' && v.every((s) => typeof s === 'string')) {
    return { ok: true, value: v as string[] };
  }
  const kind = Array.isArray(v) ? 'a list' : typeof v === 'object' ? 'an object' : `${JSON.stringify(v)}`;
  const expected =
    column === 'publication_scopes' ? 'text such as "web;print" or a list of strings' : yesNo ? 'yes or no' : 'text';
  return { ok: false, problem: `expected ${expected}, got ${kind}` };
}

// ---------------------------------------------------------------------------------------------
// Checking one record

interface Draft {
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

function checkRecord(rec: RawRecord, problems: Problems): Draft {
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

function relativePath(raw: string): Parsed<string> {
  const p = lexicalPathProblem(raw);
  if (p === null) return { ok: true, value: normaliseRelativePath(raw) };
  if (p === 'absolute' || p === 'parent') return { ok: false, problem: resolveProblem(p, raw) };
  return { ok: false, problem: `not a usable path: ${JSON.stringify(raw)}` };
}

function resolveProblem(reason: ResolveFailure, relPath: string, message?: string): string {
  const q = JSON.stringify(relPath);
  switch (reason) {
    case 'absolute':
      return `absolute path ${q} (give a path relative to the consent file's folder)`;
    case 'parent':
      return `path ${q} leaves the consent file's folder (no "..")`;
    case 'symlink-escape':
      return `path ${q} is a symbolic link leading outside the consent file's folder`;
    case 'missing':
      return `file not found: ${q}`;
    case 'not-a-file':
      return `not a file: ${q}`;
    case 'unreadable':
      return `cannot read ${q}${message ? `: ${message}` : ''}`;
  }
}

function checkDuplicateIds(drafts: Draft[], problems: Problems): void {
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

// ---------------------------------------------------------------------------------------------
// Checking the files the records name

type FileCheck = { ok: true; absolutePath: string; sha256: string } | { ok: false; problem: string };

async function checkFiles(drafts: Draft[], files: ConsentFileAccess, problems: Problems): Promise<void> {
  // Resolve and hash every named file once (a form shared by many rows is read once), with a few
  // reads in flight (one at a time, a large roster waits mostly on the disk); the checks below then
  // run in file order on the results, without an await per row.
  const named = new Set<string>();
  for (const d of drafts) {
    if (d.formRefRelative !== undefined) named.add(d.formRefRelative);
    if (d.referencePhotoRelative) named.add(d.referencePhotoRelative);
  }
  const checked = new Map<string, FileCheck>();
  await inParallel([...named], FILE_CHECKS_IN_FLIGHT, async (rel) => checked.set(rel, await checkFile(rel, files)));
  const check = (rel: string): FileCheck => {
    const result = checked.get(rel);
    if (!result) throw new BugError(`the file ${JSON.stringify(rel)} named by the consent file was not checked`);
    return result;
  };

  const photoOwner = new Map<string, Draft>();
  for (const d of drafts) {
    const at = (c: ConsentColumn): number => d.cellLine[c] ?? d.line;
    if (d.formRefRelative !== undefined) {
      const form = check(d.formRefRelative);
      if (!form.ok) problems.add(at('form_ref'), 'form_ref', form.problem);
      else {
        d.formRef = form.absolutePath;
        if (d.formSha256 !== undefined && d.formSha256 !== form.sha256) {
          problems.add(
            at('form_sha256'),
            'form_sha256',
            `does not match the form file ${JSON.stringify(d.formRefRelative)} (its sha256 is ${form.sha256})`,
          );
        }
      }
    }
    if (d.referencePhotoRelative === null) {
      d.referencePhoto = null;
      d.referencePhotoSha256 = null;
    } else if (d.referencePhotoRelative !== undefined) {
      const photo = check(d.referencePhotoRelative);
      if (!photo.ok) problems.add(at('reference_photo'), 'reference_photo', photo.problem);
      else {
        d.referencePhoto = photo.absolutePath;
        d.referencePhotoSha256 = photo.sha256;
        const owner = photoOwner.get(photo.absolutePath);
        if (owner) {
          problems.add(
            at('reference_photo'),
            'reference_photo',
            `same file as the reference photo of ${JSON.stringify(owner.participantId ?? '?')} (line ${owner.cellLine.reference_photo ?? owner.line}): one photo cannot stand for two people`,
          );
        } else photoOwner.set(photo.absolutePath, d);
      }
    }
  }
}

const FILE_CHECKS_IN_FLIGHT = 16;

/** Runs `work` on every item, at most `limit` at a time. */
async function inParallel<T>(items: T[], limit: number, work: (item: T) => Promise<unknown>): Promise<void> {
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < items.length) {
      const item = items[next++] as T;
      await work(item);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
}

async function checkFile(rel: string, files: ConsentFileAccess): Promise<FileCheck> {
  try {
    const r = await files.resolveInside(rel);
    if (!r.ok) return { ok: false, problem: resolveProblem(r.reason, rel, r.message) };
    return { ok: true, absolutePath: r.absolutePath, sha256: (await files.sha256(r.absolutePath)).toLowerCase() };
  } catch (e) {
    return { ok: false, problem: resolveProblem('unreadable', rel, e instanceof Error ? e.message : String(e)) };
  }
}

// ---------------------------------------------------------------------------------------------

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
