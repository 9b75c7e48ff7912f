/**
 * An Asset Bank connector on the fake Asset Bank (test/fakes/asset-bank), with the seeded catalogue's
 * credentials and the four mapped attributes, for the asset-bank contract, auth, fault and push tests.
 */
import { createAssetBankConnector } from '../../src/connectors/asset-bank/index.js';
import { parseLedger } from '../../src/connectors/asset-bank/values.js';
import type { Connector, ConnectorContext } from '../../src/core/ports/connector.js';
import {
  FAKE_AB,
  startFakeAssetBank,
  type FakeAssetBank,
  type FakeAssetBankOptions,
} from '../fakes/asset-bank/index.js';

export const A = FAKE_AB.attributes;
export const MAPPED = [A.consentRefs, A.participants, A.faceRegions, A.usageClearance] as const;

export function assetBankOptions(fake: FakeAssetBank, extra: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    url: fake.url,
    clientId: FAKE_AB.clientId,
    clientSecret: FAKE_AB.clientSecret,
    username: FAKE_AB.users.archivist.username,
    password: FAKE_AB.users.archivist.password,
    consentRefsAttribute: A.consentRefs,
    participantsAttribute: A.participants,
    faceRegionsAttribute: A.faceRegions,
    usageClearanceAttribute: A.usageClearance,
    contentHosts: fake.contentHost.host,
    requestsPerSecond: 15,
    concurrency: 4,
    ...extra,
  };
}

/**
 * A shoot's stored options on the fake, as an archivist would set them: secrets by name
 * (`SITTER_SECRET_<NAME>` in the environment), all four attributes mapped, the capture date read from
 * the search results' "Date Taken".
 */
export function assetBankShootOptions(
  fake: FakeAssetBank,
  secrets: { clientSecret: string; password: string },
  extra: Record<string, unknown> = {},
): Record<string, unknown> {
  return {
    url: fake.url,
    clientId: FAKE_AB.clientId,
    clientSecret: `secret:${secrets.clientSecret}`,
    username: FAKE_AB.users.archivist.username,
    password: `secret:${secrets.password}`,
    participantsAttribute: A.participants,
    consentRefsAttribute: A.consentRefs,
    faceRegionsAttribute: A.faceRegions,
    usageClearanceAttribute: A.usageClearance,
    capturedAtLabel: 'Date Taken',
    contentHosts: fake.contentHost.host,
    ...extra,
  };
}

export function assetBankConnector(
  fake: FakeAssetBank,
  extra: Record<string, unknown> = {},
  context?: ConnectorContext,
): Connector {
  return createAssetBankConnector(assetBankOptions(fake, extra), context);
}

/** A fake with `count` photos in the shoot folder (Shoot ID SHOOT-42) and one in another shoot. */
export async function fakeWithShoot(
  count = 4,
  options: FakeAssetBankOptions = {},
): Promise<{ fake: FakeAssetBank; ids: number[]; foreign: number }> {
  const fake = await startFakeAssetBank(options);
  const ids = await fake.seedShoot({ count });
  const [foreign] = await fake.seedShoot({ count: 1, folderId: FAKE_AB.folders.otherShoot, shootId: 'SHOOT-43' });
  return { fake, ids, foreign: foreign! };
}

/** The mapped attributes of an asset as text, for "nothing else changed" comparisons. */
export function mappedSnapshot(fake: FakeAssetBank, id: number): string {
  return MAPPED.map((attr) => `${attr}=${fake.valueOf(id, attr)}`).join('\n');
}

/** The consent URIs Sitter's ledger on the asset names now. */
export function ledgerUris(fake: FakeAssetBank, id: number): string[] {
  return (parseLedger(fake.valueOf(id, A.consentRefs))?.entries ?? []).map((e) => e.consentUri).sort();
}
