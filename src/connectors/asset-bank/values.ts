/**
 * What Sitter writes into the Asset Bank attributes the archivist maps, and how it reads them back.
 * Plain text on purpose (dedicated text attributes, as dam-apis.md recommends): an archivist can read
 * it in Asset Bank, and a DPO can check it without Sitter.
 *
 * The consent-refs attribute is the ledger: a header `#sitter v1 otherFaces=N`, then one line per
 * person sorted by consent URI, tab-separated: URI, name, release id, release status, `adult` or
 * `minor[:AGE-CODE]`, and `record=<id>:<form sha256>` when known. The ledger holds enough to rebuild
 * every other mapped attribute, so a partial clear (one person withdraws) recomputes them all, and
 * its header is how Sitter recognises an attribute as its own.
 */
import type { ModelRelease, PushPayload } from '../../core/ports/connector.js';
import { ageCode, releaseStatus } from '../xmp/release.js';

export const LEDGER_HEADER = '#sitter v1';

export interface LedgerEntry {
  consentUri: string;
  name: string;
  releaseId: string | null;
  release: ModelRelease['status'];
  /** null for an adult; the PLUS age code (AG-U14, AG-A15 … AG-UNK) for a minor */
  minorAge: string | null;
  /** the consent record version and its form's sha256, when the core knows it */
  record: { id: number; formSha256: string } | null;
}

export interface Ledger {
  otherFaces: number;
  entries: LedgerEntry[];
}

export interface Region {
  consent: string;
  name: string;
  x: number;
  y: number;
  w: number;
  h: number;
}

export interface FaceRegions {
  image: { w: number; h: number };
  regions: Region[];
}

// ---- escaping -------------------------------------------------------------------------------------

const ESCAPES: Record<string, string> = { '\\': '\\\\', '\t': '\\t', '\n': '\\n', '\r': '\\r' };
const UNESCAPES: Record<string, string> = { '\\': '\\', t: '\t', n: '\n', r: '\r', ';': ';' };

/** A ledger field: tab, line breaks and backslash escaped, so a field never splits a line. */
export function escapeField(s: string): string {
  return s.replace(/[\\\t\n\r]/g, (c) => ESCAPES[c]!);
}

export function unescapeField(s: string): string {
  return s.replace(/\\(.)/gs, (_, c: string) => UNESCAPES[c] ?? c);
}

// ---- ledger ---------------------------------------------------------------------------------------

const byUri = (a: { consentUri: string }, b: { consentUri: string }) =>
  a.consentUri < b.consentUri ? -1 : a.consentUri > b.consentUri ? 1 : 0;

