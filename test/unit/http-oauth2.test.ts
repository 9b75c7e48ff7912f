import { afterEach, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { createRequestBudget } from '../../src/connectors/http/budget.js';
import { createHttpClient } from '../../src/connectors/http/client.js';
import { startLoopbackLogin } from '../../src/connectors/http/oauth2-loopback.js';
import { createTokenManager, type OAuth2Options } from '../../src/connectors/http/oauth2.js';
import { rejection } from '../helpers/http-client.js';
import { sendJson, serverPool, type TestServer } from '../helpers/http-server.js';

/**
 * The OAuth2 token manager against a real token endpoint on 127.0.0.1 (a node:http server playing
 * Asset Bank's Spring `/oauth/token`), with an injected clock for expiry.
 */
const serve = serverPool(afterEach);
const budget = () => createRequestBudget({ requestsPerSecond: 1000, concurrency: 4 });

interface TokenServerState {
  server: TestServer;
  /** the form fields of every token request */
  forms: Record<string, string>[];
  issued: number;
}

/**
 * A token endpoint: answers `answerFor(form, n)` when given, else a fresh `tok-N` (expires in an hour)
 * and, when `rotate`, a fresh refresh token `rt-N` each time.
 */
async function tokenServer(
  answerFor?: (form: Record<string, string>, n: number) => { status: number; body: string; type: string } | null,
  rotate = true,
): Promise<TokenServerState> {
  const state: TokenServerState = { server: undefined as unknown as TestServer, forms: [], issued: 0 };
  state.server = await serve((_req, res, body) => {
    const form = Object.fromEntries(new URLSearchParams(body));
    state.forms.push(form);
    const custom = answerFor?.(form, state.forms.length);
    if (custom) {
      res.writeHead(custom.status, { 'content-type': custom.type });
      return void res.end(custom.body);
    }
    state.issued++;
    sendJson(res, 200, {
      access_token: `tok-${state.issued}`,
      token_type: 'bearer',
      expires_in: 3600,
      ...(rotate || state.issued === 1 ? { refresh_token: `rt-${state.issued}` } : {}),
      scope: 'read write',
    });
  });
  return state;
}

function manager(t: TokenServerState, overrides: Partial<OAuth2Options> = {}) {
  return createTokenManager({
    connector: 'test-dam',
    tokenUrl: `${t.server.url}/assetbank/oauth/token`,
    budget: budget(),
    clientId: 'sitter-client',
    clientSecret: 'client-SECRET-1',
    grant: { type: 'password', username: 'archivist', password: 'pass-SECRET-2' },
    sleep: async () => undefined,
    ...overrides,
  });
}

describe('OAuth2 token manager', () => {
  it('password grant with the client credentials in the form body', async () => {
    const t = await tokenServer();
    const tokens = manager(t, { scope: 'read write' });
    await expect(tokens.authorization()).resolves.toBe('Bearer tok-1');
    await expect(tokens.authorization()).resolves.toBe('Bearer tok-1');
    expect(t.server.seen).toHaveLength(1);
    expect(t.server.seen[0]).toMatchObject({
      method: 'POST',
      url: '/assetbank/oauth/token',
      contentType: 'application/x-www-form-urlencoded',
      authorization: undefined,
    });
    expect(t.forms[0]).toEqual({
      grant_type: 'password',
      username: 'archivist',
      password: 'pass-SECRET-2',
      client_id: 'sitter-client',
      client_secret: 'client-SECRET-1',
      scope: 'read write',
    });
  });

  it('sends the client credentials as HTTP Basic when asked', async () => {
    const t = await tokenServer();
    await manager(t, { clientAuth: 'basic', clientSecret: 'se cret:é' }).authorization();
    const expected = Buffer.from('sitter-client:se+cret%3A%C3%A9').toString('base64');
    expect(t.server.seen[0]?.authorization).toBe(`Basic ${expected}`);
    expect(t.forms[0]).not.toHaveProperty('client_secret');
    expect(t.forms[0]).toMatchObject({ client_id: 'sitter-client' });
  });

  it('refreshes at expires_in − 60 s, with one request however many callers ask', async () => {
    const t = await tokenServer();
    const clock = { t: Date.parse('2026-11-28T22:00:00Z') };
    const tokens = manager(t, { now: () => clock.t });
    await tokens.authorization();
    clock.t += 3539_000;
    await expect(tokens.authorization()).resolves.toBe('Bearer tok-1');
    clock.t += 2_000;
    const many = await Promise.all(Array.from({ length: 10 }, () => tokens.authorization()));
    expect(new Set(many)).toEqual(new Set(['Bearer tok-2']));
    expect(t.forms.map((f) => f.grant_type)).toEqual(['password', 'refresh_token']);
    expect(t.forms[1]).toMatchObject({ refresh_token: 'rt-1', client_id: 'sitter-client' });
  });

  it('a 401 refreshes once, shared by the requests that met it, then CONNECTOR_AUTH', async () => {
    const t = await tokenServer();
    const clock = { t: 0 };
    const tokens = manager(t, { now: () => clock.t });
    let accepted = 'tok-2';
    const api = await serve((req, res) => {
      if (req.headers.authorization === `Bearer ${accepted}`) return sendJson(res, 200, { ok: true });
      res.writeHead(401, { 'content-type': 'application/json' });
      res.end('{"error":"invalid_token"}');
    });
    const client = createHttpClient({
      connector: 'test-dam',
      baseUrl: api.url,
      budget: budget(),
      authorization: tokens.authorization,
      onUnauthorized: tokens.onUnauthorized,
    });
    await tokens.authorization();
    clock.t += 10_000;
    // tok-1 was revoked server-side: three requests meet the 401, one refresh serves them all.
    const answers = await Promise.all([1, 2, 3].map(() => client.json({ path: 'x', schema: z.unknown() })));
    expect(answers.map((a) => a.status)).toEqual([200, 200, 200]);
    expect(t.forms.map((f) => f.grant_type)).toEqual(['password', 'refresh_token']);

    // A user disabled on the server: the refreshed token is refused too, and the request ends.
    accepted = 'none';
    clock.t += 10_000;
    const e = await rejection(client.json({ path: 'y', schema: z.unknown() }));
    expect(e.code).toBe('CONNECTOR_AUTH');
    expect(t.forms).toHaveLength(3);
  });

  it('invalid_grant is CONNECTOR_AUTH; Spring and text/plain bodies are read leniently, credentials hidden', async () => {
    const spring = await tokenServer((form) =>
      form.grant_type === 'refresh_token'
        ? {
            status: 400,
            type: 'application/json;charset=UTF-8',
            body: JSON.stringify({
              error: 'invalid_grant',
              error_description: `Invalid refresh token: ${form.refresh_token}`,
            }),
          }
        : null,
    );
    const refreshOnly = manager(spring, {
      grant: { type: 'refresh-token', refreshToken: 'rt-SECRET-3' },
      authHint: 'Run `sitter connectors login SHOOT`.',
    });
    const e = await rejection(refreshOnly.authorization());
    expect(e.code).toBe('CONNECTOR_AUTH');
    expect(e.message).toContain('refused the refresh-token grant "invalid_grant: Invalid refresh token: ***"');
    expect(e.hint).toBe('Run `sitter connectors login SHOOT`.');
    expect(e.details).toMatchObject({ status: 400, method: 'POST' });

    const plain = await tokenServer(() => ({ status: 401, type: 'text/plain', body: 'Bad credentials' }));
    const p = await rejection(manager(plain).authorization());
    expect(p.code).toBe('CONNECTOR_AUTH');
    expect(p.message).toContain('"Bad credentials"');

    const html = await tokenServer(() => ({ status: 400, type: 'text/html', body: '<html>pass-SECRET-2</html>' }));
    const h = await rejection(manager(html).authorization());
    expect(h.code).toBe('CONNECTOR_AUTH');
    for (const err of [e, p, h]) expect(`${err.message} ${err.hint} ${err.stack}`).not.toMatch(/SECRET/);
  });

  it('retries the token request on 5xx like any other request', async () => {
    const t = await tokenServer((_form, n) => (n === 1 ? { status: 503, type: 'text/plain', body: 'busy' } : null));
    await expect(manager(t).authorization()).resolves.toBe('Bearer tok-1');
    expect(t.forms).toHaveLength(2);
  });

  it('reports a rotated refresh token, and uses it next', async () => {
    const t = await tokenServer();
    const clock = { t: 0 };
    const stored: string[] = [];
    const tokens = manager(t, {
      now: () => clock.t,
      grant: { type: 'refresh-token', refreshToken: 'rt-0' },
      onRefreshToken: (v) => void stored.push(v),
    });
    await tokens.authorization();
    clock.t += 3600_000;
    await tokens.authorization();
    expect(stored).toEqual(['rt-1', 'rt-2']);
    expect(t.forms.map((f) => f.refresh_token)).toEqual(['rt-0', 'rt-1']);
  });

  it('signs in again with the password when the refresh token is dead', async () => {
    const t = await tokenServer((form) =>
      form.grant_type === 'refresh_token'
        ? { status: 400, type: 'application/json', body: '{"error":"invalid_grant"}' }
        : null,
    );
    const clock = { t: 0 };
    const tokens = manager(t, { now: () => clock.t });
    await tokens.authorization();
    clock.t += 3600_000;
    await expect(tokens.authorization()).resolves.toBe('Bearer tok-2');
    expect(t.forms.map((f) => f.grant_type)).toEqual(['password', 'refresh_token', 'password']);
  });

  it('exchanges an authorization code once, with its PKCE verifier, then refreshes', async () => {
    const t = await tokenServer(undefined, false);
    const clock = { t: 0 };
    const tokens = manager(t, {
      now: () => clock.t,
      grant: {
        type: 'authorization-code',
        code: 'code-1',
        redirectUri: 'http://127.0.0.1:5000/callback',
        codeVerifier: 'v',
      },
    });
    await tokens.authorization();
    clock.t += 3600_000;
    await tokens.authorization();
    expect(t.forms[0]).toMatchObject({
      grant_type: 'authorization_code',
      code: 'code-1',
      redirect_uri: 'http://127.0.0.1:5000/callback',
      code_verifier: 'v',
    });
    expect(t.forms[1]).toMatchObject({ grant_type: 'refresh_token', refresh_token: 'rt-1' });
  });

  it('close forgets the token and refuses further calls', async () => {
    const t = await tokenServer();
    const tokens = manager(t);
    await tokens.authorization();
    tokens.close();
    tokens.close();
    await expect(tokens.authorization()).rejects.toMatchObject({ name: 'AbortError' });
    await expect(tokens.onUnauthorized()).resolves.toBe(false);
  });
});

describe('OAuth2 loopback login', () => {
  it('takes the code only with its state, on 127.0.0.1, then stops listening', async () => {
    const login = await startLoopbackLogin({ connector: 'test-dam' });
    expect(login.redirectUri).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/callback$/);
    const authorize = new URL(login.authorizationUrl('https://dam.example/oauth/authorize', 'sitter-client', 'read'));
    expect(Object.fromEntries(authorize.searchParams)).toMatchObject({
      response_type: 'code',
      client_id: 'sitter-client',
      redirect_uri: login.redirectUri,
      state: login.state,
      code_challenge_method: 'S256',
      scope: 'read',
    });
    const forged = await fetch(`${login.redirectUri}?code=evil&state=guessed`);
    expect(forged.status).toBe(400);
    expect((await fetch(`${new URL(login.redirectUri).origin}/other`)).status).toBe(404);
    const good = await fetch(`${login.redirectUri}?code=the-code&state=${login.state}`);
    expect(good.status).toBe(200);
    expect(await good.text()).toContain('signed in');
    await expect(login.code).resolves.toBe('the-code');
    await login.close();
    await expect(fetch(login.redirectUri)).rejects.toThrow();
  });

  it('ends in CONNECTOR_AUTH when the user refuses or never comes back', async () => {
    const refused = await startLoopbackLogin({ connector: 'test-dam' });
    await fetch(`${refused.redirectUri}?error=access_denied&error_description=User+denied&state=${refused.state}`);
    const e = await rejection(refused.code);
    expect(e.code).toBe('CONNECTOR_AUTH');
    expect(e.message).toContain('access_denied: User denied');

    const late = await startLoopbackLogin({ connector: 'test-dam', timeoutMs: 50, redirectHost: 'localhost' });
    expect(late.redirectUri).toMatch(/^http:\/\/localhost:\d+\/callback$/);
    const t = await rejection(late.code);
    expect(t.message).toContain('no answer from the browser');
  });
});
