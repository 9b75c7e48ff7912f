/**
 * Asset Bank write-back against the fake Asset Bank (a real HTTP server): what the connector reports
 * when the server keeps a read-only attribute or queues an edit for approval, the content guard, the
 * GET→PUT window with another editor, and a clear that touches only Sitter's attributes.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { consentUri } from '../../src/connectors/payload.js';
import { wrapConnector } from '../../src/connectors/wrap-connector.js';
import type { Connector, PushPayload, PushPerson } from '../../src/core/ports/connector.js';
import { FAKE_AB, photo, type FakeAssetBank } from '../fakes/asset-bank/index.js';
import { A, assetBankConnector, fakeWithShoot, ledgerUris } from '../helpers/asset-bank.js';

const SOURCE = `folder:${FAKE_AB.folders.shoot}`;
let fake: FakeAssetBank | undefined;
let connector: Connector | undefined;

afterEach(async () => {
  await connector?.close?.();
  await fake?.close();
  connector = fake = undefined;
});

function person(id: string, name: string, x: number): PushPerson {
  return {
    participantId: id,
    displayName: name,
    consentUri: consentUri('S42', id),
    box: { x, y: 0.2, w: 0.2, h: 0.3 },
    release: { id: `MR-${id}`, status: 'unlimited', minor: false },
  };
}

/** The shoot on the fake, a wrapped connector, and a scanned asset's payload (hash and revision). */
async function setUp(extra: Record<string, unknown> = {}) {
  const started = await fakeWithShoot(3);
  fake = started.fake;
  const raw = assetBankConnector(fake, extra);
  connector = wrapConnector(raw);
  const id = String(started.ids[0]);
  const listed = (await connector.list(SOURCE)).assets.find((a) => a.id === id)!;
  // The scan's fetch of a preview (the bare connector: the v2 wrapper on this branch drops fetch options).
  const scanned = await raw.fetch(SOURCE, id, { rendition: { maxDimension: 2048 } });
  const payload = (persons: PushPerson[], otherFaces = 0): PushPayload => ({
    assetId: id,
    expectedContentHash: scanned.contentHash,
    expectedRevision: listed.revision,
    expectedRendition: { maxDimension: 2048 },
    image: { width: 64, height: 48 },
    persons,
    otherFaces,
  });
  return { c: connector, fake, id, num: Number(id), payload };
}

const ada = person('p-001', 'Ada Test', 0.1);
const ben = person('p-002', 'Ben Test', 0.6);

