/**
 * The loopback redirect of the OAuth2 authorization-code grant (RFC 8252 §7.3): `sitter connectors
 * login` opens the DAM's authorize page in the archivist's browser, the DAM sends the browser back to
 * `http://127.0.0.1:<random port>/callback?code=…&state=…`, and this server takes the code. It listens
 * on the loopback interface only, accepts the code only with the `state` it issued (a page elsewhere
 * cannot slip its own code in), offers PKCE (S256), answers the browser with a plain page, and stops
 * after the first valid answer or the timeout.
 */
import { createHash, randomBytes } from 'node:crypto';
import { createServer, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { connectorFailure } from '../errors.js';
import { bodyExcerpt } from './sanitize.js';

export interface LoopbackLoginOptions {
  /** the connector's name, in errors */
  connector: string;
  /** the callback path, default `/callback` */
  path?: string;
  /** 0 (default) = a random free port; a fixed one for servers that register an exact redirect URI */
  port?: number;
  /** the host name in the redirect URI: `127.0.0.1` (default) or `localhost`; the server binds 127.0.0.1 either way */
  redirectHost?: '127.0.0.1' | 'localhost';
  /** how long to wait for the browser, default 5 minutes */
  timeoutMs?: number;
  signal?: AbortSignal;
}

export interface LoopbackLogin {
  /** `http://127.0.0.1:PORT/callback`: the `redirect_uri` of the authorize request and of the code exchange */
  redirectUri: string;
  /** the random `state` the callback must carry */
  state: string;
  /** the PKCE verifier to send with the code exchange (`code_verifier`) */
  codeVerifier: string;
  /** the authorize page's URL: `authorizeUrl` with response_type, client_id, redirect_uri, state and PKCE */
  authorizationUrl(authorizeUrl: string, clientId: string, scope?: string): string;
  /** the code, once the browser comes back with it; CONNECTOR_AUTH on a refusal, the timeout or an abort */
  code: Promise<string>;
  /** stops listening; idempotent */
  close(): Promise<void>;
}

const PAGE = (text: string) =>
  `<!doctype html><meta charset="utf-8"><title>Sitter</title><p style="font:16px sans-serif">${text}</p>`;

function answer(res: ServerResponse, status: number, text: string): void {
  res.writeHead(status, { 'content-type': 'text/html; charset=utf-8', 'cache-control': 'no-store' });
  res.end(PAGE(text));
}

export async function startLoopbackLogin(options: LoopbackLoginOptions): Promise<LoopbackLogin> {
  const path = options.path ?? '/callback';
  const state = randomBytes(24).toString('base64url');
  const codeVerifier = randomBytes(32).toString('base64url');
  const codeChallenge = createHash('sha256').update(codeVerifier).digest('base64url');
  const refused = (what: string) =>
    connectorFailure(
      'auth',
      `The ${options.connector} sign-in ${what}.`,
      'Run the login again and approve Sitter in the browser window it opens.',
    );

  let settle!: { resolve: (code: string) => void; reject: (e: Error) => void };
  const code = new Promise<string>((resolve, reject) => (settle = { resolve, reject }));
  code.catch(() => undefined); // the caller may close without awaiting it

  const server = createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    if (req.method !== 'GET' || url.pathname !== path) return answer(res, 404, 'Not found.');
    // Without the state Sitter issued, this is not the answer to Sitter's request: ignore it, keep waiting.
    if (url.searchParams.get('state') !== state)
      return answer(res, 400, 'This sign-in answer does not match the one Sitter is waiting for.');
    const error = url.searchParams.get('error');
    const received = url.searchParams.get('code');
    if (error || !received) {
      answer(res, 200, 'Sitter was not signed in. You can close this tab.');
      const description = url.searchParams.get('error_description');
      const why = error ? (description ? `${error}: ${description}` : error) : 'no code';
      return finish(refused(`was refused ("${bodyExcerpt(why)}")`));
    }
    answer(res, 200, 'Sitter is signed in. You can close this tab and go back to the terminal.');
    finish(null, received);
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, '127.0.0.1', resolve);
  });
  const { port } = server.address() as AddressInfo;
  const redirectUri = `http://${options.redirectHost ?? '127.0.0.1'}:${port}${path}`;

  const timer = setTimeout(
    () =>
      finish(refused(`got no answer from the browser within ${Math.round((options.timeoutMs ?? 300_000) / 1000)} s`)),
    options.timeoutMs ?? 300_000,
  );
  const onAbort = () => finish((options.signal?.reason as Error) ?? refused('was cancelled'));
  options.signal?.addEventListener('abort', onAbort, { once: true });
  if (options.signal?.aborted) onAbort();

  let closing: Promise<void> | null = null;
  function close(): Promise<void> {
    closing ??= new Promise<void>((resolve) => {
      clearTimeout(timer);
      options.signal?.removeEventListener('abort', onAbort);
      server.close(() => resolve());
      server.closeAllConnections();
    });
    return closing;
  }
  function finish(error: Error | null, received?: string): void {
    if (error) settle.reject(error);
    else settle.resolve(received ?? '');
    void close();
  }

  return {
    redirectUri,
    state,
    codeVerifier,
    code,
    close,
    authorizationUrl(authorizeUrl, clientId, scope) {
      const url = new URL(authorizeUrl);
      url.searchParams.set('response_type', 'code');
      url.searchParams.set('client_id', clientId);
      url.searchParams.set('redirect_uri', redirectUri);
      url.searchParams.set('state', state);
      url.searchParams.set('code_challenge', codeChallenge);
      url.searchParams.set('code_challenge_method', 'S256');
      if (scope) url.searchParams.set('scope', scope);
      return url.href;
    },
  };
}
