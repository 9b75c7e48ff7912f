/**
 * The fake Asset Bank behaves as ../shared/docs/dam-apis.md §1 documents, so the connector tests that
 * run against it prove something about the real server: bare arrays capped at 100, text/plain errors,
 * 303s to a second host that needs no token, its own rate limit.
 */
import { createHash } from 'node:crypto';
import sharp from 'sharp';
import { afterEach, describe, expect, it } from 'vitest';
import { FAKE_AB, photo, startFakeAssetBank, type FakeAssetBank } from '../fakes/asset-bank/index.js';

let bank: FakeAssetBank | null = null;
afterEach(async () => {
  await bank?.close();
  bank = null;
});

async function passwordToken(b: FakeAssetBank, user: { username: string; password: string } = FAKE_AB.users.archivist) {
  const res = await fetch(`${b.url}/oauth/token`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({
      grant_type: 'password',
      username: user.username,
      password: user.password,
      client_id: FAKE_AB.clientId,
      client_secret: FAKE_AB.clientSecret,
    }),
  });
  expect(res.status).toBe(200);
  return (await res.json()) as { access_token: string; refresh_token: string; expires_in: number; token_type: string };
}

function api(b: FakeAssetBank, token: string) {
  return (path: string, init: RequestInit = {}) =>
    fetch(`${b.restUrl}/${path}`, {
      redirect: 'manual',
      ...init,
      headers: { authorization: `Bearer ${token}`, ...(init.headers as Record<string, string> | undefined) },
    });
}

interface Lightweight {
  id: number;
  originalFilename: string;
  dateLastModifiedTimestamp: number;
  accessLevelIds: string;
  displayAttributes: { label: string; value: string }[];
}
interface AssetRepr {
  id: number;
  attributes: { id: number; name: string; label: string; value: string }[];
}
const valueIn = (a: AssetRepr, id: number) => a.attributes.find((x) => x.id === id)?.value;
const A = FAKE_AB.attributes;
const F = FAKE_AB.folders;

