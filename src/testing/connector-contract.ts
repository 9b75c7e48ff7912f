/**
 * The connector contract suite (the unstorage `testDriver` / keyv test-suite pattern), the one
 * definition of the contract. Every connector runs it: the built-ins in Sitter's own tests, DAM
 * connectors against fake servers, and plugins in their own repositories, from the installed package:
 *
 *   import { runConnectorContract } from 'sitter/testing';
 *   runConnectorContract({ name: 'my-dam', make: async () => ({ connector, source, cleanup, ... }) });
 *
 * It checks the promises the core relies on: listing is complete and stable across pages (and while
 * assets come and go), ids it did not list are refused, pushing is idempotent and refuses changed
 * content, clearing removes only what Sitter wrote, outcomes agree with `changed`, caps and aborts
 * hold. Optional capabilities (revisions, renditions, readWritten, start/health) are tested only when
 * the connector declares them; checks that need a helper the subject leaves out are skipped and
 * recorded in `skippedChecks`, never passed on `undefined === undefined`.
 *
 * Needs vitest (an optional peer dependency of the package): only a test runner can call the
 * author's own fixture factory.
 */
import { afterAll, beforeAll, describe, expect, it, type TestContext } from 'vitest';
import { contentHashOf } from '../core/domain/content-hash.js';
import { BugError, SitterError } from '../core/domain/errors.js';
import type {
  AssetPage,
  Connector,
  ListedAsset,
  PushPayload,
  PushPerson,
  SourceRef,
  WriteOutcome,
} from '../core/ports/connector.js';
import { consentUri } from '../connectors/payload.js';
import { listAll, wrapConnector } from '../connectors/wrap-connector.js';
import { imageSize } from './image-size.js';

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
  /**
   * Changes the source while a listing pages through it: `add` puts a new asset in and returns its id,
   * `remove` takes one out. A DAM fixture adds and deletes on its fake server.
   */
  mutate?: { add(): Promise<string>; remove(assetId: string): Promise<void> };
  /** replaces an asset's content (a new file under the same id), for revision connectors */
  replaceContent?: (assetId: string) => Promise<void>;
  /** faults the fixture can inject: the next `n` requests answer "too many requests" (429) */
  faults?: { rateLimit(n: number): Promise<void> };
  /** secret values the connector was given: none may appear in a health report */
  secrets?: string[];
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

type Helper = Exclude<
  keyof ContractSubject,
  'connector' | 'source' | 'cleanup' | 'expectedAssetIds' | 'foreignIds' | 'secrets'
>;

/** Which outcomes are changes: `written` and `queued-for-approval` are, the other two are not. */
const IS_CHANGE: Record<WriteOutcome, boolean> = {
  written: true,
  'queued-for-approval': true,
  unchanged: false,
  'ignored-by-server': false,
};

/**
 * The checks each run skipped, by its describe title: a subject that leaves out an optional helper
 * has the checks that need it skipped and reported, never passed on `undefined === undefined`.
 */
export const skippedChecks = new Map<string, string[]>();

/** A payload for content the asset no longer has; to a revision connector, a revision it no longer has too. */
function stalePayload(assetId: string, revisions = false): PushPayload {
  return {
    ...payload(assetId, [person('p-1', 'Ada Test', 0.1)]),
    expectedContentHash: `sha256:${'ab'.repeat(32)}`,
    ...(revisions ? { expectedRevision: 'contract-suite-stale-revision' } : {}),
  };
}

/** A connector whose every call goes to `raw`'s own method, bound to it. */
function delegate(raw: Connector): Connector {
  const copy: Record<string, unknown> = { info: raw.info, capabilities: raw.capabilities };
  for (const key of [
    'list',
    'fetch',
    'push',
    'clear',
    'readWritten',
    'readLeftovers',
    'removeLeftovers',
    'start',
    'health',
    'close',
  ] as const) {
    const method = raw[key] as ((...args: unknown[]) => unknown) | undefined;
    if (method) copy[key] = method.bind(raw);
  }
  return copy as unknown as Connector;
}

