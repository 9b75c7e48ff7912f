import { BugError } from './errors.js';

/**
 * The URI that names one participant's consent record in one shoot. Written as IPTC PersonId into
 * the DAM's metadata; its prefix is how Sitter recognises, later, what it wrote.
 */
export const CONSENT_URI_PREFIX = 'urn:sitter:consent:';

/**
 * The consent URI of one participant of one shoot: `urn:sitter:consent:<shoot>:<participant>`, each
 * part percent-encoded (a `:` inside an id becomes `%3A`) so the URI parses back unambiguously.
 */
export function consentUri(shootId: string, participantId: string): string {
  if (shootId === '' || participantId === '') throw new BugError('consentUri needs a shoot id and a participant id');
  return `${CONSENT_URI_PREFIX}${encodeURIComponent(shootId)}:${encodeURIComponent(participantId)}`;
}

/** The inverse of `consentUri`; null for a URI Sitter did not make. */
export function parseConsentUri(uri: string): { shootId: string; participantId: string } | null {
  if (!uri.startsWith(CONSENT_URI_PREFIX)) return null;
  const parts = uri.slice(CONSENT_URI_PREFIX.length).split(':');
  if (parts.length !== 2 || !parts[0] || !parts[1]) return null;
  try {
    return { shootId: decodeURIComponent(parts[0]), participantId: decodeURIComponent(parts[1]) };
  } catch {
    return null;
  }
}