export function ledgerFromPayload(payload: PushPayload): Ledger {
  return {
    otherFaces: payload.otherFaces,
    entries: payload.persons
      .map((p): LedgerEntry => ({
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

export function formatLedger(ledger: Ledger): string {
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

/** True when an attribute value is one Sitter wrote (its ledger header). */
export function isSitterLedger(text: string): boolean {
  return normaliseNewlines(text)
    .split('\n', 1)[0]!
    .startsWith(LEDGER_HEADER + ' ');
}

const HEADER = /^#sitter v1 otherFaces=(\d{1,6})$/;
const RECORD = /^record=(\d{1,15}):([0-9a-f]{64})$/;
const STATUS = new Set(['unlimited', 'limited', 'none']);

/** The ledger in an attribute value, or null when the value is not (or no longer) a well-formed ledger. */
export function parseLedger(text: string): Ledger | null {
  const lines = normaliseNewlines(text).split('\n');
  const header = HEADER.exec(lines[0] ?? '');
  if (!header) return null;
  const entries: LedgerEntry[] = [];
  for (const line of lines.slice(1)) {
    if (line === '') continue;
    const f = line.split('\t');
    if (f.length < 5 || f.length > 6 || !STATUS.has(f[3]!)) return null;
    const age = f[4] === 'adult' ? null : /^minor:(AG-[A-Z0-9]{2,3})$/.exec(f[4]!)?.[1];
    if (age === undefined) return null;
    const rec = f[5] === undefined ? null : RECORD.exec(f[5]);
    if (rec === undefined || (f[5] !== undefined && !rec)) return null;
    const releaseId = unescapeField(f[2]!);
    entries.push({
      consentUri: unescapeField(f[0]!),
      name: unescapeField(f[1]!),
      releaseId: releaseId === '' ? null : releaseId,
      release: f[3] as ModelRelease['status'],
      minorAge: age,
      record: rec ? { id: Number(rec[1]), formSha256: rec[2]! } : null,
    });
  }
  return { otherFaces: Number(header[1]), entries };
}

// ---- participants ---------------------------------------------------------------------------------

/** `Ada Test; Ben Test`: names in ledger order, `;` and backslash escaped. */
export function formatParticipants(names: readonly string[]): string {
  return names.map((n) => n.replace(/[\\;\t\n\r]/g, (c) => (c === ';' ? '\\;' : ESCAPES[c]!))).join('; ');
}

export function parseParticipants(text: string): string[] {
  if (text === '') return [];
  const out: string[] = [];
  let cur = '';
  for (let i = 0; i < text.length; i++) {
    const c = text[i]!;
    if (c === '\\' && i + 1 < text.length) {
      cur += UNESCAPES[text[i + 1]!] ?? text[i + 1]!;
      i++;
    } else if (c === ';' && text[i + 1] === ' ') {
      out.push(cur);
      cur = '';
      i++;
    } else cur += c;
  }
  out.push(cur);
  return out;
}

// ---- face regions ---------------------------------------------------------------------------------

const six = (n: number) => Math.round(n * 1e6) / 1e6;

export function regionsFromPayload(payload: PushPayload): FaceRegions {
  const byConsent = new Map(payload.persons.map((p) => [p.consentUri, p]));
  return {
    image: { w: payload.image.width, h: payload.image.height },
    regions: ledgerFromPayload(payload).entries.map((e) => {
      const b = byConsent.get(e.consentUri)!.box;
      return { consent: e.consentUri, name: e.name, x: six(b.x), y: six(b.y), w: six(b.w), h: six(b.h) };
    }),
  };
}

/** Stable JSON: fixed key order, 6 decimals, so the same statement is always the same text. */
export function formatRegions(r: FaceRegions): string {
  return JSON.stringify({
    sitter: 1,
    frame: 'displayed',
    image: { w: r.image.w, h: r.image.h },
    regions: r.regions.map((g) => ({ consent: g.consent, name: g.name, x: g.x, y: g.y, w: g.w, h: g.h })),
  });
}

export function parseRegions(text: string): FaceRegions | null {
  try {
    const v = JSON.parse(text) as {
      sitter?: unknown;
      image?: { w?: unknown; h?: unknown };
      regions?: unknown;
    };
    if (v.sitter !== 1 || !Array.isArray(v.regions) || typeof v.image?.w !== 'number' || typeof v.image.h !== 'number')
      return null;
    const regions = (v.regions as Record<string, unknown>[]).filter(
      (g): g is Region & Record<string, unknown> =>
        typeof g.consent === 'string' &&
        typeof g.name === 'string' &&
        ['x', 'y', 'w', 'h'].every((k) => typeof g[k] === 'number'),
    );
    if (regions.length !== v.regions.length) return null;
    return {
      image: { w: v.image.w, h: v.image.h },
      regions: regions.map((g) => ({ consent: g.consent, name: g.name, x: g.x, y: g.y, w: g.w, h: g.h })),
    };
  } catch {
    return null;
  }
}

// ---- clearance ------------------------------------------------------------------------------------

/** The image's usage clearance, as `xmp/release.ts` folds it for PLUS; null when nobody is named. */
export function clearanceOf(ledger: Ledger): ModelRelease['status'] | null {
  const code = releaseStatus(
    ledger.entries.map((e) => e.release),
    ledger.otherFaces,
  );
  return code === null ? null : code === 'MR-UMR' ? 'unlimited' : code === 'MR-NON' ? 'none' : 'limited';
}

// ---- all mapped attributes -----------------------------------------------------------------------

export type MappedRole = 'consentRefs' | 'participants' | 'faceRegions' | 'usageClearance';

/** The text of each mapped attribute for a statement; empty text blanks an attribute. */
export interface MappedValues {
  consentRefs: string;
  participants: string;
  faceRegions: string;
  usageClearance: string;
}

export function valuesFor(
  ledger: Ledger,
  regions: FaceRegions | null,
  clearanceValues: Record<ModelRelease['status'], string>,
): MappedValues {
  if (ledger.entries.length === 0) return { consentRefs: '', participants: '', faceRegions: '', usageClearance: '' };
  const clearance = clearanceOf(ledger);
  return {
    consentRefs: formatLedger(ledger),
    participants: formatParticipants(ledger.entries.map((e) => e.name)),
    faceRegions: regions && regions.regions.length > 0 ? formatRegions(regions) : '',
    usageClearance: clearance === null ? '' : clearanceValues[clearance],
  };
}

/**
 * The statement left after some persons withdraw: their lines and regions go and the rest is
 * recomputed. Their faces are still in the photo, now unnamed, so they count as other faces: the
 * clearance can only become more limited.
 */
export function withoutPersons(
  ledger: Ledger,
  regions: FaceRegions | null,
  consentUris: ReadonlySet<string>,
): { ledger: Ledger; regions: FaceRegions | null } {
  const kept = ledger.entries.filter((e) => !consentUris.has(e.consentUri));
  return {
    ledger: { otherFaces: ledger.otherFaces + ledger.entries.length - kept.length, entries: kept },
    regions: regions && { image: regions.image, regions: regions.regions.filter((g) => !consentUris.has(g.consent)) },
  };
}

/** Asset Bank may hand text back with CRLF: compared after normalising. */
export function normaliseNewlines(s: string): string {
  return s.replace(/\r\n?/g, '\n');
}