/** The reason a call rejected with, or null when it resolved. */
async function rejection(p: Promise<unknown>): Promise<unknown> {
  return p.then(
    () => null,
    (e: unknown) => e ?? 'rejected without a reason',
  );
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

    /** A check for an ability the connector does not declare: skipped (nothing to test), not recorded. */
    function requires(ctx: TestContext, declared: boolean, what: string): void {
      if (!declared) ctx.skip(`the connector does not declare ${what}`);
    }

    it('declares contract 2 or 3 and every capability as a boolean', () => {
      expect(c.info.name).toMatch(/^[a-z][a-z0-9-]*$/);
      expect(typeof c.info.version).toBe('string');
      const own = subject.connector.info.contract;
      expect([undefined, 2, 3], 'info.contract').toContain(own);
      expect([2, 3]).toContain(c.info.contract);
      for (const key of ['listingHashes', 'regions', 'modelRelease', 'partialClear'] as const) {
        expect(typeof subject.connector.capabilities[key], key).toBe('boolean');
      }
      // v3 flags may be left out (= false), but a declared one is a boolean
      for (const key of ['revisions', 'renditions', 'approvalQueue'] as const) {
        expect([undefined, true, false], key).toContain(subject.connector.capabilities[key]);
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
        // contract 3: size may be missing from a listing, but a listed size is a real one
        if (a.size !== undefined) expect(a.size).toBeGreaterThan(0);
        expect(a.modifiedAt.getTime()).not.toBeNaN();
        if (c.capabilities.listingHashes) expect(a.contentHash).toMatch(/^sha256:[0-9a-f]{64}$/);
        if (c.capabilities.revisions) expect(a.revision).toMatch(/^.{1,200}$/s);
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
      if (a.size !== undefined) expect(f.bytes.byteLength).toBe(a.size);
      expect([undefined, 'original']).toContainEqual(f.rendition);
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
    });

    it('pushes idempotently, and pushing does not change the listing', async () => {
      const listedBefore = (await collect(c, subject.source)).assets.map((a) => a.id);
      const p = payload(first, [person('p-1', 'Ada Test', 0.1), person('p-2', 'Ben Test', 0.6)]);
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
      await expect(c.push(subject.source, stalePayload(first, c.capabilities.revisions))).rejects.toMatchObject({
        code: 'ASSET_CHANGED',
        message: expect.stringContaining(name),
      });
    });

    it('a push refused as ASSET_CHANGED writes nothing (snapshot, sitterConsentUris)', async (ctx) => {
      const snapshot = need(ctx, 'snapshot');
      const consentUris = need(ctx, 'sitterConsentUris');
      const before = await snapshot(first);
      await expect(c.push(subject.source, stalePayload(first, c.capabilities.revisions))).rejects.toMatchObject({
        code: 'ASSET_CHANGED',
      });
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

    it('keeps a listing correct when assets are added or removed between pages (mutate)', async (ctx) => {
      const mutate = need(ctx, 'mutate');
      const stable = (await collect(c, subject.source)).assets.map((a) => a.id);
      const doomed = await mutate.add();
      let added: string | null = null;
      const seen: string[] = [];
      // listAll refuses a repeated asset or cursor: the connector must not need either to stay correct
      for await (const page of listAll(c, subject.source, { pageSize: 1 })) {
        seen.push(...page.assets.map((a) => a.id));
        if (added === null) {
          added = await mutate.add();
          await mutate.remove(doomed);
        }
      }
      try {
        // every asset present throughout is listed exactly once; the ones that came or went may or may not be
        expect(seen.filter((id) => stable.includes(id))).toEqual(stable);
        expect(seen.filter((id) => !stable.includes(id)).every((id) => id === doomed || id === added)).toBe(true);
        expect(new Set(seen).size).toBe(seen.length);
      } finally {
        if (added !== null) await mutate.remove(added);
      }
      expect((await collect(c, subject.source)).assets.map((a) => a.id)).toEqual(stable);
    });

    it('gives the same revision when nothing changed and a new one after a content change (replaceContent)', async (ctx) => {
      requires(ctx, c.capabilities.revisions === true, 'revisions');
      const replaceContent = need(ctx, 'replaceContent');
      const revisionsOf = async () =>
        new Map((await collect(c, subject.source)).assets.map((a) => [a.id, a.revision] as const));
      const before = await revisionsOf();
      expect(await revisionsOf(), 'a second listing with nothing changed').toEqual(before);
      const id = [...before.keys()].at(-1)!;
      const stale = { ...payload(id, [person('p-1', 'Ada Test', 0.1)]), expectedRevision: before.get(id)! };
      await replaceContent(id);
      const after = await revisionsOf();
      expect(after.get(id), `the revision of ${id} after its content changed`).not.toBe(before.get(id));
      for (const [other, revision] of before) if (other !== id) expect(after.get(other), other).toBe(revision);
      // the old revision and hash describe the old content: a push with them is refused
      await expect(c.push(subject.source, stale)).rejects.toMatchObject({ code: 'ASSET_CHANGED' });
      hashes.set(id, (await c.fetch(subject.source, id)).contentHash);
    });

    it('fetches a smaller rendition when asked and the original by default', async (ctx) => {
      requires(ctx, c.capabilities.renditions === true, 'renditions');
      const original = await c.fetch(subject.source, first);
      expect([undefined, 'original']).toContainEqual(original.rendition);
      const full = imageSize(original.bytes);
      expect(full, 'the original is a JPEG, PNG, WebP or GIF the suite can measure').not.toBeNull();
      const small = await c.fetch(subject.source, first, { rendition: { maxDimension: 16 } });
      const size = imageSize(small.bytes);
      expect(Math.max(size!.width, size!.height)).toBeLessThanOrEqual(16);
      expect(small.rendition).not.toBe('original');
      expect(small.contentHash).toBe(contentHashOf(small.bytes));
      expect(small.asset.id).toBe(first);
      // never upscaled: a limit above the original gives at most the original's size
      const big = imageSize((await c.fetch(subject.source, first, { rendition: { maxDimension: 100_000 } })).bytes);
      expect(big!.width * big!.height).toBeLessThanOrEqual(full!.width * full!.height);
    });

    it('refuses a fetch over maxBytes with ASSET_TOO_LARGE', async () => {
      const whole = await c.fetch(subject.source, first);
      const exact = await c.fetch(subject.source, first, { maxBytes: whole.bytes.byteLength });
      expect(exact.contentHash).toBe(whole.contentHash);
      await expect(c.fetch(subject.source, first, { maxBytes: 16 })).rejects.toMatchObject({
        code: 'ASSET_TOO_LARGE',
        message: expect.stringContaining(name),
      });
    });

    it('rejects a call whose signal is already aborted', async () => {
      const controller = new AbortController();
      controller.abort();
      const signal = controller.signal;
      const calls: Array<[string, Promise<unknown>]> = [
        ['list', c.list(subject.source, { signal })],
        ['fetch', c.fetch(subject.source, first, { signal })],
        ['push', c.push(subject.source, payload(first, [person('p-1', 'Ada Test', 0.1)]), { signal })],
        ['clear', c.clear(subject.source, { assetId: first }, { signal })],
      ];
      for (const [what, call] of calls) {
        const e = await rejection(call);
        expect((e as Error | null)?.name, what).toBe('AbortError');
      }
    });

    it('reports push outcomes that agree with changed', async () => {
      const id = (await collect(c, subject.source)).assets[1]!.id;
      const p = payload(id, [person('p-1', 'Ada Test', 0.1)]);
      for (const r of [
        await c.push(subject.source, p),
        await c.push(subject.source, p),
        await c.clear(subject.source, { assetId: id }),
        await c.clear(subject.source, { assetId: id }),
      ]) {
        expect(Object.keys(IS_CHANGE)).toContain(r.outcome);
        expect(IS_CHANGE[r.outcome!], `outcome ${r.outcome} with changed ${r.changed}`).toBe(r.changed);
        if (r.outcome === 'queued-for-approval') expect(c.capabilities.approvalQueue).toBe(true);
        for (const field of r.ignoredFields ?? []) expect(typeof field).toBe('string');
      }
    });

    it('reads back what it wrote, and nothing after a clear', async (ctx) => {
      requires(ctx, c.readWritten !== undefined, 'readWritten');
      const id = (await collect(c, subject.source)).assets[2]!.id;
      const ada = person('p-1', 'Ada Test', 0.1);
      const pushed = await c.push(subject.source, payload(id, [ada]));
      const written = await c.readWritten!(subject.source, id);
      if (pushed.outcome !== 'queued-for-approval') {
        expect(written.map((f) => f.text).join('\n')).toContain(ada.consentUri);
      }
      await c.clear(subject.source, { assetId: id });
      const after = await c.readWritten!(subject.source, id);
      const named = after.filter((f) => f.text.includes(ada.consentUri) || f.text.includes(ada.displayName));
      expect(
        named.filter((f) => !f.pendingApproval),
        'files that still name the person',
      ).toEqual([]);
    });

    it('waits out a burst of rate limiting instead of failing (faults)', async (ctx) => {
      const faults = need(ctx, 'faults');
      const expected = (await collect(c, subject.source)).assets.map((a) => a.id);
      await faults.rateLimit(3);
      expect((await collect(c, subject.source)).assets.map((a) => a.id)).toEqual(expected);
      expect((await c.fetch(subject.source, first)).contentHash).toBe(hashes.get(first));
    });

    // Last, as it closes the connector: the afterAll closes it once more, which must be harmless too.
    it('starts once, reports health without secrets, and closes twice harmlessly', async (ctx) => {
      const raw = subject.connector;
      requires(ctx, raw.start !== undefined || raw.health !== undefined, 'start or health');
      let starts = 0;
      // A copy whose calls go to the connector itself (a class with private fields keeps working), with start counted.
      const counted: Connector = { ...delegate(raw) };
      if (raw.start) {
        const start = raw.start.bind(raw);
        counted.start = (o) => {
          starts += 1;
          return start(o);
        };
      }
      const fresh = wrapConnector(counted);
      await Promise.all([collect(fresh, subject.source), fresh.fetch(subject.source, first)]);
      await fresh.fetch(subject.source, first);
      if (raw.start) expect(starts, 'start runs once before the first calls').toBe(1);
      if (raw.health) {
        for (const source of [null, subject.source]) {
          const report = await fresh.health!(source);
          expect(report.ok, JSON.stringify(report)).toBe(true);
          const text = JSON.stringify(report);
          for (const secret of subject.secrets ?? []) expect(text).not.toContain(secret);
        }
      }
      await fresh.close!();
      await fresh.close!();
      await raw.close?.();
    });
  });
}
