/**
 * Asset Bank sign-in against the fake Asset Bank: the password grant, refresh before expiry and once
 * on a 401, the browser login (authorization code through a real loopback listener) that stores the
 * refresh token in a 0600 secret file, a rotated refresh token stored the same way, and no token ever
 * sent to the content host.
 */
import { mkdtemp, readFile, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { loginShoot } from '../../src/connectors/login.js';
import { builtinRegistry } from '../../src/connectors/registry.js';
import { secretUpdater, workspaceSecrets } from '../../src/connectors/secrets.js';
import { wrapConnector } from '../../src/connectors/wrap-connector.js';
import { createRequestBudget } from '../../src/connectors/http/index.js';
import type { Connector, ConnectorContext } from '../../src/core/ports/connector.js';
import { FAKE_AB, type FakeAssetBank } from '../fakes/asset-bank/index.js';
import { assetBankConnector, assetBankOptions, fakeWithShoot } from '../helpers/asset-bank.js';

const SOURCE = `folder:${FAKE_AB.folders.shoot}`;
let fake: FakeAssetBank | undefined;
let connectors: Connector[] = [];
let dirs: string[] = [];

afterEach(async () => {
  for (const c of connectors) await c.close?.();
  await fake?.close();
  for (const d of dirs) await rm(d, { recursive: true, force: true });
  connectors = [];
  dirs = [];
  fake = undefined;
});

function use(c: Connector): Connector {
  const wrapped = wrapConnector(c);
  connectors.push(wrapped);
  return wrapped;
}

const tokenCalls = (f: FakeAssetBank) => f.requests.filter((r) => r.path.endsWith('/oauth/token')).length;
const unauthorized = (f: FakeAssetBank) => f.requests.filter((r) => r.status === 401).length;

function contextWith(clock: { t: number }, extra: Partial<ConnectorContext> = {}): ConnectorContext {
  return { budget: (_key, s) => createRequestBudget(s), now: () => new Date(clock.t), ...extra };
}

/** Follows the sign-in address as a browser would: Asset Bank's 302, then the loopback redirect. */
async function browser(url: string): Promise<void> {
  const answer = await fetch(url, { redirect: 'manual' });
  const location = answer.headers.get('location');
  expect(location).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/callback\?/);
  expect((await fetch(location!)).status).toBe(200);
}

