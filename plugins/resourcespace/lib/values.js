// What Sitter writes into the ResourceSpace fields the archivist maps, and how it reads them back: the
// same text as the built-in Asset Bank connector writes (src/connectors/asset-bank/values.ts), copied
// because a plugin imports nothing of Sitter's internals. Plain text on purpose: an archivist reads it
// in ResourceSpace, a DPO checks it without Sitter.
//
// The consent-refs field is the ledger: a header `#sitter v1 otherFaces=N`, then one line per person
// sorted by consent URI, tab-separated: URI, name, release id, release status, `adult` or
// `minor:<AGE-CODE>`, and `record=<id>:<form sha256>` when known. The ledger holds enough to rebuild
// every other mapped field, so a partial clear (one person withdraws) recomputes them all, and its
// header is how the plugin recognises a field as Sitter's: it never blanks a field Sitter did not write.

export const LEDGER_HEADER = '#sitter v1';

/**
 * @typedef {'unlimited' | 'limited' | 'none'} ReleaseStatus
 * @typedef {{ consentUri: string, name: string, releaseId: string | null, release: ReleaseStatus,
 *   minorAge: string | null, record: { id: number, formSha256: string } | null }} LedgerEntry
 * @typedef {{ otherFaces: number, entries: LedgerEntry[] }} Ledger
 * @typedef {{ consent: string, name: string, x: number, y: number, w: number, h: number }} Region
 * @typedef {{ image: { w: number, h: number }, regions: Region[] }} FaceRegions
 * @typedef {{ consentRefs: string, participants: string, faceRegions: string, usageClearance: string }} MappedValues
 */

/** @type {Record<string, string>} */
const ESCAPES = { '\\': '\\\\', '\t': '\\t', '\n': '\\n', '\r': '\\r' };
/** @type {Record<string, string>} */
const UNESCAPES = { '\\': '\\', t: '\t', n: '\n', r: '\r', ';': ';' };

/** @param {string} s */
const escapeField = (s) => s.replace(/[\\\t\n\r]/g, (c) => ESCAPES[c]);
/** @param {string} s */
const unescapeField = (s) => s.replace(/\\(.)/gs, (_, c) => UNESCAPES[c] ?? c);

/** @param {string} s ResourceSpace may hand text back with CRLF: compared after normalising */
export const normaliseNewlines = (s) => s.replace(/\r\n?/g, '\n');

/** @param {{ consentUri: string }} a @param {{ consentUri: string }} b */
const byUri = (a, b) => (a.consentUri < b.consentUri ? -1 : a.consentUri > b.consentUri ? 1 : 0);

/** A minor's PLUS age code (AG-U14, AG-A15..AG-A24, AG-A25, AG-UNK); null for an adult. */
function ageCode(/** @type {{ minor: boolean, ageAtShoot?: number | null }} */ release) {
  if (!release.minor) return null;
  const age = release.ageAtShoot;
  if (age == null) return 'AG-UNK';
  if (age <= 14) return 'AG-U14';
  if (age >= 25) return 'AG-A25';
  return `AG-A${age}`;
}

/** @param {import('./types.js').PushPayload} payload @returns {Ledger} */
export function ledgerFromPayload(payload) {
  return {
    otherFaces: payload.otherFaces,
    entries: payload.persons
      .map((p) => ({
        consentUri: p.consentUri,
        name: p.displayName,
        releaseId: p.release.id,
        release: p.release.status,
        minorAge: ageCode(p.release),
        record: p.consentRecord ?? null,
      }))
      .sort(byUri),
  };
}

/** @param {Ledger} ledger */
export function formatLedger(ledger) {
  const lines = [...ledger.entries]
    .sort(byUri)
    .map((e) =>
      [
        escapeField(e.consentUri),
        escapeField(e.name),
        escapeField(e.releaseId ?? ''),
        e.release,
        e.minorAge === null ? 'adult' : `minor:${e.minorAge}`,
        ...(e.record ? [`record=${e.record.id}:${e.record.formSha256}`] : []),
      ].join('\t'),
    );
  return [`${LEDGER_HEADER} otherFaces=${ledger.otherFaces}`, ...lines].join('\n');
}

/** @param {string} text true when a field value is one Sitter wrote (its ledger header) */
export function isSitterLedger(text) {
  return normaliseNewlines(text)
    .split('\n', 1)[0]
    .startsWith(LEDGER_HEADER + ' ');
}

const HEADER = /^#sitter v1 otherFaces=(\d{1,6})$/;
const RECORD = /^record=(\d{1,15}):([0-9a-f]{64})$/;
const STATUS = new Set(['unlimited', 'limited', 'none']);

