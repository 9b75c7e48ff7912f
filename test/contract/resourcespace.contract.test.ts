/**
 * The ResourceSpace plugin (plugins/resourcespace), loaded as Sitter loads it (`loadPlugins`), made
 * from stored options with its private key resolved by name (`connectShoot`), against its own fake
 * server (plugins/resourcespace/test/fake-resourcespace.js on the kit's real HTTP server): the shared
 * contract suite, then what is particular to ResourceSpace (signatures, its error quirks, renditions,
 * revisions, a listing under change, fields that are not Sitter's).
 */
import path from 'node:path';
import sharp from 'sharp';
import { afterEach, describe, expect, it } from 'vitest';
import { connectShoot } from '../../src/connectors/configure.js';
import { validateOptions } from '../../src/connectors/options.js';
import { loadPlugins } from '../../src/connectors/plugins.js';
import { builtinRegistry } from '../../src/connectors/registry.js';
import type { SecretSource } from '../../src/connectors/secrets.js';
import { listAll } from '../../src/connectors/wrap-connector.js';
import { consentUri } from '../../src/connectors/payload.js';
import type { Connector, PushPayload } from '../../src/core/ports/connector.js';
import { startFakeHttpServer, type FakeHttpServer } from '../../src/testing/fake-http.js';
import {
  createFakeResourceSpace,
  FAKE_RS_FIELDS,
  type FakeResourceSpace,
} from '../../plugins/resourcespace/test/fake-resourcespace.js';
import { runConnectorContract } from '../../src/testing/connector-contract.js';
import { makeImage } from './fixtures.js';

const PLUGINS = path.resolve(import.meta.dirname, '../../plugins');
const SHOOT = 12;
const OTHER = 13;
type Fake = FakeResourceSpace;

/** A fake ResourceSpace with 4 images and a PDF in collection 12 and one image in collection 13. */
async function startFake(): Promise<{ fake: Fake; server: FakeHttpServer; shoot: number[]; other: number }> {
  const fake = createFakeResourceSpace();
  const server = await startFakeHttpServer(fake.handler);
  const shoot: number[] = [];
  for (let i = 0; i < 4; i++)
    shoot.push(
      fake.addResource({
        bytes: await makeImage(i === 1 ? 'png' : 'jpeg', 64, 48, { r: 40 * i, g: 120, b: 200 - 30 * i }),
        extension: i === 1 ? 'png' : 'jpg',
        collections: [SHOOT],
      }),
    );
  fake.addResource({ bytes: Buffer.from('%PDF-1.4 release form'), extension: 'pdf', collections: [SHOOT] });
  const other = fake.addResource({ bytes: await makeImage('jpeg'), collections: [OTHER] });
  return { fake, server, shoot, other };
}

const BASE_OPTIONS = (server: FakeHttpServer) => ({
  baseUrl: server.url,
  user: 'sitter',
  consentRefsField: 'sitterconsent',
  participantsField: String(FAKE_RS_FIELDS.participants),
  faceRegionsField: 'sitterfaces',
  usageClearanceField: 'sitterclearance',
  requestsPerSecond: 50,
  maxRetries: 2,
});

/** The connector as a shoot gets it: plugin loaded, options checked, the key resolved by name. */
async function connect(server: FakeHttpServer, key: string, extra: Record<string, unknown> = {}): Promise<Connector> {
  const registry = builtinRegistry();
  const report = await loadPlugins(PLUGINS, registry);
  expect(report.skipped).toEqual([]);
  const stored = validateOptions('resourcespace', registry.optionsOf('resourcespace'), {
    ...BASE_OPTIONS(server),
    privateKey: 'secret:rs-key',
    ...extra,
  });
  const secrets: SecretSource = { lookup: async (name) => (name === 'rs-key' ? key : '') };
  return connectShoot(registry, { connector: 'resourcespace', connectorOptions: stored }, secrets);
}

/** The consent URIs of the ledger in the consent-refs field. */
function ledgerUris(fake: Fake, ref: number): string[] {
  const text = fake.fieldValue(ref, FAKE_RS_FIELDS.consentRefs);
  return text
    .split('\n')
    .slice(1)
    .filter(Boolean)
    .map((l) => l.split('\t')[0]!)
    .sort();
}

