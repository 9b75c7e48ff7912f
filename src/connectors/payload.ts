/**
 * Checks on what the core hands a connector, run by the wrapper before any connector sees it.
 * A bad payload is Sitter's bug (the core built it), so it is a BugError, never blamed on a connector.
 */
import { BugError } from '../core/domain/errors.js';
import { CONSENT_URI_PREFIX, parseConsentUri } from '../core/domain/consent-uri.js';
import type { ClearRequest, PushPayload } from '../core/ports/connector.js';

/** Every consent URI Sitter writes starts with this: how connectors recognise Sitter's entries. */
export { CONSENT_URI_PREFIX, consentUri, parseConsentUri } from '../core/domain/consent-uri.js';

export function isSitterConsentUri(uri: string): boolean {
  return parseConsentUri(uri) !== null;
}

const EPS = 1e-6;
/** A publication scope as consent files spell it (src/core/consent/values.ts). */
const SCOPE = /^[a-z0-9][a-z0-9_-]*$/;

/** Problems of a list of scopes (one person's, or the clearance's): each well-formed, each once. */
function scopeListProblems(at: string, scopes: readonly string[]): string[] {
  const problems: string[] = [];
  if (scopes.some((s) => typeof s !== 'string' || !SCOPE.test(s))) problems.push(`${at} holds a malformed scope`);
  if (new Set(scopes).size !== scopes.length) problems.push(`${at} names a scope twice`);
  return problems;
}

/** Problems of the optional clearance statement (contract 3). */
function clearanceProblems(payload: PushPayload): string[] {
  const list = payload.clearance;
  if (list === undefined) return [];
  const problems = scopeListProblems(
    'clearance',
    list.map((c) => c.scope),
  );
  list.forEach((c, i) => {
    if (typeof c.cleared !== 'boolean') problems.push(`clearance[${i}].cleared is not a boolean`);
    if (!Array.isArray(c.reasons) || (c.cleared && c.reasons.length > 0) || (!c.cleared && c.reasons.length === 0))
      problems.push(`clearance[${i}].reasons must be empty exactly when cleared`);
    if (c.until !== undefined && (!c.cleared || Number.isNaN(Date.parse(c.until))))
      problems.push(`clearance[${i}].until must be an instant, on a cleared scope only`);
  });
  return problems;
}
const SHA256 = /^sha256:[0-9a-f]{64}$/;

function isUnit(n: number): boolean {
  return Number.isFinite(n) && n >= -EPS && n <= 1 + EPS;
}

/** Throws a BugError naming every problem of the payload. */
export function assertValidPushPayload(payload: PushPayload): void {
  const problems: string[] = [];
  if (typeof payload.assetId !== 'string' || payload.assetId === '') problems.push('assetId is empty');
  if (typeof payload.expectedContentHash !== 'string' || !SHA256.test(payload.expectedContentHash))
    problems.push('expectedContentHash is not sha256:<hex>');
  const { width, height, orientation } = payload.image;
  if (!Number.isInteger(width) || width <= 0 || !Number.isInteger(height) || height <= 0) {
    problems.push(`image size ${width}x${height} is not a positive integer size`);
  }
  if (orientation !== undefined && !(Number.isInteger(orientation) && orientation >= 1 && orientation <= 8)) {
    problems.push(`orientation ${orientation} is not an EXIF orientation 1-8`);
  }
  if (!Number.isInteger(payload.otherFaces) || payload.otherFaces < 0) problems.push('otherFaces must be a count >= 0');
  const seenParticipants = new Set<string>();
  const seenUris = new Set<string>();
  payload.persons.forEach((p, i) => {
    const at = `persons[${i}]`;
    if (!p.participantId) problems.push(`${at}.participantId is empty`);
    if (seenParticipants.has(p.participantId)) problems.push(`${at}: participant ${p.participantId} appears twice`);
    seenParticipants.add(p.participantId);
    if (!p.displayName || p.displayName.trim() === '') problems.push(`${at}.displayName is empty`);
    if (!isSitterConsentUri(p.consentUri))
      problems.push(`${at}.consentUri "${p.consentUri}" is not a ${CONSENT_URI_PREFIX} URI`);
    if (seenUris.has(p.consentUri)) problems.push(`${at}: consent URI appears twice`);
    seenUris.add(p.consentUri);
    const rec = p.consentRecord;
    if (rec && !(Number.isInteger(rec.id) && rec.id > 0 && /^[0-9a-f]{64}$/.test(rec.formSha256)))
      problems.push(`${at}.consentRecord ${JSON.stringify(rec)} is not a record id with a form sha256`);
    const b = p.box;
    if (![b.x, b.y, b.w, b.h].every(isUnit) || b.w <= 0 || b.h <= 0 || b.x + b.w > 1 + EPS || b.y + b.h > 1 + EPS) {
      problems.push(`${at}.box ${JSON.stringify(b)} is not a relative box inside the image`);
    }
    const r = p.release;
    if (!['unlimited', 'limited', 'none'].includes(r.status))
      problems.push(`${at}.release.status "${String(r.status)}" is unknown`);
    if (r.ageAtShoot != null && !(Number.isInteger(r.ageAtShoot) && r.ageAtShoot >= 0))
      problems.push(`${at}.release.ageAtShoot is not a whole age`);
    if (p.publicationScopes) problems.push(...scopeListProblems(`${at}.publicationScopes`, p.publicationScopes));
  });
  problems.push(...clearanceProblems(payload));
  if (problems.length > 0)
    throw new BugError(`Invalid push payload for asset "${payload.assetId}": ${problems.join('; ')}`);
}

/** Throws a BugError if the clear request is malformed. */
export function assertValidClearRequest(request: ClearRequest): void {
  if (typeof request.assetId !== 'string' || request.assetId === '')
    throw new BugError('Invalid clear request: assetId is empty');
  for (const uri of request.consentUris ?? []) {
    if (!isSitterConsentUri(uri))
      throw new BugError(`Invalid clear request: "${uri}" is not a ${CONSENT_URI_PREFIX} URI`);
  }
}
