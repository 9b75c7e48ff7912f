/**
 * The columns of a consent file and how each value is read. Pure functions: each returns the value
 * or a problem text (the wording users see; docs/consent-format.md lists them).
 */

/** Every column, in the order problems are listed within a line. */
export const CONSENT_COLUMNS = [
  'participant_id',
  'name',
  'biometric_consent',
  'signed_at',
  'expires_at',
  'withdrawn_at',
  'form_ref',
  'form_sha256',
  'reference_photo',
  'minor',
  'guardian',
  'publication_scopes',
] as const;

export type ConsentColumn = (typeof CONSENT_COLUMNS)[number];

/** Columns a CSV header may leave out (JSON objects may leave out any key whose value is empty). */
export const OPTIONAL_COLUMNS: ReadonlySet<ConsentColumn> = new Set<ConsentColumn>(['publication_scopes']);

export function isConsentColumn(name: string): name is ConsentColumn {
  return (CONSENT_COLUMNS as readonly string[]).includes(name);
}

export type Parsed<T> = { ok: true; value: T } | { ok: false; problem: string };
const ok = <T>(value: T): Parsed<T> => ({ ok: true, value });
const bad = (problem: string): Parsed<never> => ({ ok: false, problem });

const YES = new Set(['yes', 'y', 'true', '1']);
const NO = new Set(['no', 'n', 'false', '0']);

/** yes / y / true / 1 and no / n / false / 0, any case. */
export function parseYesNo(raw: string, what: 'consent' | 'plain'): Parsed<boolean> {
  const v = raw.trim().toLowerCase();
  if (YES.has(v)) return ok(true);
  if (NO.has(v)) return ok(false);
  return bad(`unknown ${what === 'consent' ? 'consent ' : ''}value ${JSON.stringify(raw)} (use yes or no)`);
}

const ISO =
  /^(\d{4})-(\d{2})-(\d{2})(?:[T ](\d{2}):(\d{2})(?::(\d{2})(?:[.,](\d{1,9}))?)?(Z|z|[+-]\d{2}(?::?\d{2})?)?)?$/;

const DATE_HINT = '(use 2026-03-01 or 2026-03-01T14:30:00+01:00)';

/**
 * An ISO 8601 calendar date or date-time. A date alone means 00:00 UTC at the start of that day.
 * A date-time needs a zone ("Z" or an offset): local times are ambiguous on a legal record.
 */
export function parseIsoDate(raw: string): Parsed<Date> {
  const v = raw.trim();
  const m = ISO.exec(v);
  if (!m) return bad(`not an ISO 8601 date: ${JSON.stringify(raw)} ${DATE_HINT}`);
  const [, ys, mos, ds, hs, mis, ss, frac, zone] = m;
  const year = Number(ys);
  const month = Number(mos);
  const day = Number(ds);
  const hour = hs === undefined ? 0 : Number(hs);
  const minute = mis === undefined ? 0 : Number(mis);
  const second = ss === undefined ? 0 : Number(ss);
  if (hs !== undefined && zone === undefined) {
    return bad(`${JSON.stringify(v)} has no time zone (add Z or an offset such as +01:00)`);
  }
  const daysInMonth = month >= 1 && month <= 12 ? new Date(Date.UTC(2000, month, 0)).getUTCDate() : 0;
  const leapFix = month === 2 && day === 29 && !(year % 4 === 0 && (year % 100 !== 0 || year % 400 === 0));
  if (month < 1 || month > 12 || day < 1 || day > daysInMonth || leapFix || hour > 23 || minute > 59 || second > 59) {
    return bad(`not a real date: ${JSON.stringify(v)}`);
  }
  if (year < 1900) return bad(`implausible year in ${JSON.stringify(v)}`);
  let offsetMinutes = 0;
  if (zone !== undefined && zone.toUpperCase() !== 'Z') {
    const zm = /^([+-])(\d{2}):?(\d{2})?$/.exec(zone);
    const zh = Number(zm?.[2] ?? 0);
    const zmin = Number(zm?.[3] ?? 0);
    if (zh > 23 || zmin > 59) return bad(`not a real time zone offset: ${JSON.stringify(v)}`);
    offsetMinutes = (zm?.[1] === '-' ? -1 : 1) * (zh * 60 + zmin);
  }
  const ms = frac === undefined ? 0 : Number(frac.padEnd(3, '0').slice(0, 3));
  const t = Date.UTC(year, month - 1, day, hour, minute, second, ms) - offsetMinutes * 60_000;
  return ok(new Date(t));
}

/** 64 hex characters, either case; returned in lower case. */
export function parseSha256(raw: string): Parsed<string> {
  const v = raw.trim();
  if (!/^[0-9a-fA-F]{64}$/.test(v)) return bad(`not a sha256 (64 hexadecimal characters): ${JSON.stringify(raw)}`);
  return ok(v.toLowerCase());
}

const SCOPE = /^[a-z0-9][a-z0-9_-]*$/;

/** "web;print" (or a JSON array): lower-cased, de-duplicated, in the given order. Empty: no scopes. */
export function parseScopes(raw: string | string[]): Parsed<string[]> {
  const parts = (Array.isArray(raw) ? raw : raw.split(';')).map((s) => s.trim().toLowerCase()).filter((s) => s !== '');
  const out: string[] = [];
  for (const p of parts) {
    if (!SCOPE.test(p)) {
      return bad(`invalid scope ${JSON.stringify(p)} (letters, digits, - and _; separate scopes with ;)`);
    }
    if (!out.includes(p)) out.push(p);
  }
  return ok(out);
}

// eslint-disable-next-line no-control-regex
const CONTROL = /[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f]/;

/** A name or guardian: every run of white space (line breaks included) becomes one space. */
export function parseName(raw: string): Parsed<string> {
  if (CONTROL.test(raw)) return bad('contains control characters');
  return ok(raw.replace(/\s+/g, ' ').trim());
}

/** An id: no control characters and no line breaks; surrounding spaces are dropped. */
export function parseId(raw: string): Parsed<string> {
  const v = raw.trim();
  if (CONTROL.test(v) || /[\r\n\t]/.test(v)) return bad('contains a line break or control characters');
  if (v.length > 200) return bad('is longer than 200 characters');
  return ok(v);
}

/** The closest known column within two edits, for "did you mean". */
export function suggestColumn(name: string): ConsentColumn | null {
  let best: ConsentColumn | null = null;
  let bestD = 3;
  for (const c of CONSENT_COLUMNS) {
    const d = editDistance(name, c);
    if (d < bestD) {
      best = c;
      bestD = d;
    }
  }
  return best;
}

function editDistance(a: string, b: string): number {
  let prev = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const cur = [i];
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      cur.push(Math.min((prev[j] ?? 0) + 1, (cur[j - 1] ?? 0) + 1, (prev[j - 1] ?? 0) + cost));
    }
    prev = cur;
  }
  return prev[b.length] ?? 0;
}
