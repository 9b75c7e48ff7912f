/**
 * The URL of a request: a path under the API's base, and a query Sitter encodes itself. The query
 * text is handed to axios whole (as its serialised params), so neither axios nor WHATWG URL parsing
 * re-encodes it: a signed API (ResourceSpace signs the exact query bytes) gets `rawQuery` byte-exact.
 */
import { BugError } from '../../core/domain/errors.js';
import type { Query } from './types.js';

/** The base with a trailing slash, so `rest/x` resolves under its path, not beside it. */
export function apiBase(baseUrl: string): URL {
  const base = new URL(baseUrl);
  if (!base.pathname.endsWith('/')) base.pathname += '/';
  base.search = '';
  base.hash = '';
  return base;
}

/** `rest/assets/1` under the base, or an absolute URL that must stay on the base's origin. */
export function resolvePath(base: URL, path: string): URL {
  const absolute = /^[a-z][a-z0-9+.-]*:\/\//i.test(path);
  const url = absolute ? new URL(path) : new URL(path.replace(/^\/+/, ''), base);
  // A connector asking for another origin is a connector bug: its Authorization would go there.
  if (url.origin !== base.origin) throw new BugError(`A request left the API's origin (${url.origin})`);
  if (url.search) throw new BugError('A request path carries its own query: pass `query` or `rawQuery` instead');
  return url;
}

/** `a=1&b=x%20y&c=1&c=2`: a list repeats its key, undefined values are left out. */
export function encodeQuery(query: Query | undefined): string {
  const parts: string[] = [];
  for (const [key, value] of Object.entries(query ?? {})) {
    if (value === undefined) continue;
    const values = Array.isArray(value) ? value : [value];
    for (const v of values) parts.push(`${encodeURIComponent(key)}=${encodeURIComponent(String(v))}`);
  }
  return parts.join('&');
}

/** The query text sent: the encoded `query`, then `rawQuery` as it is. */
export function queryText(query: Query | undefined, rawQuery: string | undefined): string {
  return [encodeQuery(query), (rawQuery ?? '').replace(/^\?/, '')].filter(Boolean).join('&');
}
