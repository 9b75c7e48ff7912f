/**
 * The ⚠ settings of docs/asset-bank.md ("Unconfirmed"), each exercised against the fake Asset Bank
 * behaving both ways: the page base, how several folders are sent, where the client credentials go,
 * and which asset types are images. A wrong setting fails loudly; the right one lists the shoot.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { wrapConnector } from '../../src/connectors/wrap-connector.js';
import type { AssetPage, Connector } from '../../src/core/ports/connector.js';
import { FAKE_AB, type FakeAssetBank, type FakeAssetBankOptions } from '../fakes/asset-bank/index.js';
import { A, assetBankConnector, fakeWithShoot } from '../helpers/asset-bank.js';

let fake: FakeAssetBank | undefined;
let connectors: Connector[] = [];

afterEach(async () => {
  for (const c of connectors) await c.close?.();
  await fake?.close();
  connectors = [];
  fake = undefined;
});

async function setUp(count: number, fakeOptions: FakeAssetBankOptions = {}) {
  const started = await fakeWithShoot(count, fakeOptions);
  fake = started.fake;
  const make = (extra: Record<string, unknown>) => {
    const c = wrapConnector(assetBankConnector(started.fake, extra));
    connectors.push(c);
    return c;
  };
  return { ...started, make };
}

async function listAll(c: Connector, source: string, pageSize = 100): Promise<AssetPage[]> {
  const pages: AssetPage[] = [];
  let cursor: string | null = null;
  do {
    const page: AssetPage = await c.list(source, { cursor, pageSize });
    pages.push(page);
    cursor = page.nextCursor;
  } while (cursor);
  return pages;
}

const ids = (pages: AssetPage[]) => pages.flatMap((p) => p.assets.map((a) => Number(a.id))).sort((a, b) => a - b);

describe('asset-bank unconfirmed settings', () => {
  it('paging=page follows the server page base (firstPage 0 or 1) and drops repeats', async () => {
    for (const base of [0, 1] as const) {
      const t = await setUp(130, { firstPage: base });
      const listed = ids(await listAll(t.make({ paging: 'page', firstPage: base }), `folder:${FAKE_AB.folders.shoot}`));
      expect(listed).toEqual([...t.ids].sort((a, b) => a - b));
      await t.fake.close();
      fake = undefined;
    }
  });

  it('several folders go as a repeated parameter or a comma list, as the server wants', async () => {
    for (const style of ['repeat', 'comma'] as const) {
      const t = await setUp(3, { folderIdsStyle: style });
      const both = `folder:${FAKE_AB.folders.shoot},${FAKE_AB.folders.otherShoot}`;
      const listed = ids(await listAll(t.make({ folderIdsStyle: style }), both));
      expect(listed).toEqual([...t.ids, t.foreign].sort((a, b) => a - b));
      await t.fake.close();
      fake = undefined;
    }
  });

  it('client credentials in the body or as Basic: the wrong one is CONNECTOR_AUTH, naming the connector', async () => {
    const t = await setUp(3, { clientAuth: 'basic' });
    await expect(t.make({ clientAuth: 'body' }).list(`folder:${FAKE_AB.folders.shoot}`)).rejects.toMatchObject({
      code: 'CONNECTOR_AUTH',
      message: expect.stringContaining('asset-bank'),
    });
    expect((await t.make({ clientAuth: 'basic' }).list(`folder:${FAKE_AB.folders.shoot}`)).assets).toHaveLength(3);
  });

  it('asset types that are not images and unapproved assets are skipped with their reason', async () => {
    const t = await setUp(3);
    const [video, pending] = t.ids;
    t.fake.asset(video!)!.typeId = 5;
    t.fake.asset(pending!)!.approved = false;
    const pages = await listAll(t.make({}), `folder:${FAKE_AB.folders.shoot}`);
    expect(ids(pages)).toEqual([t.ids[2]]);
    expect(pages.flatMap((p) => p.skipped).map((s) => [Number(s.id), s.reason])).toEqual(
      expect.arrayContaining([
        [video, 'not-an-image'],
        [pending, 'not-approved'],
      ]),
    );
    // imageTypeIds widens what counts as an image; includeUnapproved lists pending assets.
    const wide = await listAll(
      t.make({ imageTypeIds: '2,5', includeUnapproved: true }),
      `folder:${FAKE_AB.folders.shoot}`,
    );
    expect(ids(wide)).toEqual([...t.ids].sort((a, b) => a - b));
  });

  it('a mapped checklist attribute is refused at start, and health says which and who Sitter is', async () => {
    const t = await setUp(3);
    const bad = assetBankConnector(t.fake, { participantsAttribute: A.people });
    connectors.push(bad);
    await expect(wrapConnector(bad).list(`folder:${FAKE_AB.folders.shoot}`)).rejects.toMatchObject({
      code: 'ATTRIBUTE_TYPE_UNSUPPORTED',
      message: expect.stringContaining(`participantsAttribute (attribute ${A.people})`),
    });
    const report = await bad.health!(`folder:${FAKE_AB.folders.shoot}`);
    expect(report.ok).toBe(false);
    expect(report.identity).toBe(FAKE_AB.users.archivist.username);
    expect(report.checks.map((c) => [c.name, c.ok])).toEqual([
      ['reachable', true],
      ['token', true],
      ['identity', true],
      ['attributes', false],
    ]);
    const good = assetBankConnector(t.fake);
    connectors.push(good);
    const fine = await good.health!(`folder:${FAKE_AB.folders.shoot}`);
    expect(fine).toMatchObject({ ok: true, requestsPerSecond: 15 });
    expect(JSON.stringify(fine)).not.toContain(FAKE_AB.clientSecret);
  });
});
