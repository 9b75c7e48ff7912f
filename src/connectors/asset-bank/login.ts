/**
 * `sitter connectors login SHOOT` for auth=authorization-code: the archivist signs in to Asset Bank in
 * a browser, Asset Bank redirects to a one-shot listener on 127.0.0.1 (a loopback IP literal, RFC 8252
 * §7.3; Asset Bank allows http redirect URIs on the local machine), Sitter checks the `state` it sent
 * and trades the code for tokens. Only the refresh token is kept, by the caller, in the workspace
 * secrets folder (0600); nothing here prints or logs a token.
 */
import { randomBytes } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { SitterError } from '../../core/domain/errors.js';
import { connectorFailure } from '../errors.js';
import { createHttpClient, createRequestBudget } from '../http/index.js';
import { AUTH_HINT } from './auth.js';
import type { AssetBankSettings } from './options.js';
import { TokenRepr, UserRepr } from './reprs.js';

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

const PAGE = (text: string) =>
  `<!doctype html><meta charset="utf-8"><title>Sitter</title><p>${text}</p><p>You can close this window.</p>`;

/** Waits for one redirect to `/callback` carrying our `state`; anything else is answered and ignored. */
function awaitCode(server: Server, state: string, timeoutMs: number): Promise<string> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(
      () =>
        reject(
          new SitterError(
            'LOGIN_TIMED_OUT',
            `No sign-in came back within ${Math.round(timeoutMs / 1000)} s.`,
            'Run `sitter connectors login SHOOT` again and finish signing in in the browser.',
          ),
        ),
      timeoutMs,
    );
    server.on('request', (req, res) => {
      const url = new URL(req.url ?? '/', 'http://127.0.0.1');
      if (url.pathname !== '/callback') {
        res.writeHead(404).end();
        return;
      }
      // A request without our state is not the redirect we started (another page, a forged link).
      if (url.searchParams.get('state') !== state) {
        res.writeHead(400, { 'content-type': 'text/html' }).end(PAGE('This sign-in was not started by Sitter.'));
        return;
      }
      const code = url.searchParams.get('code');
      const error = url.searchParams.get('error');
      res
        .writeHead(code ? 200 : 400, { 'content-type': 'text/html' })
        .end(PAGE(code ? 'Signed in to Asset Bank for Sitter.' : 'Asset Bank did not sign you in.'));
      clearTimeout(timer);
      if (code) resolve(code);
      else
        reject(
          connectorFailure(
            'auth',
            `Asset Bank refused the sign-in${error ? ` (${error.replace(/[^a-z_]/gi, '').slice(0, 40)})` : ''}.`,
            AUTH_HINT,
          ),
        );
    });
  });
}

export async function authorizationCodeLogin(o: LoginOptions): Promise<LoginResult> {
  const s = o.settings;
  if (s.auth !== 'authorization-code' || !s.clientId || !s.clientSecret)
    throw new SitterError(
      'LOGIN_NOT_NEEDED',
      `The shoot's Asset Bank connector uses auth=${s.auth}: there is nothing to log in to.`,
      'Set --option auth=authorization-code with clientId and clientSecret (secret:NAME) to sign in through a browser.',
    );
  const server = createServer();
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(o.port ?? 0, '127.0.0.1', resolve);
  });
  try {
    const redirectUri = `http://127.0.0.1:${(server.address() as AddressInfo).port}/callback`;
    const state = randomBytes(16).toString('hex');
    const authorize = new URL(`${s.webapp}/oauth/authorize`);
    authorize.search = new URLSearchParams({
      response_type: 'code',
      client_id: s.clientId,
      redirect_uri: redirectUri,
      state,
    }).toString();
    const waiting = awaitCode(server, state, o.timeoutMs ?? 300_000);
    await o.open(authorize.href);
    const code = await waiting;
    const budget = createRequestBudget({ requestsPerSecond: s.requestsPerSecond, concurrency: 1 });
    const common = { connector: 'asset-bank', baseUrl: s.webapp + '/', budget, timeoutMs: s.timeoutMs };
    const { data } = await createHttpClient(common).json({
      path: s.webapp + s.tokenPath,
      method: 'POST',
      form: {
        grant_type: 'authorization_code',
        code,
        redirect_uri: redirectUri,
        client_id: s.clientId,
        client_secret: s.clientSecret,
      },
      schema: TokenRepr,
      priority: 'interactive',
    });
    if (!data.refresh_token)
      throw connectorFailure(
        'auth',
        'Asset Bank signed you in but gave no refresh token, so Sitter could not stay signed in.',
        'Check that the OAuth2 credentials allow the refresh_token grant (Admin > System > API).',
      );
    const user = await createHttpClient({
      ...common,
      authorization: async () => `Bearer ${data.access_token}`,
    }).json({ path: 'rest/authenticated-user', schema: UserRepr, priority: 'interactive' });
    return { refreshToken: data.refresh_token, identity: user.data.username };
  } finally {
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  }
}
