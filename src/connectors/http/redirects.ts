/**
 * Which redirect a download may follow. A DAM answers `/content` with a 303 to a signed URL on a
 * content host (S3, a CDN); a hostile or misconfigured server could send Sitter, with the archive's
 * photos and the DAM's token, anywhere. So exactly one redirect is followed, only to an absolute
 * https URL (http only between loopback addresses, for tests and local proxies) on the API's own host
 * or a host matching the connector's `contentHosts`, and the request there is bare: no Authorization.
 * Refusals name the host, never the signed query.
 */
import type { SitterError } from '../../core/domain/errors.js';
import { connectorFailure } from '../errors.js';
import { hostOf, redactUrl } from './sanitize.js';

/** The statuses a download follows (301/308 are permanent moves of an API path, a configuration issue). */
export const FOLLOWED_REDIRECTS: ReadonlySet<number> = new Set([302, 303, 307]);

function isLoopback(hostname: string): boolean {
  return hostname === 'localhost' || hostname === '[::1]' || /^127(\.\d{1,3}){3}$/.test(hostname);
}

/** `cdn.example.com` matches only itself; `*.example.com` any subdomain, not `example.com` itself. */
export function hostMatches(hostname: string, pattern: string): boolean {
  const host = hostname.toLowerCase();
  const p = pattern.trim().toLowerCase();
  if (p.startsWith('*.')) return host.endsWith(p.slice(1)) && host.length > p.length - 1;
  return host === p;
}

export interface RedirectRules {
  connector: string;
  /** the API's base URL: its host is always allowed */
  apiBase: URL;
  /** host patterns of content hosts (a pattern with a port matches that port only) */
  contentHosts: readonly string[];
}

function allowedHost(target: URL, rules: RedirectRules): boolean {
  if (target.host === rules.apiBase.host) return true;
  return rules.contentHosts.some((pattern) =>
    pattern.includes(':') ? target.host === pattern.toLowerCase() : hostMatches(target.hostname, pattern),
  );
}

function refused(rules: RedirectRules, from: URL, why: string, hint: string): SitterError {
  return connectorFailure(
    'bad-response',
    `The ${rules.connector} server redirected GET ${redactUrl(from)} ${why}; Sitter does not follow it.`,
    hint,
    { url: redactUrl(from), method: 'GET' },
  );
}

/** The URL a download may follow `location` to, or a CONNECTOR_BAD_RESPONSE saying why not. */
export function checkRedirect(from: URL, location: string | undefined, rules: RedirectRules): URL {
  const serverHint = `Check that the connector's URL is the server's address; a redirect elsewhere is refused to protect the photos and the credentials.`;
  if (!location) return throwing(refused(rules, from, 'without a Location', serverHint));
  // A relative Location is legal HTTP, but the DAMs documented send absolute signed URLs: anything
  // else is a sign of a proxy or a login page in between.
  if (!/^[a-z][a-z0-9+.-]*:/i.test(location))
    return throwing(refused(rules, from, 'to a relative address', serverHint));
  let target: URL;
  try {
    target = new URL(location);
  } catch {
    return throwing(refused(rules, from, 'to an unparsable address', serverHint));
  }
  const loopbackHttp =
    target.protocol === 'http:' &&
    from.protocol === 'http:' &&
    isLoopback(target.hostname) &&
    isLoopback(from.hostname);
  if (from.protocol === 'https:' && target.protocol === 'http:')
    return throwing(refused(rules, from, `from https down to http (${target.host})`, serverHint));
  if (target.protocol !== 'https:' && !loopbackHttp)
    return throwing(refused(rules, from, `to a ${target.protocol.replace(/:$/, '')}: address`, serverHint));
  if (!allowedHost(target, rules)) {
    const listed = rules.contentHosts.length ? rules.contentHosts.join(', ') : 'none';
    return throwing(
      refused(
        rules,
        from,
        `to ${hostOf(target)}, which is neither its own host nor in contentHosts (${listed})`,
        `If ${hostOf(target)} is where this DAM keeps its files, add it to the connector option contentHosts.`,
      ),
    );
  }
  return target;
}

function throwing(e: SitterError): never {
  throw e;
}
