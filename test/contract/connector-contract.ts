/**
 * The connector contract suite (the unstorage `testDriver` / keyv test-suite pattern). Every connector
 * runs it: the built-ins here, DAM connectors against fake servers, and plugins in their own repos:
 *
 *   runConnectorContract({ name: 'my-dam', make: async () => ({ connector, source, cleanup, ... }) });
 *
 * It checks the promises the core relies on: listing is complete and stable across pages, ids it did
 * not list are refused, pushing is idempotent, clearing removes only what Sitter wrote. Optional
 * capabilities are tested only when the connector declares them.
 */
import { afterAll, beforeAll, describe, expect, it, type TestContext } from 'vitest';
import { contentHashOf } from '../../src/core/domain/content-hash.js';
import { BugError, SitterError } from '../../src/core/domain/errors.js';
import type {
  AssetPage,
  Connector,
  ListedAsset,
  PushPayload,
  PushPerson,
  SourceRef,
} from '../../src/core/ports/connector.js';
import { consentUri } from '../../src/connectors/payload.js';
import { listAll, wrapConnector } from '../../src/connectors/wrap-connector.js';

export interface ContractSubject {
  /** the connector under test (the suite wraps it, as the core does) */
  connector: Connector;
  /** a source holding at least 3 assets */
  source: SourceRef;
  /** removes everything `make` created */
  cleanup: () => Promise<void>;
  /** the ids the source must list, when the fixture knows them */
  expectedAssetIds?: string[];
  /** ids that exist somewhere but not in this source (another collection, outside the folder) */
  foreignIds?: string[];
  /** the asset's Sitter-relevant metadata as text, for byte-level idempotence (null: none) */
  snapshot?: (assetId: string) => Promise<string | null>;
  /** puts another tool's metadata on an asset (before Sitter writes) */
  seedForeign?: (assetId: string) => Promise<void>;
  /** true when the metadata `seedForeign` wrote is still all there */
  foreignIntact?: (assetId: string) => Promise<boolean>;
  /** the consent URIs Sitter's metadata on the asset names now */
  sitterConsentUris?: (assetId: string) => Promise<string[]>;
}

export interface ContractOptions {
  /** the connector's name, as its refusals name it */
  name: string;
  /** tells two runs on the same connector apart (e.g. `without optional helpers`) */
  variant?: string;
  make: () => Promise<ContractSubject>;
}

async function collect(
  c: Connector,
  source: SourceRef,
  pageSize?: number,
): Promise<{ assets: ListedAsset[]; pages: AssetPage[] }> {
  const pages: AssetPage[] = [];
  for await (const page of listAll(c, source, pageSize ? { pageSize } : {})) pages.push(page);
  return { assets: pages.flatMap((p) => p.assets), pages };
}

function person(id: string, name: string, x: number): PushPerson {
  return {
    participantId: id,
    displayName: name,
    consentUri: consentUri('contract-shoot', id),
    consentRecord: { id: 7, formSha256: 'a'.repeat(64) },
    box: { x, y: 0.2, w: 0.2, h: 0.3 },
    release: { id: `MR-${id}`, status: 'unlimited', minor: false },
  };
}

/** Content hashes of the listed assets, as a scan records them (filled before the tests run). */
const hashes = new Map<string, string>();

function payload(assetId: string, persons: PushPerson[], otherFaces = 0): PushPayload {
  return {
    assetId,
    expectedContentHash: hashes.get(assetId) ?? `sha256:${'0'.repeat(64)}`,
    image: { width: 64, height: 48 },
    persons,
    otherFaces,
  };
}

async function expectRefused(p: Promise<unknown>, connectorName: string): Promise<void> {
  const err = await p.then(
    () => null,
    (e: unknown) => e,
  );
  expect(err, 'expected a refusal').toBeInstanceOf(SitterError);
  expect((err as SitterError).message).toContain(connectorName);
}