runConnectorContract({
  name: 'resourcespace',
  make: async () => {
    const { fake, server, shoot, other } = await startFake();
    const key = fake.keyOf('sitter');
    const ref = (id: string) => Number(id);
    const snapshot = async (id: string) => {
      const r = fake.state.resources.get(ref(id));
      return r ? JSON.stringify([...r.values].sort(([a], [b]) => a - b)) : null;
    };
    return {
      connector: await connect(server, key),
      source: `collection:${SHOOT}`,
      cleanup: () => server.close(),
      expectedAssetIds: shoot.map(String),
      foreignIds: [String(other), '0', 'collection:12'],
      snapshot,
      seedForeign: async (id) => {
        fake.setField(ref(id), FAKE_RS_FIELDS.caption, 'Gala dinner, table 4');
        fake.setField(ref(id), FAKE_RS_FIELDS.title, 'Table 4');
      },
      foreignIntact: async (id) =>
        fake.fieldValue(ref(id), FAKE_RS_FIELDS.caption) === 'Gala dinner, table 4' &&
        fake.fieldValue(ref(id), FAKE_RS_FIELDS.title) === 'Table 4',
      sitterConsentUris: async (id) => ledgerUris(fake, ref(id)),
      mutate: {
        add: async () => String(fake.addResource({ bytes: await makeImage('jpeg', 32, 24), collections: [SHOOT] })),
        remove: async (id) => fake.removeFromCollection(SHOOT, ref(id)),
      },
      replaceContent: async (id) => fake.replaceFile(ref(id), await makeImage('jpeg', 64, 48, { r: 9, g: 9, b: 9 })),
      faults: { rateLimit: async (n) => server.faults.rateLimit(n, { retryAfter: 1 }) },
      secrets: [key],
      // ResourceSpace's preview sizes are fixed; the smallest, thm, is at most 150 px.
      renditionFloor: 150,
    };
  },
});

function payload(assetId: string, contentHash: string, names: string[], otherFaces = 0): PushPayload {
  return {
    assetId,
    expectedContentHash: contentHash,
    image: { width: 64, height: 48 },
    otherFaces,
    persons: names.map((name, i) => ({
      participantId: `p-${i + 1}`,
      displayName: name,
      consentUri: consentUri('S12', `p-${i + 1}`),
      box: { x: 0.1 + 0.4 * i, y: 0.2, w: 0.2, h: 0.3 },
      release: { id: `MR-${i + 1}`, status: 'unlimited', minor: false },
    })),
  };
}