describe('asset-bank push', () => {
  it('reports a read-only attribute as ignored', async () => {
    // The participants mapped onto an attribute the server keeps read-only: the rest is written.
    const t = await setUp({ participantsAttribute: A.lockedCaption });
    const r = await t.c.push(SOURCE, t.payload([ada]));
    expect(r).toMatchObject({
      changed: true,
      outcome: 'written',
      ignoredFields: [`participantsAttribute (attribute ${A.lockedCaption})`],
    });
    expect(ledgerUris(t.fake, t.num)).toEqual([ada.consentUri]);
    expect(t.fake.valueOf(t.num, A.lockedCaption)).toBe('');
    await t.c.close?.();
    await t.fake.close();

    // Everything mapped is read-only: the server stored nothing, and the result says so.
    const all = await setUp({
      consentRefsAttribute: A.lockedCaption,
      participantsAttribute: undefined,
      faceRegionsAttribute: undefined,
      usageClearanceAttribute: undefined,
    });
    const writes = all.fake.writes().length;
    const r2 = await all.c.push(SOURCE, all.payload([ada]));
    expect(r2).toMatchObject({
      changed: false,
      outcome: 'ignored-by-server',
      ignoredFields: [`consentRefsAttribute (attribute ${A.lockedCaption})`],
    });
    expect(
      all.fake
        .writes()
        .slice(writes)
        .filter((w) => Object.keys(w.changes).length > 0),
    ).toEqual([]);
  });

  it('reports an edit-with-approval push as queued', async () => {
    const t = await setUp({
      username: FAKE_AB.users.approvalEditor.username,
      password: FAKE_AB.users.approvalEditor.password,
      editsNeedApproval: true,
    });
    expect(t.c.capabilities.approvalQueue).toBe(true);
    const r = await t.c.push(SOURCE, t.payload([ada]));
    expect(r).toMatchObject({ changed: true, outcome: 'queued-for-approval' });
    expect(t.fake.writes().at(-1)).toMatchObject({ assetId: t.num, kind: 'queued' });
    // Not visible yet: the read-back says the source still shows something else than Sitter's edit.
    const before = await t.c.readWritten!(SOURCE, t.id);
    const refs = before.find((w) => w.location.endsWith(`#attribute-${A.consentRefs}`))!;
    expect(refs).toMatchObject({ text: '', pendingApproval: true });
    t.fake.approvePending(t.num);
    const after = await t.c.readWritten!(SOURCE, t.id);
    const refsAfter = after.find((w) => w.location.endsWith(`#attribute-${A.consentRefs}`))!;
    expect(refsAfter.pendingApproval).toBeUndefined();
    expect(refsAfter.text).toContain(ada.consentUri);
  });

  it('refuses a replaced file but passes a metadata-only edit', async () => {
    const t = await setUp();
    // Another editor changes a caption: the revision moves, the content does not.
    t.fake.editAsOther(t.num, { [A.title]: 'Gala dinner' });
    expect((await t.c.push(SOURCE, t.payload([ada]))).outcome).toBe('written');
    // Sitter's own push moved the revision too: the same payload is still recognised as unchanged.
    expect((await t.c.push(SOURCE, t.payload([ada]))).outcome).toBe('unchanged');
    // A new file under the same id: the faces on record belong to the old one.
    t.fake.replaceFile(t.num, await photo(999));
    const writes = t.fake.writes().length;
    await expect(t.c.push(SOURCE, t.payload([ada, ben]))).rejects.toMatchObject({
      code: 'ASSET_CHANGED',
      message: expect.stringContaining('asset-bank'),
    });
    expect(t.fake.writes().length).toBe(writes);
    expect(ledgerUris(t.fake, t.num)).toEqual([ada.consentUri]);
  });

  it("changed-only PUT keeps another editor's change", async () => {
    for (const putMode of ['full', 'changed-only'] as const) {
      const t = await setUp({ putMode });
      t.fake.slow(400, 'put');
      const pushing = t.c.push(SOURCE, t.payload([ada]));
      // The other editor saves while Sitter's PUT is on its way (after Sitter's GET).
      while (!t.fake.requests.some((r) => r.method === 'PUT')) await new Promise((res) => setTimeout(res, 5));
      t.fake.editAsOther(t.num, { [A.title]: 'Edited meanwhile' });
      expect((await pushing).outcome).toBe('written');
      expect(ledgerUris(t.fake, t.num)).toEqual([ada.consentUri]);
      // full sends back the whole representation read before: the documented window overwrites it.
      expect(t.fake.valueOf(t.num, A.title)).toBe(putMode === 'full' ? '' : 'Edited meanwhile');
      await t.c.close?.();
      await t.fake.close();
    }
  });

  it("clears only Sitter's attributes", async () => {
    const t = await setUp();
    t.fake.editAsOther(t.num, { [A.title]: 'Gala', [A.description]: 'Carol Other at the gala' });
    await t.c.push(SOURCE, t.payload([ada, ben], 1));
    expect(t.fake.valueOf(t.num, A.participants)).toBe('Ada Test; Ben Test');
    expect(t.fake.valueOf(t.num, A.usageClearance)).toBe('Restricted');
    // One person withdraws: the others stay, recomputed.
    const writes = t.fake.writes().length;
    expect((await t.c.clear(SOURCE, { assetId: t.id, consentUris: [ben.consentUri] })).changed).toBe(true);
    expect(ledgerUris(t.fake, t.num)).toEqual([ada.consentUri]);
    expect(t.fake.valueOf(t.num, A.participants)).toBe('Ada Test');
    expect(t.fake.valueOf(t.num, A.faceRegions)).not.toContain('Ben Test');
    // Everything: the mapped attributes are blank, nothing else moved.
    expect((await t.c.clear(SOURCE, { assetId: t.id })).changed).toBe(true);
    for (const attr of [A.consentRefs, A.participants, A.faceRegions, A.usageClearance])
      expect(t.fake.valueOf(t.num, attr)).toBe('');
    expect(t.fake.valueOf(t.num, A.title)).toBe('Gala');
    expect(t.fake.valueOf(t.num, A.description)).toBe('Carol Other at the gala');
    const touched = new Set(
      t.fake
        .writes()
        .slice(writes)
        .flatMap((w) => Object.keys(w.changes).map(Number)),
    );
    expect(
      [...touched].every((id) =>
        [A.consentRefs, A.participants, A.faceRegions, A.usageClearance].includes(id as never),
      ),
    ).toBe(true);
    // Attributes someone else filled are never Sitter's: a push onto them is refused, nothing written.
    t.fake.editAsOther(t.num, { [A.participants]: 'Typed by hand' });
    const before = t.fake.writes().length;
    await expect(t.c.push(SOURCE, t.payload([ada]))).rejects.toMatchObject({
      code: 'ATTRIBUTE_NOT_SITTERS',
      message: expect.stringContaining(`participantsAttribute (attribute ${A.participants})`),
    });
    expect(t.fake.writes().length).toBe(before);
  });
});
