/**
 * `sitter connectors login SHOOT` for auth=authorization-code: the archivist signs in to Asset Bank in
 * a browser; the toolkit's loopback listener (127.0.0.1, `state` checked, PKCE) takes the code, the
 * token manager trades it for tokens, and the refresh token is handed back for the caller to store in
 * the workspace secrets folder (0600). Nothing here prints or logs a token.
 */
import { SitterError } from '../../core/domain/errors.js';
import { connectorFailure } from '../errors.js';
import { createHttpClient, createRequestBudget, createTokenManager, startLoopbackLogin } from '../http/index.js';
import { AUTH_HINT } from './auth.js';
import type { AssetBankSettings } from './options.js';
import { UserRepr } from './reprs.js';

export interface LoginOptions {
  settings: AssetBankSettings;
  /** shows the sign-in address to the archivist (the CLI prints it) */
  open: (url: string) => void | Promise<void>;
  /** the port registered with the OAuth2 credentials' redirect URI; 0 = any free port */
  port?: number;
  /** how long to wait for the browser, default 5 minutes */
  timeoutMs?: number;
}

export interface LoginResult {
  refreshToken: string;
  /** who signed in (the Asset Bank user name) */
  identity: string;
}

export async function authorizationCodeLogin(o: LoginOptions): Promise<LoginResult> {
  const s = o.settings;
  if (s.auth !== 'authorization-code' || !s.clientId || !s.clientSecret)
    throw new SitterError(
      'LOGIN_NOT_NEEDED',
      `The shoot's Asset Bank connector uses auth=${s.auth}: there is nothing to log in to.`,
      'Set --option auth=authorization-code with clientId and clientSecret (secret:NAME) to sign in through a browser.',
    );
  const loopback = await startLoopbackLogin({ connector: 'asset-bank', port: o.port, timeoutMs: o.timeoutMs });
  const budget = createRequestBudget({ requestsPerSecond: s.requestsPerSecond, concurrency: 1 });
  try {
    await o.open(loopback.authorizationUrl(`${s.webapp}/oauth/authorize`, s.clientId));
    const code = await loopback.code;
    let refreshToken: string | null = null;
    const tokens = createTokenManager({
      connector: 'asset-bank',
      tokenUrl: s.webapp + s.tokenPath,
      budget,
      clientId: s.clientId,
      clientSecret: s.clientSecret,
      clientAuth: s.clientAuth,
      grant: {
        type: 'authorization-code',
        code,
        redirectUri: loopback.redirectUri,
        codeVerifier: loopback.codeVerifier,
      },
      onRefreshToken: (value) => void (refreshToken = value),
      authHint: AUTH_HINT,
      timeoutMs: s.timeoutMs,
    });
    try {
      const api = createHttpClient({
        connector: 'asset-bank',
        baseUrl: s.webapp + '/',
        budget,
        timeoutMs: s.timeoutMs,
        authorization: () => tokens.authorization(),
      });
      // Who signed in: proves the token works, and tells the archivist which account Sitter acts as.
      const user = await api.json({ path: 'rest/authenticated-user', schema: UserRepr, priority: 'interactive' });
      if (refreshToken === null)
        throw connectorFailure(
          'auth',
          'Asset Bank signed you in but gave no refresh token, so Sitter could not stay signed in.',
          'Check that the OAuth2 credentials allow the refresh_token grant (Admin > System > API).',
        );
      return { refreshToken, identity: user.data.username };
    } finally {
      tokens.close();
    }
  } finally {
    await loopback.close();
  }
}