/** @param {string} text @returns {Ledger | null} the ledger, or null when the text is not a well-formed one */
export function parseLedger(text) {
  const lines = normaliseNewlines(text).split('\n');
  const header = HEADER.exec(lines[0] ?? '');
  if (!header) return null;
  /** @type {LedgerEntry[]} */
  const entries = [];
  for (const line of lines.slice(1)) {
    if (line === '') continue;
    const f = line.split('\t');
    if (f.length < 5 || f.length > 6 || !STATUS.has(f[3])) return null;
    const age = f[4] === 'adult' ? null : /^minor:(AG-[A-Z0-9]{2,3})$/.exec(f[4])?.[1];
    if (age === undefined) return null;
    const rec = f[5] === undefined ? null : RECORD.exec(f[5]);
    if (f[5] !== undefined && !rec) return null;
    const releaseId = unescapeField(f[2]);
    entries.push({
      consentUri: unescapeField(f[0]),
      name: unescapeField(f[1]),
      releaseId: releaseId === '' ? null : releaseId,
      release: /** @type {ReleaseStatus} */ (f[3]),
      minorAge: age,
      record: rec ? { id: Number(rec[1]), formSha256: rec[2] } : null,
    });
  }
  return { otherFaces: Number(header[1]), entries };
}

/** @param {readonly string[]} names `Ada Test; Ben Test`, `;` and backslash escaped */
export function formatParticipants(names) {
  return names.map((n) => n.replace(/[\\;\t\n\r]/g, (c) => (c === ';' ? '\\;' : ESCAPES[c]))).join('; ');
}

/** @param {number} n */
const six = (n) => Math.round(n * 1e6) / 1e6;

/** @param {import('./types.js').PushPayload} payload @returns {FaceRegions} */
export function regionsFromPayload(payload) {
  const byConsent = new Map(payload.persons.map((p) => [p.consentUri, p]));
  return {
    image: { w: payload.image.width, h: payload.image.height },
    regions: ledgerFromPayload(payload).entries.map((e) => {
      const b = /** @type {NonNullable<ReturnType<typeof byConsent.get>>} */ (byConsent.get(e.consentUri)).box;
      return { consent: e.consentUri, name: e.name, x: six(b.x), y: six(b.y), w: six(b.w), h: six(b.h) };
    }),
  };
}

/** @param {FaceRegions} r stable JSON: fixed key order, 6 decimals */
export function formatRegions(r) {
  return JSON.stringify({
    sitter: 1,
    frame: 'displayed',
    image: { w: r.image.w, h: r.image.h },
    regions: r.regions.map((g) => ({ consent: g.consent, name: g.name, x: g.x, y: g.y, w: g.w, h: g.h })),
  });
}

/** @param {string} text @returns {FaceRegions | null} */
export function parseRegions(text) {
  try {
    const v = JSON.parse(text);
    if (v?.sitter !== 1 || !Array.isArray(v.regions) || typeof v.image?.w !== 'number' || typeof v.image.h !== 'number')
      return null;
    const ok = v.regions.every(
      (/** @type {Record<string, unknown>} */ g) =>
        typeof g.consent === 'string' &&
        typeof g.name === 'string' &&
        ['x', 'y', 'w', 'h'].every((k) => typeof g[k] === 'number'),
    );
    if (!ok) return null;
    return {
      image: { w: v.image.w, h: v.image.h },
      regions: v.regions.map((/** @type {Region} */ g) => ({
        consent: g.consent,
        name: g.name,
        x: g.x,
        y: g.y,
        w: g.w,
        h: g.h,
      })),
    };
  } catch {
    return null;
  }
}

/**
 * The image's usage clearance (PLUS's fold: every person unlimited and no other face → unlimited;
 * nobody with a release → none; anything between → limited); null when nobody is named.
 * @param {Ledger} ledger @returns {ReleaseStatus | null}
 */
export function clearanceOf(ledger) {
  const statuses = ledger.entries.map((e) => e.release);
  if (statuses.length === 0) return null;
  if (statuses.every((s) => s === 'unlimited') && ledger.otherFaces === 0) return 'unlimited';
  if (statuses.every((s) => s === 'none')) return 'none';
  return 'limited';
}

/**
 * The text of each mapped field for a statement; empty text blanks a field.
 * @param {Ledger} ledger @param {FaceRegions | null} regions @returns {MappedValues}
 */
export function valuesFor(ledger, regions) {
  if (ledger.entries.length === 0) return { consentRefs: '', participants: '', faceRegions: '', usageClearance: '' };
  return {
    consentRefs: formatLedger(ledger),
    participants: formatParticipants(ledger.entries.map((e) => e.name)),
    faceRegions: regions && regions.regions.length > 0 ? formatRegions(regions) : '',
    usageClearance: clearanceOf(ledger) ?? '',
  };
}

/**
 * The statement left after some persons withdraw: their lines and regions go, the rest is recomputed;
 * their faces are still in the photo, unnamed, so they count as other faces.
 * @param {Ledger} ledger @param {FaceRegions | null} regions @param {ReadonlySet<string>} consentUris
 */
export function withoutPersons(ledger, regions, consentUris) {
  const kept = ledger.entries.filter((e) => !consentUris.has(e.consentUri));
  return {
    ledger: { otherFaces: ledger.otherFaces + ledger.entries.length - kept.length, entries: kept },
    regions: regions && { image: regions.image, regions: regions.regions.filter((g) => !consentUris.has(g.consent)) },
  };
}
