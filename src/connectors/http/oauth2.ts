/**
 * A generic OAuth2 token manager (RFC 6749) for REST connectors: password, authorization-code and
 * refresh-token grants against a token URL, as a form body, with the client's credentials in the body
 * or as HTTP Basic. The access token lives only in this object's memory, is refreshed at
 * `expires_in − 60 s` by one request however many callers ask at once, and is refreshed once more
 * when the API answers 401 (`onUnauthorized`, handed to the HTTP client). A server that rotates the
 * refresh token reports the new one through `onRefreshToken`, so the connector can store it (issue
 * 11's 0600 secret file) before the old one stops working.
 *
 * Token endpoints differ in how they fail (Spring's `{error, error_description}`, text/plain, HTML),
 * so their answers are read leniently; their descriptions are quoted with every credential removed
 * (Spring's "Invalid refresh token: <the token>").
 */
import { z } from 'zod';
import type { SitterError } from '../../core/domain/errors.js';
import type { RequestBudget } from '../../core/ports/connector.js';
import { connectorFailure, errorKind } from '../errors.js';
import { createHttpClient } from './client.js';
import { closedError } from './failures.js';
import { bodyExcerpt, redactUrl } from './sanitize.js';

export type OAuth2Grant =
  | { type: 'password'; username: string; password: string }
  | { type: 'authorization-code'; code: string; redirectUri: string; codeVerifier?: string }
  | { type: 'refresh-token'; refreshToken: string };

export interface OAuth2Options {
  /** the connector's name, in every error */
  connector: string;
  /** the token endpoint, absolute (`https://x.assetbank.app/assetbank-x/oauth/token`) */
  tokenUrl: string;
  /** the connector's request budget: token requests count against the server's limit like any other */
  budget: RequestBudget;
  clientId: string;
  clientSecret?: string;
  /** where the client's credentials go: the form body (default) or an HTTP Basic header */
  clientAuth?: 'body' | 'basic';
  /** how the first token is obtained; later ones come from the refresh token when the server gave one */
  grant: OAuth2Grant;
  scope?: string;
  /** a new refresh token from the server (first issued or rotated): store it, the old one may be dead */
  onRefreshToken?: (refreshToken: string) => Promise<void> | void;
  /** the hint of CONNECTOR_AUTH (e.g. "run `sitter connectors login SHOOT`") */
  authHint?: string;
  /** milliseconds since the epoch (tests inject a clock) */
  now?: () => number;
  /** passed to the token endpoint's HTTP client */
  timeoutMs?: number;
  maxRetries?: number;
  sleep?: (ms: number, signal?: AbortSignal) => Promise<void>;
}

export interface TokenManager {
  /** `Bearer …`, fetching or refreshing first when needed: the HTTP client's `authorization` */
  authorization(): Promise<string>;
  /** the API said 401: refresh once (joining a refresh in flight); the HTTP client's `onUnauthorized` */
  onUnauthorized(): Promise<boolean>;
  /** forgets the tokens and aborts a token request in flight; idempotent */
  close(): void;
}

/** Refresh this long before the server's expiry, so no request leaves with a token about to die. */
export const REFRESH_MARGIN_MS = 60_000;
/** A 401 right after a refresh is not a reason to refresh again (the retry carries the new token). */
const FRESH_MS = 5_000;

/** `expires_in` as a number or a numeric string (some servers quote it). */
const tokenAnswer = z.object({
  access_token: z.string().min(1),
  token_type: z.string().optional(),
  expires_in: z.union([z.number(), z.string().regex(/^\d+$/).transform(Number)]).optional(),
  refresh_token: z.string().min(1).optional(),
});
const errorAnswer = z.object({ error: z.string(), error_description: z.string().optional() });

interface Token {
  value: string;
  /** when to refresh (ms since epoch); Infinity when the server named no expiry */
  refreshAt: number;
  obtainedAt: number;
}

function grantForm(grant: OAuth2Grant): Record<string, string> {
  switch (grant.type) {
    case 'password':
      return { grant_type: 'password', username: grant.username, password: grant.password };
    case 'authorization-code':
      return {
        grant_type: 'authorization_code',
        code: grant.code,
        redirect_uri: grant.redirectUri,
        ...(grant.codeVerifier ? { code_verifier: grant.codeVerifier } : {}),
      };
    case 'refresh-token':
      return { grant_type: 'refresh_token', refresh_token: grant.refreshToken };
  }
}

/** RFC 6749 §2.3.1: each part form-encoded, then Base64. */
function basicCredentials(clientId: string, clientSecret: string): string {
  const encode = (s: string) => encodeURIComponent(s).replace(/%20/g, '+');
  return `Basic ${Buffer.from(`${encode(clientId)}:${encode(clientSecret)}`).toString('base64')}`;
}

