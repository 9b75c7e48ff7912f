/**
 * What of a request or an answer may go into an error. Errors leave the connector for the audit
 * chain, `assets.error`, reports and the terminal, so they keep the origin and path of a URL but
 * never its query (signed URLs carry their signature and expiry there; ResourceSpace its `sign`) nor
 * its user-info, never a header, and of a body only a short, printable excerpt of a text refusal.
 */

/** `https://host/path`: no user-info, no query, no fragment. Anything unparsable is not echoed at all. */
export function redactUrl(url: string | URL): string {
  try {
    const u = new URL(url);
    return `${u.protocol}//${u.host}${u.pathname}`;
  } catch {
    return '(an unparsable URL)';
  }
}

/** The host a URL names (`cdn.example.com:8443`), for messages about redirects; never its query. */
export function hostOf(url: string | URL): string {
  try {
    return new URL(url).host;
  } catch {
    return '(an unparsable URL)';
  }
}

/** Longest excerpt of a server's text refusal kept in a message. */
export const MAX_EXCERPT = 200;

/**
 * A short excerpt of a text body for a message: control characters (terminal escapes, newlines) become
 * spaces, runs of spaces collapse, and it stops at `MAX_EXCERPT` characters.
 */
export function bodyExcerpt(text: string): string {
  // eslint-disable-next-line no-control-regex
  const flat = text.replace(/[\u0000-\u001f\u007f-\u009f\u2028\u2029]+/g, ' ').replace(/\s+/g, ' ');
  const trimmed = flat.trim();
  return trimmed.length > MAX_EXCERPT ? `${trimmed.slice(0, MAX_EXCERPT - 1)}…` : trimmed;
}

/** Response headers with lower-case names and single string values. */
export function flatHeaders(headers: Record<string, unknown>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [name, value] of Object.entries(headers)) {
    if (value === undefined || value === null) continue;
    out[name.toLowerCase()] = Array.isArray(value) ? value.join(', ') : String(value);
  }
  return out;
}