type Helper = Exclude<keyof ContractSubject, 'connector' | 'source' | 'cleanup' | 'expectedAssetIds' | 'foreignIds'>;

/**
 * The checks each run skipped, by its describe title: a subject that leaves out an optional helper
 * has the checks that need it skipped and reported, never passed on `undefined === undefined`.
 */
export const skippedChecks = new Map<string, string[]>();

function stalePayload(assetId: string): PushPayload {
  return { ...payload(assetId, [person('p-1', 'Ada Test', 0.1)]), expectedContentHash: `sha256:${'ab'.repeat(32)}` };
}

export function runConnectorContract({ name, variant, make }: ContractOptions): void {
  const title = `connector contract: ${name}${variant ? ` (${variant})` : ''}`;
  describe(title, () => {
    let subject: ContractSubject;
    let c: Connector;
    let first: string;

    /** The subject's optional helper; without it the test is skipped (and recorded), not passed. */
    function need<K extends Helper>(ctx: TestContext, key: K): NonNullable<ContractSubject[K]> {
      const helper = subject[key];
      if (helper) return helper as NonNullable<ContractSubject[K]>;
      skippedChecks.set(title, [...(skippedChecks.get(title) ?? []), ctx.task.name]);
      return ctx.skip(`the subject has no ${key} helper`);
    }

    beforeAll(async () => {
      subject = await make();
      c = wrapConnector(subject.connector);
      const { assets } = await collect(c, subject.source);
      expect(assets.length, 'the fixture source needs at least 3 assets').toBeGreaterThanOrEqual(3);
      first = assets[0]!.id;
      for (const a of assets) hashes.set(a.id, (await c.fetch(subject.source, a.id)).contentHash);
    });
    afterAll(async () => {
      await c?.close?.();
      await subject?.cleanup();
    });

    it('declares its name and every capability as a boolean', () => {
      expect(c.info.name).toMatch(/^[a-z][a-z0-9-]*$/);
      expect(typeof c.info.version).toBe('string');
      for (const key of ['listingHashes', 'regions', 'modelRelease', 'partialClear'] as const) {
        expect(typeof c.capabilities[key], key).toBe('boolean');
      }
    });

    it('lists every asset exactly once, in the same order, whatever the page size', async () => {
      const whole = await collect(c, subject.source, 10_000);
      const ids = whole.assets.map((a) => a.id);
      expect(new Set(ids).size).toBe(ids.length);
      if (subject.expectedAssetIds) expect([...ids].sort()).toEqual([...subject.expectedAssetIds].sort());
      for (const size of [1, 2, 3]) {
        const paged = await collect(c, subject.source, size);
        expect(
          paged.assets.map((a) => a.id),
          `page size ${size}`,
        ).toEqual(ids);
        for (const p of paged.pages) expect(p.assets.length).toBeLessThanOrEqual(size);
        // skipped entries are reported once, not once per page
        expect(paged.pages.flatMap((p) => p.skipped.map((s) => s.id)).sort()).toEqual(
          whole.pages.flatMap((p) => p.skipped.map((s) => s.id)).sort(),
        );
      }
      const again = await collect(c, subject.source, 2);
      expect(again.assets.map((a) => a.id)).toEqual(ids);
    });

    it('gives listed facts that hold: ids, names, sizes, dates', async () => {
      const { assets } = await collect(c, subject.source);
      for (const a of assets) {
        expect(a.id).not.toBe('');
        expect(a.fileName).not.toBe('');
        expect(a.size).toBeGreaterThan(0);
        expect(a.modifiedAt.getTime()).not.toBeNaN();
        if (c.capabilities.listingHashes) expect(a.contentHash).toMatch(/^sha256:[0-9a-f]{64}$/);
      }
    });

    it('refuses a cursor it did not make', async () => {
      await expectRefused(c.list(subject.source, { cursor: 'not-a-cursor' }), name);
    });

    it('fetches a listed asset with matching facts and the sha256 of the bytes it returns', async () => {
      const { assets } = await collect(c, subject.source);
      const a = assets[0]!;
      const f = await c.fetch(subject.source, a.id);
      expect(f.asset.id).toBe(a.id);
      expect(f.bytes.byteLength).toBe(a.size);
      expect(f.contentHash).toMatch(/^sha256:[0-9a-f]{64}$/);
      // the scan checks it against the hash of what the engine analysed (CONNECTOR_CONTENT_HASH_WRONG)
      expect(f.contentHash).toBe(contentHashOf(f.bytes));
      expect(f.mediaType).toMatch(/^image\//);
    });

    it('refuses to fetch, push or clear an id it did not list', async () => {
      const { assets } = await collect(c, subject.source);
      const listed = new Set(assets.map((a) => a.id));
      const unlisted = ['no-such-asset.jpg', '../outside.jpg', ...(subject.foreignIds ?? [])].filter(
        (id) => !listed.has(id),
      );
      for (const id of unlisted) {
        await expectRefused(c.fetch(subject.source, id), name);
        await expectRefused(c.push(subject.source, payload(id, [person('p-1', 'Ada Test', 0.1)])), name);
      }
      await expectRefused(c.clear(subject.source, { assetId: '../outside.jpg' }), name);
    });

    it('rejects a malformed payload as a Sitter bug before the connector sees it', async () => {
      const bad = payload(first, [{ ...person('p-1', 'Ada Test', 0.1), consentUri: 'mailto:ada@example.org' }]);
      await expect(c.push(subject.source, bad)).rejects.toBeInstanceOf(BugError);
      const badRecord = payload(first, [
        { ...person('p-1', 'Ada Test', 0.1), consentRecord: { id: 0, formSha256: 'not-a-hash' } },
      ]);
      await expect(c.push(subject.source, badRecord)).rejects.toBeInstanceOf(BugError);
      // contract 3's optional clearance and scopes are checked too
      const ok = payload(first, [{ ...person('p-1', 'Ada Test', 0.1), publicationScopes: ['web'] }]);
      for (const wrong of [
        { ...ok, clearance: [{ scope: 'web', cleared: true, reasons: ['scope-missing' as const] }] },
        { ...ok, clearance: [{ scope: 'Web Site', cleared: false, reasons: ['scope-missing' as const] }] },
        { ...ok, persons: [{ ...ok.persons[0]!, publicationScopes: ['web', 'web'] }] },
      ])
        await expect(c.push(subject.source, wrong)).rejects.toBeInstanceOf(BugError);
    });

    it('pushes idempotently, and pushing does not change the listing', async () => {
      const listedBefore = (await collect(c, subject.source)).assets.map((a) => a.id);
      const p = {
        ...payload(first, [
          { ...person('p-1', 'Ada Test', 0.1), publicationScopes: ['print', 'web'] },
          person('p-2', 'Ben Test', 0.6),
        ]),
        clearance: [{ scope: 'web', cleared: true, reasons: [] }],
      };
      expect((await c.push(subject.source, p)).changed).toBe(true);
      expect((await c.push(subject.source, p)).changed).toBe(false);
      // the same statement in another order is the same statement
      expect((await c.push(subject.source, { ...p, persons: [...p.persons].reverse() })).changed).toBe(false);
      expect((await collect(c, subject.source)).assets.map((a) => a.id)).toEqual(listedBefore);
      expect((await c.clear(subject.source, { assetId: first })).changed).toBe(true);
    });

    it('pushing twice leaves the same bytes, and clearing gives back what was there (snapshot)', async (ctx) => {
      const snapshot = need(ctx, 'snapshot');
      const before = await snapshot(first);
      const p = payload(first, [person('p-1', 'Ada Test', 0.1), person('p-2', 'Ben Test', 0.6)]);
      await c.push(subject.source, p);
      const after1 = await snapshot(first);
      expect(after1).not.toEqual(before);
      await c.push(subject.source, p);
      expect(await snapshot(first)).toEqual(after1);
      await c.clear(subject.source, { assetId: first });
      expect(await snapshot(first)).toEqual(before);
    });

    it('refuses to push onto an asset whose content is not the one scanned (ASSET_CHANGED)', async () => {
      await expect(c.push(subject.source, stalePayload(first))).rejects.toMatchObject({
        code: 'ASSET_CHANGED',
        message: expect.stringContaining(name),
      });
    });

    it('a push refused as ASSET_CHANGED writes nothing (snapshot, sitterConsentUris)', async (ctx) => {
      const snapshot = need(ctx, 'snapshot');
      const consentUris = need(ctx, 'sitterConsentUris');
      const before = await snapshot(first);
      await expect(c.push(subject.source, stalePayload(first))).rejects.toMatchObject({ code: 'ASSET_CHANGED' });
      expect(await snapshot(first)).toEqual(before);
      expect(await consentUris(first)).toEqual([]);
    });

    it('clears what Sitter wrote, and clearing twice is harmless', async () => {
      const id = (await collect(c, subject.source)).assets[1]!.id;
      await c.push(subject.source, payload(id, [person('p-1', 'Ada Test', 0.1)], 1));
      expect((await c.clear(subject.source, { assetId: id })).changed).toBe(true);
      expect((await c.clear(subject.source, { assetId: id })).changed).toBe(false);
    });

    it("clearing leaves no Sitter entry and keeps other tools' metadata (seedForeign, foreignIntact, sitterConsentUris)", async (ctx) => {
      const seedForeign = need(ctx, 'seedForeign');
      const foreignIntact = need(ctx, 'foreignIntact');
      const consentUris = need(ctx, 'sitterConsentUris');
      const id = (await collect(c, subject.source)).assets[1]!.id;
      await seedForeign(id);
      await c.push(subject.source, payload(id, [person('p-1', 'Ada Test', 0.1)], 1));
      expect(await foreignIntact(id)).toBe(true);
      expect(await consentUris(id)).toEqual([consentUri('contract-shoot', 'p-1')]);
      expect((await c.clear(subject.source, { assetId: id })).changed).toBe(true);
      expect(await foreignIntact(id)).toBe(true);
      expect(await consentUris(id)).toEqual([]);
    });

    it('re-pushing fewer persons drops the others (sitterConsentUris)', async (ctx) => {
      const consentUris = need(ctx, 'sitterConsentUris');
      const id = (await collect(c, subject.source)).assets[2]!.id;
      const ada = person('p-1', 'Ada Test', 0.1);
      const ben = person('p-2', 'Ben Test', 0.6);
      await c.push(subject.source, payload(id, [ada, ben]));
      expect(await consentUris(id)).toEqual([ada.consentUri, ben.consentUri].sort());
      await c.push(subject.source, payload(id, [ada], 1));
      expect(await consentUris(id)).toEqual([ada.consentUri]);
      await c.clear(subject.source, { assetId: id });
    });

    it('clears single persons when it declares partialClear (sitterConsentUris)', async (ctx) => {
      if (!c.capabilities.partialClear) {
        await expect(
          c.clear(subject.source, { assetId: first, consentUris: [consentUri('s', 'p')] }),
        ).rejects.toBeInstanceOf(BugError);
        return;
      }
      const consentUris = need(ctx, 'sitterConsentUris');
      const ada = person('p-1', 'Ada Test', 0.1);
      const ben = person('p-2', 'Ben Test', 0.6);
      await c.push(subject.source, payload(first, [ada, ben]));
      const r = await c.clear(subject.source, { assetId: first, consentUris: [ben.consentUri] });
      expect(r.changed).toBe(true);
      expect(await consentUris(first)).toEqual([ada.consentUri]);
      await c.clear(subject.source, { assetId: first });
      expect(await consentUris(first)).toEqual([]);
    });
  });
}
