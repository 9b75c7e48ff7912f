/**
 * The shared connector contract, run on the Asset Bank connector against the fake Asset Bank (a real
 * HTTP server with a 303 content host, its own rate limit and a search sorted by date, not id), once
 * for a folder source and once for an attribute source.
 */
import { FAKE_AB, photo } from '../fakes/asset-bank/index.js';
import { A, assetBankConnector, fakeWithShoot, ledgerUris, mappedSnapshot } from '../helpers/asset-bank.js';
import { runConnectorContract, type ContractSubject } from '../../src/testing/connector-contract.js';

async function subject(source: (ids: number[]) => string): Promise<ContractSubject> {
  const { fake, ids, foreign } = await fakeWithShoot(4);
  // One photo in the shoot's sub-folder: a folder source lists it as an implicit member.
  const [inDay2] = await fake.seedShoot({ count: 1, folderId: FAKE_AB.folders.shootDay2 });
  const all = [...ids, inDay2!];
  return {
    connector: assetBankConnector(fake),
    source: source(all),
    cleanup: () => fake.close(),
    expectedAssetIds: all.map(String),
    foreignIds: [String(foreign), '999999', 'IMG_0001.jpg', '0'],
    snapshot: async (id) => mappedSnapshot(fake, Number(id)),
    seedForeign: async (id) => fake.editAsOther(Number(id), { [A.title]: 'Gala', [A.description]: 'Carol Other' }),
    foreignIntact: async (id) =>
      fake.valueOf(Number(id), A.title) === 'Gala' && fake.valueOf(Number(id), A.description) === 'Carol Other',
    sitterConsentUris: async (id) => ledgerUris(fake, Number(id)),
    mutate: {
      add: async () => String((await fake.seedShoot({ count: 1 }))[0]),
      remove: async (id) => fake.removeAsset(Number(id)),
    },
    replaceContent: async (id) => fake.replaceFile(Number(id), await photo(Number(id) + 500)),
    faults: { rateLimit: async (n) => fake.rateLimitStorm({ requests: n, retryAfter: 1 }) },
    secrets: [FAKE_AB.clientSecret, FAKE_AB.users.archivist.password],
  };
}

runConnectorContract({
  name: 'asset-bank',
  variant: 'folder source',
  make: () => subject(() => `folder:${FAKE_AB.folders.shoot}`),
});

runConnectorContract({
  name: 'asset-bank',
  variant: 'attribute source',
  make: () => subject(() => `attribute:${A.shootId}=${FAKE_AB.shootId}`),
});