describe('asset-bank auth', () => {
  it('password grant', async () => {
    ({ fake } = await fakeWithShoot(3, { clientAuth: 'body' }));
    const c = use(assetBankConnector(fake));
    expect((await c.list(SOURCE)).assets).toHaveLength(3);
    expect(tokenCalls(fake)).toBe(1);
    const api = fake.requests.filter((r) => r.path.includes('/rest/'));
    expect(api.length).toBeGreaterThan(0);
    expect(api.every((r) => r.hasAuthorization)).toBe(true);
    await fake.close();

    // ⚠ client credentials as HTTP Basic, for servers that want them there.
    ({ fake } = await fakeWithShoot(3, { clientAuth: 'basic' }));
    const basic = use(assetBankConnector(fake, { clientAuth: 'basic' }));
    expect((await basic.list(SOURCE)).assets).toHaveLength(3);
    // A wrong password is CONNECTOR_AUTH at the first call, naming the connector, never the password.
    const wrong = use(assetBankConnector(fake, { clientAuth: 'basic', password: 'not-the-password' }));
    await expect(wrong.list(SOURCE)).rejects.toMatchObject({
      code: 'CONNECTOR_AUTH',
      message: expect.stringMatching(/asset-bank/),
    });
    await wrong.list(SOURCE).catch((e: Error) => expect(JSON.stringify(e)).not.toContain('not-the-password'));
  });

  it('refreshes before expiry', async () => {
    const clock = { t: Date.now() };
    ({ fake } = await fakeWithShoot(3, { tokenTtlSeconds: 120, now: () => clock.t }));
    const c = use(assetBankConnector(fake, {}, contextWith(clock)));
    await c.list(SOURCE);
    expect(tokenCalls(fake)).toBe(1);
    clock.t += 50_000; // still well inside the token's life: no new token
    await c.list(SOURCE);
    expect(tokenCalls(fake)).toBe(1);
    clock.t += 15_000; // 65 s: within the last minute of 120 s, so refreshed before it runs out
    await c.list(SOURCE);
    expect(tokenCalls(fake)).toBe(2);
    expect(unauthorized(fake)).toBe(0);
  });

  it('refreshes once on 401 then CONNECTOR_AUTH', async () => {
    const clock = { t: Date.now() };
    ({ fake } = await fakeWithShoot(3, { now: () => clock.t }));
    const c = use(assetBankConnector(fake, {}, contextWith(clock)));
    await c.list(SOURCE);
    // Some minutes later the server forgets the token early (a restart, a revocation). (A 401 within
    // seconds of a fresh token is not answered with yet another token: the toolkit's rule.)
    clock.t += 120_000;
    fake.expireTokens();
    expect((await c.list(SOURCE)).assets).toHaveLength(3);
    expect(unauthorized(fake)).toBe(1);
    expect(tokenCalls(fake)).toBe(2);
    // The password changed and every token is gone: one refresh attempt, then a clear refusal.
    fake.state.users.get(FAKE_AB.users.archivist.id)!.password = 'changed-by-the-admin';
    clock.t += 120_000;
    fake.expireTokens();
    fake.revokeRefreshTokens();
    const before = unauthorized(fake);
    await expect(c.list(SOURCE)).rejects.toMatchObject({
      code: 'CONNECTOR_AUTH',
      message: expect.stringMatching(/asset-bank/),
      hint: expect.stringContaining('sitter connectors login'),
    });
    expect(unauthorized(fake) - before).toBe(1);
  });

  it('login stores a rotated refresh token in a 0600 file', async () => {
    ({ fake } = await fakeWithShoot(3, { rotateRefreshTokens: true }));
    const dir = await mkdtemp(path.join(tmpdir(), 'sitter-ab-login-'));
    dirs.push(dir);
    const stored = {
      ...assetBankOptions(fake),
      auth: 'authorization-code',
      clientSecret: 'secret:ab-client',
      refreshToken: 'secret:ab-refresh',
      username: undefined,
      password: undefined,
    };
    delete stored.username;
    delete stored.password;
    const env = { SITTER_SECRET_AB_CLIENT: FAKE_AB.clientSecret };
    const shoot = { id: 'S42', connector: 'asset-bank', connectorOptions: stored };
    const report = await loginShoot(builtinRegistry(), shoot, workspaceSecrets(dir, env), dir, { open: browser }, env);
    expect(report).toMatchObject({ identity: FAKE_AB.users.archivist.username, secret: 'ab-refresh' });
    expect(JSON.stringify(report)).not.toMatch(/rt-|refresh_token/);
    const file = path.join(dir, 'secrets', 'ab-refresh');
    expect((await stat(file)).mode & 0o777).toBe(0o600);
    expect((await stat(path.dirname(file))).mode & 0o777).toBe(0o700);
    const first = await readFile(file, 'utf8');
    expect(first.length).toBeGreaterThan(10);

    // The connector signs in with it; the server rotates it, and the new one replaces it in the file.
    const resolved = { ...stored, clientSecret: FAKE_AB.clientSecret, refreshToken: first };
    const clock = { t: Date.now() };
    const c = use(
      assetBankConnector(fake, resolved, contextWith(clock, { updateSecret: secretUpdater(dir, stored, {}) })),
    );
    expect((await c.list(SOURCE)).assets).toHaveLength(3);
    const second = await readFile(file, 'utf8');
    expect(second).not.toBe(first);
    expect((await stat(file)).mode & 0o777).toBe(0o600);
    // The old one is revoked: only what the file holds now signs in.
    const stale = use(assetBankConnector(fake, { ...resolved, refreshToken: first }));
    await expect(stale.list(SOURCE)).rejects.toMatchObject({ code: 'CONNECTOR_AUTH' });
    const fresh = use(assetBankConnector(fake, { ...resolved, refreshToken: await readFile(file, 'utf8') }));
    expect((await fresh.list(SOURCE)).assets).toHaveLength(3);
  });

  it('never sends Bearer to the content host', async () => {
    let ids: number[];
    ({ fake, ids } = await fakeWithShoot(3));
    const c = use(assetBankConnector(fake));
    const raw = assetBankConnector(fake);
    connectors.push(raw);
    await c.fetch(SOURCE, String(ids[0]));
    await raw.fetch(SOURCE, String(ids[1]), { rendition: { maxDimension: 32 } });
    expect(fake.contentRequests.length).toBeGreaterThanOrEqual(2);
    expect(fake.contentRequests.every((r) => !r.hasAuthorization)).toBe(true);
    expect(fake.stats().authorizationLeaks).toBe(0);
    expect(fake.contentHost.violations).toEqual([]);
  });
});
