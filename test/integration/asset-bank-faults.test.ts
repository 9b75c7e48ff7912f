/**
 * Hostile or broken answers from an "Asset Bank" (the fake, misbehaving on demand): each one ends in
 * a clear error naming the connector, and nothing is written to the asset (`fake.writes()`).
 */
import { afterEach, describe, expect, it } from 'vitest';
import { consentUri } from '../../src/connectors/payload.js';
import { wrapConnector } from '../../src/connectors/wrap-connector.js';
import type { Connector, PushPayload } from '../../src/core/ports/connector.js';
import { FAKE_AB, photo, type FakeAssetBank } from '../fakes/asset-bank/index.js';
import { assetBankConnector, fakeWithShoot } from '../helpers/asset-bank.js';

const SOURCE = `folder:${FAKE_AB.folders.shoot}`;
let fake: FakeAssetBank | undefined;
let c: Connector | undefined;

afterEach(async () => {
  await c?.close?.();
  await fake?.close();
  c = fake = undefined;
});

async function setUp(extra: Record<string, unknown> = {}) {
  const started = await fakeWithShoot(3);
  fake = started.fake;
  c = wrapConnector(assetBankConnector(fake, extra));
  const id = String(started.ids[0]);
  const scanned = await c.fetch(SOURCE, id);
  const payload: PushPayload = {
    assetId: id,
    expectedContentHash: scanned.contentHash,
    image: { width: 64, height: 48 },
    persons: [
      {
        participantId: 'p-001',
        displayName: 'Ada Test',
        consentUri: consentUri('S42', 'p-001'),
        box: { x: 0.1, y: 0.2, w: 0.2, h: 0.3 },
        release: { id: null, status: 'unlimited', minor: false },
      },
    ],
    otherFaces: 0,
  };
  return { c, fake, id, payload, writes: fake.writes().length };
}

/** The refusal names the connector, has the code, and the fake holds no new write. */
async function refused(p: Promise<unknown>, code: string, f: FakeAssetBank, writes: number, text?: RegExp) {
  const err = await p.then(
    () => null,
    (e: unknown) => e as { code?: string; message?: string },
  );
  expect(err, 'expected a refusal').not.toBeNull();
  expect(err!.code).toBe(code);
  expect(err!.message).toMatch(/asset-bank/);
  if (text) expect(err!.message).toMatch(text);
  expect(f.writes().length).toBe(writes);
}

describe('asset-bank against a hostile or broken server', () => {
  it('HTML instead of JSON on the asset GET: refused before any PUT', async () => {
    const t = await setUp();
    t.fake.html('asset');
    await refused(t.c.push(SOURCE, t.payload), 'CONNECTOR_BAD_RESPONSE', t.fake, t.writes, /HTML|JSON/i);
  });

  it('wrong types in the search answer: refused, naming the path and not the value', async () => {
    const t = await setUp();
    t.fake.wrongTypes('search');
    await refused(t.c.list(SOURCE), 'CONNECTOR_BAD_RESPONSE', t.fake, t.writes);
  });

  it('wrong types in the PUT answer: reported, not taken as written', async () => {
    const t = await setUp();
    t.fake.wrongTypes('asset');
    await refused(t.c.push(SOURCE, t.payload), 'CONNECTOR_BAD_RESPONSE', t.fake, t.writes);
  });

  it('a huge JSON body: refused past maxJsonBytes', async () => {
    const t = await setUp({ maxJsonBytes: 64 * 1024 });
    t.fake.hugeBody('asset', 1024 * 1024);
    await refused(t.c.push(SOURCE, t.payload), 'CONNECTOR_BAD_RESPONSE', t.fake, t.writes);
  });

  it('a redirect of the content to another scheme: not followed', async () => {
    const t = await setUp();
    t.fake.redirectContentTo('ftp://files.example.org/photo.jpg');
    await refused(t.c.fetch(SOURCE, t.id), 'CONNECTOR_BAD_RESPONSE', t.fake, t.writes, /ftp/);
    t.fake.redirectContentTo('file:///etc/passwd');
    await refused(t.c.fetch(SOURCE, t.id), 'CONNECTOR_BAD_RESPONSE', t.fake, t.writes);
  });

  it('a redirect of the content to a host not configured: not followed, and no token leaves', async () => {
    const t = await setUp();
    t.fake.redirectContentTo('https://collector.example.net/steal?sig=abc123');
    await refused(t.c.fetch(SOURCE, t.id), 'CONNECTOR_BAD_RESPONSE', t.fake, t.writes, /collector\.example\.net/);
    // and the signed query is never repeated
    await t.c.fetch(SOURCE, t.id).catch((e: Error) => expect(e.message).not.toContain('abc123'));
    // A push whose guard must re-read the content is refused too, before the PUT.
    t.fake.replaceFile(Number(t.id), await photo(77));
    await refused(t.c.push(SOURCE, t.payload), 'CONNECTOR_BAD_RESPONSE', t.fake, t.writes + 1);
    expect(t.fake.stats().authorizationLeaks).toBe(0);
  });

  it('a search that ignores assetIds: the scope cannot be trusted', async () => {
    const t = await setUp();
    await t.fake.seedShoot({ count: 110 });
    t.fake.ignoreAssetIdsFilter();
    await refused(t.c.list(SOURCE), 'CONNECTOR_BAD_RESPONSE', t.fake, t.writes, /assetIds/);
    // and a push, whose guard asks for the one asset, is refused before any write
    await refused(t.c.push(SOURCE, t.payload), 'CONNECTOR_BAD_RESPONSE', t.fake, t.writes, /assetIds/);
  });

  it('endless pagination: stopped at the request cap', async () => {
    const t = await setUp({ maxAssets: 100 });
    const bytes = await photo(5);
    // Every search finds a hundred new assets ahead of the cursor.
    t.fake.onSearch(() => {
      for (let i = 0; i < 100; i++)
        t.fake.addAsset({
          originalFilename: 'more.jpg',
          bytes,
          accessLevelIds: [FAKE_AB.folders.shoot],
          values: {},
        });
    });
    const pages = (async () => {
      for (let cursor: string | null = null, n = 0; n < 1000; n++) {
        const page = await t.c.list(SOURCE, { cursor, pageSize: 100 });
        cursor = page.nextCursor;
        if (!cursor) return 'ended';
      }
      return 'did not stop';
    })();
    await refused(pages, 'CONNECTOR_BAD_RESPONSE', t.fake, t.writes, /endless pagination/);
  });

  it('a 429 storm past maxRateLimitWaitMs: CONNECTOR_RATE_LIMITED, nothing written', async () => {
    const t = await setUp({ maxRateLimitWaitMs: 1500 });
    t.fake.rateLimitStorm({ requests: 50, retryAfter: 1 });
    await refused(t.c.push(SOURCE, t.payload), 'CONNECTOR_RATE_LIMITED', t.fake, t.writes);
  });
});
