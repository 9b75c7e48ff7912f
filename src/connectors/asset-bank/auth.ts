/**
 * OAuth2 against Asset Bank's `{webapp}/oauth/token` (password and authorization-code grants, refresh).
 * The access token lives in memory only; it is refreshed 60 s before it expires (single-flight: many
 * requests waiting on one refresh make one token call) and once more on a 401. A rotated refresh token
 * is stored where the shoot's secret lives (`context.updateSecret`), never printed or logged.
 */
import { SitterError } from '../../core/domain/errors.js';
import type { ConnectorContext } from '../../core/ports/connector.js';
import { connectorFailure, errorKind } from '../errors.js';
import type { HttpClient } from '../http/types.js';
import type { AssetBankSettings } from './options.js';
import { TokenRepr } from './reprs.js';

const EARLY_REFRESH_MS = 60_000;
/** a token without `expires_in` is refreshed after this long (Spring's default lifetime is 12 h) */
const DEFAULT_LIFETIME_S = 3600;

export const AUTH_HINT =
  'Check the client id and secret and the user name and password (password changed?); for auth=authorization-code run `sitter connectors login SHOOT`.';

interface Token {
  access: string;
  refreshAt: number;
}

export interface AuthOptions {
  settings: AssetBankSettings;
  /** a client without Authorization, on the same budget, for the token endpoint */
  tokenClient: HttpClient;
  context?: ConnectorContext;
  now: () => number;
}

export class AssetBankAuth {
  #token: Token | null = null;
  #refreshToken: string | undefined;
  #inflight: Promise<Token> | null = null;
  /** what the archivist should know (a rotated token that could not be stored) */
  readonly warnings: string[] = [];

  constructor(private readonly o: AuthOptions) {
    this.#refreshToken = o.settings.refreshToken;
  }

  get enabled(): boolean {
    return this.o.settings.auth !== 'none';
  }

  /** The `Authorization` value for an API call, refreshing first when the token is about to expire. */
  async authorization(signal?: AbortSignal): Promise<string | null> {
    if (!this.enabled) return null;
    const t = this.#token && this.#token.refreshAt > this.o.now() ? this.#token : await this.#renew(signal);
    return `Bearer ${t.access}`;
  }

  /** A 401: one fresh token, then the request is tried once more. */
  async onUnauthorized(): Promise<boolean> {
    if (!this.enabled) return false;
    this.#token = null;
    await this.#renew();
    return true;
  }

  /** Token fetch at start-up (a bad password fails here, before the first listing). */
  async start(signal?: AbortSignal): Promise<void> {
    if (this.enabled) await this.authorization(signal);
  }

  #renew(signal?: AbortSignal): Promise<Token> {
    this.#inflight ??= this.#fetchToken(signal).finally(() => (this.#inflight = null));
    return this.#inflight;
  }

  async #fetchToken(signal?: AbortSignal): Promise<Token> {
    const s = this.o.settings;
    if (this.#refreshToken) {
      try {
        return await this.#grant({ grant_type: 'refresh_token', refresh_token: this.#refreshToken }, signal);
      } catch (e) {
        // A refresh token may be revoked while the password still works: fall back to it.
        if (s.auth !== 'password' || errorKind(e) !== 'auth') throw e;
        this.#refreshToken = undefined;
      }
    }
    if (s.auth === 'password')
      return this.#grant({ grant_type: 'password', username: s.username!, password: s.password! }, signal);
    throw connectorFailure(
      'auth',
      'There is no refresh token: auth=authorization-code needs a login first.',
      'Run `sitter connectors login SHOOT` once; Sitter stores the refresh token in the workspace secrets folder.',
    );
  }

  async #grant(form: Record<string, string>, signal?: AbortSignal): Promise<Token> {
    const s = this.o.settings;
    const body = s.clientAuth === 'body' ? { ...form, client_id: s.clientId!, client_secret: s.clientSecret! } : form;
    let data: TokenRepr;
    try {
      ({ data } = await this.o.tokenClient.json({
        path: s.webapp + s.tokenPath,
        method: 'POST',
        form: body,
        schema: TokenRepr,
        priority: 'interactive',
        signal,
      }));
    } catch (e) {
      throw asAuthFailure(e);
    }
    if (data.refresh_token && data.refresh_token !== this.#refreshToken)
      await this.#keepRefreshToken(data.refresh_token);
    const lifetimeMs = (data.expires_in ?? DEFAULT_LIFETIME_S) * 1000;
    const token = {
      access: data.access_token,
      refreshAt: this.o.now() + Math.max(lifetimeMs - EARLY_REFRESH_MS, lifetimeMs / 2),
    };
    this.#token = token;
    return token;
  }

  async #keepRefreshToken(value: string): Promise<void> {
    const rotated = this.#refreshToken !== undefined || this.o.settings.auth === 'authorization-code';
    this.#refreshToken = value;
    if (!rotated) return; // a password grant's refresh token is only a shortcut for this process
    const stored = (await this.o.context?.updateSecret?.('refreshToken', value)) ?? false;
    if (!stored && this.warnings.length === 0)
      this.warnings.push(
        'Asset Bank rotated the refresh token, and the refreshToken secret comes from the environment, so the new one was not stored: run `sitter connectors login SHOOT` before the old one expires, or keep the secret in the workspace secrets folder.',
      );
  }
}

/**
 * The token endpoint's refusals (`400 {error:"invalid_grant"}`, Spring's shape ⚠, or text/plain) are
 * credentials problems, not a bad request: CONNECTOR_AUTH, without the body (it may echo a value).
 */
function asAuthFailure(e: unknown): unknown {
  if (!(e instanceof SitterError) || e.code !== 'CONNECTOR_REQUEST_REFUSED') return e;
  const status = (e.details as { status?: number } | undefined)?.status;
  if (status !== 400 && status !== 401) return e;
  return connectorFailure('auth', 'The token endpoint refused the credentials (invalid grant or client).', AUTH_HINT, {
    status,
  });
}