export function createTokenManager(options: OAuth2Options): TokenManager {
  const now = options.now ?? Date.now;
  const clientAuth = options.clientAuth ?? 'body';
  const tokenUrl = new URL(options.tokenUrl);
  const http = createHttpClient({
    connector: options.connector,
    baseUrl: tokenUrl.origin,
    budget: options.budget,
    timeoutMs: options.timeoutMs,
    maxRetries: options.maxRetries,
    sleep: options.sleep,
    authorization: async () =>
      clientAuth === 'basic' && options.clientSecret ? basicCredentials(options.clientId, options.clientSecret) : null,
  });
  let token: Token | null = null;
  let refreshToken = options.grant.type === 'refresh-token' ? options.grant.refreshToken : null;
  /** an authorization code works once: after its exchange only the refresh token can renew */
  let firstGrant: OAuth2Grant | null = options.grant;
  let inFlight: Promise<Token> | null = null;
  let closed = false;

  /** Every credential this manager knows, hidden from anything the server says back. */
  function secrets(): string[] {
    const g = options.grant;
    const known = [options.clientSecret, refreshToken, token?.value];
    if (g.type === 'password') known.push(g.password);
    if (g.type === 'authorization-code') known.push(g.code, g.codeVerifier);
    if (g.type === 'refresh-token') known.push(g.refreshToken);
    return known.filter((s): s is string => typeof s === 'string' && s.length >= 4);
  }

  function authFailure(what: string, status?: number): SitterError {
    return connectorFailure(
      'auth',
      `The ${options.connector} token endpoint ${what} (POST ${redactUrl(tokenUrl)}).`,
      options.authHint ??
        "Check the connector's client id, secret and user credentials (`sitter connectors check SHOOT`).",
      { ...(status === undefined ? {} : { status }), method: 'POST', url: redactUrl(tokenUrl) },
    );
  }

  /** What the server said, as a short excerpt with every credential replaced by `***`. */
  function said(data: unknown): string {
    const parsed = errorAnswer.safeParse(data);
    let text = parsed.success
      ? `${parsed.data.error}${parsed.data.error_description ? `: ${parsed.data.error_description}` : ''}`
      : typeof data === 'string' && !/<html|<!doctype/i.test(data)
        ? data
        : '';
    for (const secret of secrets()) text = text.split(secret).join('***');
    return text ? ` "${bodyExcerpt(text)}"` : '';
  }

  async function request(grant: OAuth2Grant): Promise<Token> {
    const form: Record<string, string> = { ...grantForm(grant), client_id: options.clientId };
    if (clientAuth === 'body' && options.clientSecret) form.client_secret = options.clientSecret;
    if (options.scope) form.scope = options.scope;
    const asked = now();
    const answer = await http.json({
      path: tokenUrl.href,
      method: 'POST',
      form,
      priority: 'interactive',
      // OAuth2 errors come as 400 (invalid_grant…) or 401 (invalid_client): read, not thrown.
      acceptStatuses: [400, 401, 403],
      schema: z.unknown(),
    });
    if (answer.status !== 200) throw authFailure(`refused the ${grant.type} grant${said(answer.data)}`, answer.status);
    const parsed = tokenAnswer.safeParse(answer.data);
    if (!parsed.success || (parsed.data.token_type && parsed.data.token_type.toLowerCase() !== 'bearer'))
      throw connectorFailure(
        'bad-response',
        `The ${options.connector} token endpoint answered without a bearer access_token (POST ${redactUrl(tokenUrl)}).`,
        "Check the connector's token URL (tokenPath): it must be the server's OAuth2 token endpoint.",
        { status: answer.status, method: 'POST', url: redactUrl(tokenUrl) },
      );
    const { access_token, expires_in, refresh_token } = parsed.data;
    if (refresh_token && refresh_token !== refreshToken) {
      refreshToken = refresh_token;
      await options.onRefreshToken?.(refresh_token);
    }
    // Refresh a minute early; for short-lived tokens, at half their life.
    const lifeMs = expires_in === undefined ? Number.POSITIVE_INFINITY : expires_in * 1000;
    const early = Math.min(REFRESH_MARGIN_MS, lifeMs / 2);
    return { value: access_token, refreshAt: asked + lifeMs - early, obtainedAt: now() };
  }

  /** A fresh token: the refresh token when there is one, else the first grant (a password grant again). */
  async function obtain(): Promise<Token> {
    if (refreshToken) {
      try {
        return await request({ type: 'refresh-token', refreshToken });
      } catch (e) {
        // A dead refresh token with a password at hand: sign in again rather than fail the run.
        if (options.grant.type !== 'password' || errorKind(e) !== 'auth') throw e;
        refreshToken = null;
      }
    }
    const grant = firstGrant;
    if (!grant)
      throw authFailure('cannot be asked again: the authorization code was used and no refresh token was issued');
    if (grant.type === 'authorization-code') firstGrant = null;
    return request(grant);
  }

  /** One token request at a time, shared by every caller that needs it. */
  function renew(): Promise<Token> {
    inFlight ??= obtain()
      .then((t) => {
        if (closed) throw closedError(options.connector);
        token = t;
        return t;
      })
      .finally(() => (inFlight = null));
    return inFlight;
  }

  return {
    async authorization() {
      if (closed) throw closedError(options.connector);
      const current = token && now() < token.refreshAt ? token : await renew();
      return `Bearer ${current.value}`;
    },
    async onUnauthorized() {
      if (closed) return false;
      if (inFlight) await inFlight;
      else if (!token || now() - token.obtainedAt >= FRESH_MS) {
        token = null;
        await renew();
      }
      return true;
    },
    close() {
      if (closed) return;
      closed = true;
      token = null;
      refreshToken = null;
      http.close();
    },
  };
}