describe('resourcespace plugin', () => {
  let server: FakeHttpServer | null = null;
  let connector: Connector | null = null;
  afterEach(async () => {
    await connector?.close?.();
    await server?.close();
    server = connector = null;
  });

  it('signs every request over the exact query; a wrong key is CONNECTOR_AUTH, naming the plugin and never the key', async () => {
    const started = await startFake();
    server = started.server;
    connector = await connect(server, 'f'.repeat(64));
    const err = await connector.list(`collection:${SHOOT}`).then(
      () => null,
      (e: unknown) => e as { code: string; message: string; hint: string },
    );
    expect(err).toMatchObject({
      code: 'CONNECTOR_AUTH',
      message: expect.stringContaining('Connector "resourcespace"'),
    });
    expect(JSON.stringify(err)).not.toContain('f'.repeat(64));
    expect(err!.hint).toMatch(/privateKey/);

    await connector.close?.();
    connector = await connect(server, started.fake.keyOf('sitter'));
    const { assets, skipped } = (await connector.list(`collection:${SHOOT}`)) as Awaited<ReturnType<Connector['list']>>;
    expect(assets.map((a) => a.id)).toEqual(started.shoot.map(String));
    expect(skipped).toEqual([expect.objectContaining({ reason: 'not-an-image' })]);
    const api = server.requests.filter((r) => r.path === '/api/');
    expect(api.length).toBeGreaterThan(0);
    for (const r of api) {
      expect(r.rawQuery).toMatch(/^user=sitter&function=[a-z_]+(&param\d+=[^&]*)*&sign=[0-9a-f]{64}$/);
      expect(r.hasAuthorization).toBe(false);
    }
    expect(started.fake.state.calls.filter((c) => c.fn === 'do_search').length).toBeGreaterThan(0);
  });

  it('turns the API quirks into typed errors: API off, a disabled user, an unknown function, a resource it may not read', async () => {
    const { fake, server: s, shoot } = await startFake();
    server = s;
    connector = await connect(s, fake.keyOf('sitter'));
    const source = `collection:${SHOOT}`;

    fake.deny(shoot[0]!);
    await expect(connector.fetch(source, String(shoot[0]))).rejects.toMatchObject({ code: 'ASSET_ACCESS_DENIED' });

    fake.forget('get_resource_path');
    await expect(connector.fetch(source, String(shoot[1]))).rejects.toMatchObject({
      code: 'CONNECTOR_BAD_RESPONSE',
      message: expect.stringContaining('does not know that function'),
    });

    const health = await connector.health!(source);
    expect(health).toMatchObject({ ok: true, identity: 'sitter' });
    expect(health.checks.map((c) => c.name)).toEqual(['signature', 'source']);
    expect(health.checks[1]!.message).toMatch(/holds 5 resource/);

    fake.disableUser('sitter');
    await expect(connector.list(source)).rejects.toMatchObject({
      code: 'CONNECTOR_AUTH',
      message: expect.stringContaining('disabled'),
    });
    fake.disableApi();
    await expect(connector.list(source)).rejects.toMatchObject({
      code: 'CONNECTOR_REQUEST_REFUSED',
      hint: expect.stringContaining('enable_remote_apis'),
    });
    const unhealthy = await connector.health!(source);
    expect(unhealthy.ok).toBe(false);
    expect(unhealthy.checks).toEqual([expect.objectContaining({ name: 'signature', ok: false })]);
  });

  it('waits out rate limiting and retries a failing server instead of failing', async () => {
    const { fake, server: s, shoot } = await startFake();
    server = s;
    connector = await connect(s, fake.keyOf('sitter'));
    s.faults.rateLimit(2, { retryAfter: 1 });
    s.faults.fail(1, 503);
    const t0 = Date.now();
    const page = await connector.list(`collection:${SHOOT}`);
    expect(page.assets.map((a) => a.id)).toEqual(shoot.map(String));
    expect(Date.now() - t0).toBeGreaterThanOrEqual(1900);
    expect(s.requests.filter((r) => r.status === 429)).toHaveLength(2);

    s.faults.fail(3, 502);
    await expect(connector.list(`collection:${SHOOT}`)).rejects.toMatchObject({ code: 'CONNECTOR_TRANSIENT' });
  });

  it('keeps a listing correct when resources are added to or removed from the collection between pages', async () => {
    const { fake, server: s, shoot } = await startFake();
    server = s;
    connector = await connect(s, fake.keyOf('sitter'));
    const source = `collection:${SHOOT}`;
    const first = await connector.list(source, { pageSize: 2 });
    expect(first.assets.map((a) => a.id)).toEqual([shoot[0], shoot[1]].map(String));
    // Between pages: the first two leave the collection and a new image joins it.
    fake.removeFromCollection(SHOOT, shoot[0]!);
    fake.removeFromCollection(SHOOT, shoot[1]!);
    const added = fake.addResource({ bytes: await makeImage('jpeg'), collections: [SHOOT] });
    const rest: string[] = [];
    for (let cursor = first.nextCursor; cursor;) {
      const page = await connector.list(source, { cursor, pageSize: 2 });
      rest.push(...page.assets.map((a) => a.id));
      cursor = page.nextCursor;
    }
    expect(rest).toEqual([shoot[2], shoot[3], added].map(String));
    await expect(connector.list(`collection:${OTHER}`, { cursor: first.nextCursor })).rejects.toMatchObject({
      code: 'INVALID_CURSOR',
    });
    await expect(connector.list('folder:12')).rejects.toMatchObject({ code: 'SOURCE_INVALID' });
  });

  it('fetches a preview when a smaller rendition is asked for, the original by default; a new file is a new revision, a field edit is not', async () => {
    const { fake, server: s } = await startFake();
    server = s;
    const big = await makeImage('jpeg', 1200, 800);
    const ref = fake.addResource({ bytes: big, collections: [SHOOT] });
    connector = await connect(s, fake.keyOf('sitter'));
    const source = `collection:${SHOOT}`;
    const original = await connector.fetch(source, String(ref));
    expect(Buffer.from(original.bytes).equals(big)).toBe(true);
    expect(original.rendition ?? 'original').toBe('original');
    const preview = await connector.fetch(source, String(ref), { rendition: { maxDimension: 1000 } });
    expect(preview.rendition).toEqual({ maxDimension: 900 });
    expect(await sharp(Buffer.from(preview.bytes)).metadata()).toMatchObject({
      format: 'jpeg',
      width: 900,
      height: 600,
    });
    await expect(connector.fetch(source, String(ref), { maxBytes: 1000 })).rejects.toMatchObject({
      code: 'ASSET_TOO_LARGE',
    });

    const revision = async () => {
      for await (const page of listAll(connector!, source)) {
        const found = page.assets.find((a) => a.id === String(ref));
        if (found) return found.revision;
      }
      return undefined;
    };
    const before = await revision();
    fake.setField(ref, FAKE_RS_FIELDS.caption, 'edited by someone');
    expect(await revision()).toBe(before);
    fake.replaceFile(ref, await makeImage('jpeg', 1200, 800, { r: 1, g: 2, b: 3 }));
    expect(await revision()).not.toBe(before);
  });

  it('writes only the fields mapped to Sitter, refuses a mapped field holding text Sitter did not write, and reads back nothing after a clear', async () => {
    const { fake, server: s, shoot } = await startFake();
    server = s;
    connector = await connect(s, fake.keyOf('sitter'));
    const source = `collection:${SHOOT}`;
    const id = String(shoot[0]);
    const hash = (await connector.fetch(source, id)).contentHash;

    const pushed = await connector.push(source, payload(id, hash, ['Ada Test', 'Ben; Test']));
    expect(pushed).toMatchObject({ changed: true, outcome: 'written' });
    const F = FAKE_RS_FIELDS;
    expect(fake.fieldValue(shoot[0]!, F.participants)).toBe('Ada Test; Ben\\; Test');
    expect(fake.fieldValue(shoot[0]!, F.usageClearance)).toBe('unlimited');
    expect(JSON.parse(fake.fieldValue(shoot[0]!, F.faceRegions))).toMatchObject({ sitter: 1, image: { w: 64, h: 48 } });
    expect(new Set(fake.state.writes.map((w) => w.field))).toEqual(
      new Set([F.consentRefs, F.participants, F.faceRegions, F.usageClearance]),
    );
    // The ledger went first, so an interrupted push still marks the other fields as Sitter's.
    expect(fake.state.writes[0]!.field).toBe(F.consentRefs);
    expect((await connector.readWritten!(source, id)).map((w) => w.location)).toHaveLength(4);

    // One person withdraws: their line and region go, and the other faces make the clearance limited.
    const partial = await connector.clear(source, { assetId: id, consentUris: [consentUri('S12', 'p-2')] });
    expect(partial.changed).toBe(true);
    expect(ledgerUris(fake, shoot[0]!)).toEqual([consentUri('S12', 'p-1')]);
    expect(fake.fieldValue(shoot[0]!, F.usageClearance)).toBe('limited');
    await connector.clear(source, { assetId: id });
    expect(await connector.readWritten!(source, id)).toEqual([]);
    const lastWrite = fake.state.writes.at(-1)!;
    expect([lastWrite.field, lastWrite.to]).toEqual([F.consentRefs, '']); // the ledger went last

    // Someone else's text in a mapped field: refused, nothing written.
    const other = shoot[2]!;
    fake.setField(other, F.participants, 'Carol Other');
    const writes = fake.state.writes.length;
    const otherHash = (await connector.fetch(source, String(other))).contentHash;
    await expect(connector.push(source, payload(String(other), otherHash, ['Ada Test']))).rejects.toMatchObject({
      code: 'FIELD_NOT_SITTERS',
    });
    expect((await connector.clear(source, { assetId: String(other) })).changed).toBe(false);
    expect(fake.state.writes.length).toBe(writes);
    expect(fake.fieldValue(other, F.participants)).toBe('Carol Other');
  });

  it('reports a mapped field ResourceSpace will not store as ignored, and declares its options with the key as a secret', async () => {
    const { fake, server: s, shoot } = await startFake();
    server = s;
    connector = await connect(s, fake.keyOf('sitter'), { participantsField: 'locked' });
    const source = `collection:${SHOOT}`;
    const id = String(shoot[3]);
    const hash = (await connector.fetch(source, id)).contentHash;
    await expect(connector.push(source, payload(id, hash, ['Ada Test']))).rejects.toMatchObject({
      code: 'CONNECTOR_REQUEST_REFUSED',
      message: expect.stringContaining('"locked"'),
    });

    const registry = builtinRegistry();
    await loadPlugins(PLUGINS, registry);
    expect(registry.optionsOf('resourcespace').secrets).toEqual(['privateKey']);
    expect(() =>
      validateOptions('resourcespace', registry.optionsOf('resourcespace'), {
        baseUrl: s.url,
        user: 'sitter',
        privateKey: fake.keyOf('sitter'),
        consentRefsField: 'sitterconsent',
      }),
    ).toThrow(expect.objectContaining({ code: expect.any(String) }));
    const stored = { baseUrl: 'http://dam.example.org', user: 'u', privateKey: 'secret:k', consentRefsField: '80' };
    await expect(
      connectShoot(registry, { connector: 'resourcespace', connectorOptions: stored }, { lookup: async () => 'x' }),
    ).rejects.toMatchObject({ code: 'CONNECTOR_OPTIONS_INVALID', message: expect.stringContaining('https') });
  });
});