describe('fake Asset Bank', () => {
  it('answers bare arrays, capped pages and text/plain errors as documented', async () => {
    bank = await startFakeAssetBank({ limitPerSecond: null });
    const inShoot = await bank.seedShoot({ count: 105 });
    const inDay2 = await bank.seedShoot({ count: 2, folderId: F.shootDay2 });
    await bank.seedShoot({ count: 1, folderId: F.otherShoot, shootId: 'SHOOT-43' });

    const tokens = await passwordToken(bank);
    expect(tokens).toMatchObject({ token_type: 'bearer', expires_in: 3600 });
    expect(tokens.refresh_token).toMatch(/^[0-9a-f]{32}$/);
    const get = api(bank, tokens.access_token);

    const root = (await (await get('')).json()) as { api_version_1_3: Record<string, string> };
    expect(root.api_version_1_3.assetSearchUrl).toBe(`${bank.restUrl}/asset-search`);
    expect(await (await get('authenticated-user')).json()).toEqual({
      id: 1,
      username: 'archivist',
      forename: 'Ada',
      surname: 'Archivist',
      emailAddress: 'archivist@example.org',
      groupIds: [1],
      isAdmin: false,
    });
    expect(await (await get(`attributes/${A.consentRefs}`)).json()).toMatchObject({
      id: A.consentRefs,
      label: 'Consent refs',
      typeId: 2,
    });

    // A search with no parameters: 500, text/plain.
    const none = await get('asset-search');
    expect(none.status).toBe(500);
    expect(none.headers.get('content-type')).toMatch(/^text\/plain/);

    // Bare arrays, pageSize capped at 100, pages from 0; a short page is the last.
    const folder = `permissionCategoryForm.categoryIds=${F.shoot}`;
    const page0 = (await (await get(`asset-search?${folder}&pageSize=500&page=0`)).json()) as Lightweight[];
    const page1 = (await (await get(`asset-search?${folder}&pageSize=500&page=1`)).json()) as Lightweight[];
    expect(Array.isArray(page0)).toBe(true);
    expect([page0.length, page1.length]).toEqual([100, 5]);
    const listed = [...page0, ...page1];
    expect(new Set(listed.map((a) => a.id))).toEqual(new Set(inShoot));
    expect(Object.keys(listed[0]!).sort()).toEqual(
      [
        'accessLevelIds',
        'approved',
        'attributes',
        'dateLastModifiedTimestamp',
        'displayAttributes',
        'fullAssetUrl',
        'id',
        'originalFilename',
        'previewUrl',
        'thumbnailUrl',
        'typeId',
        'typeName',
        'unwatermarkedLargeImageUrl',
      ].sort(),
    );
    expect(listed[0]).toMatchObject({
      accessLevelIds: String(F.shoot),
      originalFilename: expect.stringMatching(/\.jpg$/),
    });
    expect(listed[0]!.displayAttributes).toContainEqual({ label: 'Date Taken', value: '01/06/2026 10:00:00' });
    // Sorted by date modified (most recent first), which is not id order.
    const stamps = listed.map((a) => a.dateLastModifiedTimestamp);
    expect(stamps).toEqual([...stamps].sort((x, y) => y - x));
    const ids = listed.map((a) => a.id);
    expect(ids).not.toEqual([...ids].sort((x, y) => x - y));
    expect(ids).not.toEqual([...ids].sort((x, y) => y - x));

    // Implicit members of sub-folders; several folders repeated or comma-separated.
    const count = async (query: string) => {
      let n = 0;
      for (let page = 0; ; page++) {
        const items = (await (await get(`asset-search?${query}&page=${page}`)).json()) as Lightweight[];
        n += items.length;
        if (items.length < 100) return n;
      }
    };
    expect(await count(`${folder}&includeImplicitCategoryMembers=true`)).toBe(107);
    expect(await count(`permissionCategoryForm.categoryIds=${F.shootDay2}`)).toBe(2);
    expect(await count(`permissionCategoryForm.categoryIds=${F.shootDay2},${F.otherShoot}`)).toBe(3);
    expect(
      await count(
        `permissionCategoryForm.categoryIds=${F.shootDay2}&permissionCategoryForm.categoryIds=${F.otherShoot}`,
      ),
    ).toBe(3);
    expect(await count(`attribute_${A.shootId}=SHOOT-43`)).toBe(1);
    expect(await count(`attribute_${A.shootId}=SHOOT-42`)).toBe(107);

    // assetIds: one id or a range, never a list.
    const lo = Math.min(...inShoot);
    expect(await count(`${folder}&assetIds=${lo}-${lo + 9}`)).toBe(10);
    expect(await count(`assetIds=${inDay2[0]}`)).toBe(1);
    const list = await get(`asset-search?assetIds=${lo},${lo + 1}`);
    expect(list.status).toBe(400);
    expect(list.headers.get('content-type')).toMatch(/^text\/plain/);

    // PUT: read-only attributes ignored, the timestamp moves, the answer is the stored representation.
    const id = inShoot[0]!;
    const before = (await (await get(`assets/${id}`)).json()) as AssetRepr;
    const stampBefore = bank.asset(id)!.modified;
    const edited = before.attributes.map((a) =>
      a.id === A.consentRefs ? { ...a, value: '#sitter v1' } : a.id === A.lockedCaption ? { ...a, value: 'mine' } : a,
    );
    const put = await get(`assets/${id}`, {
      method: 'PUT',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ ...before, attributes: edited }),
    });
    expect(put.status).toBe(200);
    const after = (await put.json()) as AssetRepr;
    expect(valueIn(after, A.consentRefs)).toBe('#sitter v1');
    expect(valueIn(after, A.lockedCaption)).toBe('');
    expect(bank.asset(id)!.modified).toBeGreaterThan(stampBefore);
    expect(bank.writes()).toEqual([
      expect.objectContaining({
        assetId: id,
        by: 'archivist',
        kind: 'put',
        changes: { [A.consentRefs]: { from: '', to: '#sitter v1' } },
      }),
    ]);

    // changed-only: a PUT with just one attribute keeps the others.
    await get(`assets/${id}`, {
      method: 'PUT',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ attributes: [{ id: A.participants, value: 'Ada Test' }] }),
    });
    expect([bank.valueOf(id, A.participants), bank.valueOf(id, A.consentRefs)]).toEqual(['Ada Test', '#sitter v1']);

    // A value not in a list attribute, a blank list value: 400 text/plain.
    const badList = await get(`assets/${id}`, {
      method: 'PUT',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ attributes: [{ id: A.usageClearance, value: 'Maybe' }] }),
    });
    expect(badList.status).toBe(400);
    expect(badList.headers.get('content-type')).toMatch(/^text\/plain/);
    const blank = await get(`attributes/${A.usageClearance}/list-attribute-values`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ value: ' ', additionalValue: '' }),
    });
    expect([blank.status, await blank.text()]).toEqual([400, 'The list value cannot be blank.']);

    // An edit-with-approval user's PUT answers the old values and waits for approval.
    const editor = api(bank, (await passwordToken(bank, FAKE_AB.users.approvalEditor)).access_token);
    const queued = (await (
      await editor(`assets/${id}`, {
        method: 'PUT',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ attributes: [{ id: A.participants, value: 'Ben Test' }] }),
      })
    ).json()) as AssetRepr;
    expect(valueIn(queued, A.participants)).toBe('Ada Test');
    bank.approvePending(id);
    expect(bank.valueOf(id, A.participants)).toBe('Ben Test');

    // Without a valid token: 401; an asset outside the user's folders: 403; a missing one: 404 text/plain.
    expect((await api(bank, 'nope')('authenticated-user')).status).toBe(401);
    const outsider = api(bank, (await passwordToken(bank, FAKE_AB.users.outsider)).access_token);
    expect((await outsider(`assets/${id}`)).status).toBe(403);
    const missing = await get('assets/999999');
    expect([missing.status, missing.headers.get('content-type')]).toEqual([404, 'text/plain;charset=UTF-8']);
    expect(bank.requests.every((r) => !JSON.stringify(r).includes(tokens.access_token))).toBe(true);
  });

  it('redirects content to the second host', async () => {
    let clock = Date.now();
    bank = await startFakeAssetBank({ limitPerSecond: null, now: () => clock });
    const original = await photo(7, 640, 480);
    const id = bank.addAsset({ originalFilename: 'big.jpg', bytes: original, accessLevelIds: [F.shoot] });
    const get = api(bank, bank.tokenFor());

    const content = await get(`assets/${id}/content`);
    expect(content.status).toBe(303);
    const location = new URL(content.headers.get('location')!);
    expect(location.host).toBe(bank.contentHost.host);
    expect(location.host).not.toBe(bank.host);
    const bytes = new Uint8Array(await (await fetch(location)).arrayBuffer());
    expect(createHash('sha256').update(bytes).digest('hex')).toBe(createHash('sha256').update(original).digest('hex'));

    const transformed = await get(`assets/${id}/transform?width=100&height=100&extension=jpg`);
    expect(transformed.status).toBe(303);
    const small = Buffer.from(await (await fetch(transformed.headers.get('location')!)).arrayBuffer());
    expect(await sharp(small).metadata()).toMatchObject({ format: 'jpeg', width: 100, height: 75 });
    const again = await get(`assets/${id}/transform?width=100&height=100&extension=jpg`);
    const smallAgain = Buffer.from(await (await fetch(again.headers.get('location')!)).arrayBuffer());
    expect(smallAgain.equals(small)).toBe(true); // byte-stable by default
    expect((await get(`assets/${id}/transform?width=100&height=100&extension=bmp`)).status).toBe(400);

    // The content host needs no token; one sent there is recorded as a violation, never its value.
    expect(bank.contentHost.violations).toEqual([]);
    await fetch(location, { headers: { authorization: 'Bearer leaked-token' } });
    expect(bank.contentHost.violations).toHaveLength(1);
    expect(JSON.stringify(bank.contentRequests)).not.toContain('leaked-token');
    expect(bank.stats().authorizationLeaks).toBe(1);

    // Signed URLs: a changed signature or an expired one is refused.
    const forged = new URL(location);
    forged.searchParams.set('X-Signature', '0'.repeat(64));
    expect((await fetch(forged)).status).toBe(403);
    clock += 301_000;
    expect((await fetch(location)).status).toBe(403);

    // redirectContentTo sends the 303 elsewhere (hostile redirect tests).
    bank.redirectContentTo('ftp://elsewhere.example/file');
    expect((await get(`assets/${id}/content`)).headers.get('location')).toBe('ftp://elsewhere.example/file');
    expect(bank.stats().byRoute).toMatchObject({ content: 2, transform: 3 });
  });

  it('grants tokens by password, code and refresh, and refuses expired or revoked ones', async () => {
    bank = await startFakeAssetBank({ limitPerSecond: null, rotateRefreshTokens: true });
    const client = { client_id: FAKE_AB.clientId, client_secret: FAKE_AB.clientSecret };
    const token = (form: Record<string, string>, headers: Record<string, string> = {}) =>
      fetch(`${bank!.url}/oauth/token`, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded', ...headers },
        body: new URLSearchParams(form),
      });
    const first = await passwordToken(bank);
    // Client credentials as Basic work too (⚠ which one the real server wants: the clientAuth option).
    const basic = `Basic ${Buffer.from(`${FAKE_AB.clientId}:${FAKE_AB.clientSecret}`).toString('base64')}`;
    const viaBasic = await token(
      { grant_type: 'password', username: 'archivist', password: 'archivist-password' },
      { authorization: basic },
    );
    expect(viaBasic.status).toBe(200);
    const wrong = await token({ grant_type: 'password', username: 'archivist', password: 'nope', ...client });
    expect([wrong.status, await wrong.json()]).toEqual([
      400,
      { error: 'invalid_grant', error_description: 'Bad credentials' },
    ]);

    // Authorization code: /oauth/authorize redirects to the loopback redirect URI with the code and state.
    const redirectUri = 'http://127.0.0.1:5555/callback';
    const auth = await fetch(
      `${bank.url}/oauth/authorize?response_type=code&client_id=${FAKE_AB.clientId}&redirect_uri=${encodeURIComponent(redirectUri)}&state=xyz`,
      { redirect: 'manual' },
    );
    const back = new URL(auth.headers.get('location')!);
    expect([auth.status, back.origin + back.pathname, back.searchParams.get('state')]).toEqual([
      302,
      redirectUri,
      'xyz',
    ]);
    const code = back.searchParams.get('code')!;
    const byCode = await token({ grant_type: 'authorization_code', code, redirect_uri: redirectUri, ...client });
    expect(byCode.status).toBe(200);
    expect((await token({ grant_type: 'authorization_code', code, redirect_uri: redirectUri, ...client })).status).toBe(
      400,
    );

    // Expired access tokens are refused; a refresh gives a new one (rotated: the old refresh token dies).
    bank.expireTokens();
    expect((await api(bank, first.access_token)('authenticated-user')).status).toBe(401);
    const refreshed = await token({ grant_type: 'refresh_token', refresh_token: first.refresh_token, ...client });
    const renewed = (await refreshed.json()) as { access_token: string; refresh_token: string };
    expect(renewed.refresh_token).not.toBe(first.refresh_token);
    expect((await api(bank, renewed.access_token)('authenticated-user')).status).toBe(200);
    expect((await token({ grant_type: 'refresh_token', refresh_token: first.refresh_token, ...client })).status).toBe(
      400,
    );
    bank.revokeRefreshTokens();
    expect((await token({ grant_type: 'refresh_token', refresh_token: renewed.refresh_token, ...client })).status).toBe(
      400,
    );
  });

  it('enforces its own rate limit', async () => {
    bank = await startFakeAssetBank({ limitPerSecond: 3 });
    const get = api(bank, bank.tokenFor());
    const burst = await Promise.all(Array.from({ length: 6 }, () => get('authenticated-user')));
    const statuses = burst.map((r) => r.status).sort();
    expect(statuses).toEqual([200, 200, 200, 429, 429, 429]);
    const limited = burst.find((r) => r.status === 429)!;
    expect(limited.headers.get('retry-after')).toBe('1');
    expect(limited.headers.get('content-type')).toMatch(/^text\/plain/);
    await new Promise((r) => setTimeout(r, 1050));
    expect((await get('authenticated-user')).status).toBe(200);

    // A storm on demand: the next requests answer 429 whatever the rate.
    bank.rateLimitStorm({ requests: 2, retryAfter: 7 });
    const storm = [await get('authenticated-user'), await get('authenticated-user')];
    expect(storm.map((r) => [r.status, r.headers.get('retry-after')])).toEqual([
      [429, '7'],
      [429, '7'],
    ]);
    await new Promise((r) => setTimeout(r, 1050));
    expect((await get('authenticated-user')).status).toBe(200);
    expect(bank.stats().rateLimited).toBe(5);
  });
});
