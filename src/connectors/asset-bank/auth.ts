/**
 * Asset Bank sign-in on the HTTP toolkit's OAuth2 token manager (src/connectors/http/oauth2.ts):
 * `{webapp}{tokenPath}` with the password grant, or with the refresh token `sitter connectors login`
 * stored (auth=authorization-code); none for a legacy IP-whitelisted "application user". What is
 * Asset Bank's own: which grant each `auth` means, and that a refresh token it rotates is stored
 * where the shoot's secret lives (`context.updateSecret`), with a warning when it cannot be.
 */
import type { ConnectorContext, RequestBudget } from '../../core/ports/connector.js';
import { connectorFailure } from '../errors.js';
import { createTokenManager, type OAuth2Grant, type TokenManager } from '../http/index.js';
import type { AssetBankSettings } from './options.js';

export const AUTH_HINT =
  'Check the client id and secret and the user name and password (password changed?); for auth=authorization-code run `sitter connectors login SHOOT`.';

export interface AuthOptions {
  settings: AssetBankSettings;
  budget: RequestBudget;
  context?: ConnectorContext;
  now: () => number;
}

function grantOf(s: AssetBankSettings): OAuth2Grant | null {
  if (s.auth === 'password') return { type: 'password', username: s.username!, password: s.password! };
  return s.refreshToken ? { type: 'refresh-token', refreshToken: s.refreshToken } : null;
}

export class AssetBankAuth {
  readonly #manager: TokenManager | null;
  /** what the archivist should know (a rotated token that could not be stored) */
  readonly warnings: string[] = [];

  constructor(private readonly o: AuthOptions) {
    const s = o.settings;
    const grant = grantOf(s);
    this.#manager =
      s.auth === 'none' || !grant
        ? null
        : createTokenManager({
            connector: 'asset-bank',
            tokenUrl: s.webapp + s.tokenPath,
            budget: o.budget,
            clientId: s.clientId!,
            clientSecret: s.clientSecret,
            clientAuth: s.clientAuth,
            grant,
            onRefreshToken: (value) => this.#keep(value),
            authHint: AUTH_HINT,
            now: o.now,
            timeoutMs: s.timeoutMs,
            maxRetries: s.maxRetries,
          });
  }

  get enabled(): boolean {
    return this.o.settings.auth !== 'none';
  }

  /** The `Authorization` value for an API call (null with auth=none). */
  async authorization(): Promise<string | null> {
    if (!this.enabled) return null;
    if (!this.#manager)
      throw connectorFailure(
        'auth',
        'There is no refresh token: auth=authorization-code needs a login first.',
        'Run `sitter connectors login SHOOT` once; Sitter stores the refresh token in the workspace secrets folder.',
      );
    return this.#manager.authorization();
  }

  onUnauthorized(): Promise<boolean> {
    return this.#manager ? this.#manager.onUnauthorized() : Promise.resolve(false);
  }

  /** Token fetch at start-up: a bad password fails here, before the first listing. */
  async start(): Promise<void> {
    await this.authorization();
  }

  close(): void {
    this.#manager?.close();
  }

  /** A password grant's refresh token is only a shortcut for this process; a login's is the credential. */
  async #keep(value: string): Promise<void> {
    if (this.o.settings.auth !== 'authorization-code') return;
    const stored = (await this.o.context?.updateSecret?.('refreshToken', value)) ?? false;
    if (!stored && this.warnings.length === 0)
      this.warnings.push(
        'Asset Bank rotated the refresh token, and it could not be stored (the refreshToken secret comes from the environment): run `sitter connectors login SHOOT` before the old one expires, or keep the secret in the workspace secrets folder.',
      );
  }
}
