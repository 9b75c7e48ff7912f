/**
 * Issue 9, the push and sidecar parts, through the real CLI on a real workspace: a replaced photo is
 * refused (ASSET_CHANGED), a withdrawal reaches every place Sitter's push record names even after a
 * rescan of an edited photo and writes nowhere else, crash leftovers are swept, and a sidecar that is
 * not well-formed is refused and left byte for byte.
 */
import { spawnSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { exiftool } from 'exiftool-vendored';
import sharp from 'sharp';
import { afterAll, afterEach, beforeEach, describe, expect, it } from 'vitest';
import { wellFormednessProblem } from '../../src/connectors/xmp/well-formed.js';
import { decideFace } from '../../src/core/services/decision-service.js';
import { DIGIKAM_SIDECAR, contentHashOf } from '../contract/fixtures.js';
import { jsonOf, runSitter } from '../helpers/cli.js';
import { seedApprovedShoot, seedProposal } from '../helpers/seed.js';
import { makeWorkspace, type TestWorkspace } from '../helpers/workspace.js';

type Tags = Record<string, unknown>;

describe('push and withdrawal without holes (issue 9)', () => {
  let t: TestWorkspace;
  let source = '';
  const sitter = (...args: string[]) => runSitter(['--workspace', t.root, '--json', ...args]);
  const sidecar = (name: string) => join(source, `${name}.xmp`);
  const photo = (name: string, colour: string) => sharp({ create: { width: 64, height: 48, channels: 3, background: colour } }).jpeg().toFile(join(source, name));
  const confirm = async (asset: string, who: string, x: number) => {
    const face = await seedProposal(t, 's', asset, who, 0.8, { x, y: 0.1, w: 0.2, h: 0.3 });
    await decideFace(t.ctx, 's', face.id, { kind: 'confirm' }, 'Rita');
  };

  beforeEach(async () => {
    // The CLI runs on the system clock: seed with the real time so the shoot is within its retention.
    t = await makeWorkspace(new Date());
    await seedApprovedShoot(t, 's', [
      { id: 'P1', name: 'Ada Leaving', consent: 'yes' },
      { id: 'P2', name: 'Ben Staying', consent: 'yes' },
    ]);
    source = join(t.root, '..');
    mkdirSync(source, { recursive: true });
    await photo('a.jpg', '#777');
    await photo('b.jpg', '#575');
  });
  afterEach(async () => {
    await t.cleanup();
  });
  afterAll(async () => {
    await exiftool.end();
  });

  it('#3 refuses to push onto a replaced photo (ASSET_CHANGED, hint to rescan) and writes nothing', async () => {
    await confirm('a.jpg', 'P1', 0.1);
    await photo('a.jpg', '#123'); // another photo now has the name
    const run = await sitter('push', 's');
    expect(run.code).toBe(1);
    const out = jsonOf(run) as { failed: { asset: string; code: string; hint: string }[]; written: number };
    expect(out.written).toBe(0);
    expect(out.failed).toEqual([expect.objectContaining({ asset: 'a.jpg', code: 'ASSET_CHANGED', hint: expect.stringContaining('sitter scan s') })]);
    expect(existsSync(sidecar('a.jpg'))).toBe(false);
  });

  it('#4 a withdrawal clears the sidecar of a photo edited and rescanned since the push, only that person, and writes no sidecar Sitter never pushed', async () => {
    await confirm('a.jpg', 'P1', 0.1);
    await confirm('a.jpg', 'P2', 0.6);
    expect(jsonOf(await sitter('push', 's'))).toMatchObject({ written: 1 });
    // Confirmed after the push: Sitter never wrote on b.jpg.
    await confirm('b.jpg', 'P1', 0.3);
    await confirm('b.jpg', 'P2', 0.6);
    // The photo is edited and rescanned, as a scan leaves it: new content hash, faces replaced, flags reset.
    await photo('a.jpg', '#778');
    await t.ws.store.transaction(async (uow) => {
      const asset = (await uow.assets.findByConnectorId('s', 'a.jpg'))!;
      await uow.faces.deleteByAsset(asset.id);
      asset.contentSha256 = contentHashOf(join(source, 'a.jpg'));
      asset.flags = ['unidentified-person'];
    });
    const run = await sitter('withdraw', 's', 'P1');
    expect(run.code, run.stdout).toBe(0);
    const receipt = jsonOf(run) as { damUpdates: { asset: string; action: string }[]; damFailures: unknown[] };
    expect(receipt.damFailures).toEqual([]);
    expect(receipt.damUpdates).toEqual([expect.objectContaining({ asset: 'a.jpg', action: 'cleared' })]);
    const tags = (await exiftool.read(sidecar('a.jpg'))) as unknown as Tags;
    expect(JSON.stringify(tags)).not.toContain('Ada Leaving');
    expect(JSON.stringify(tags)).not.toContain('urn:sitter:consent:s:P1');
    expect(tags.PersonInImage).toEqual(['Ben Staying']);
    expect(existsSync(sidecar('b.jpg'))).toBe(false);
    // The record says the place no longer names P1; push --withdrawals has nothing more to do there.
    const again = jsonOf(await sitter('push', 's', '--withdrawals')) as { written: number; cleared: number };
    expect(again).toMatchObject({ written: 0, cleared: 0 });
    expect(existsSync(sidecar('b.jpg'))).toBe(false);
  });

  it('#4 push --withdrawals reaches a withdrawn person on a rescanned photo after the consent file withdrew them', async () => {
    await confirm('a.jpg', 'P1', 0.1);
    expect(jsonOf(await sitter('push', 's'))).toMatchObject({ written: 1 });
    await t.ws.store.transaction(async (uow) => {
      const asset = (await uow.assets.findByConnectorId('s', 'a.jpg'))!;
      await uow.faces.deleteByAsset(asset.id);
      asset.flags = [];
    });
    // The person withdraws through the store's own cascade (as a consent re-import does).
    const { withdrawalCascade } = await import('../../src/core/services/withdrawal.js');
    const affected = await t.ws.store.transaction(async (uow) => {
      const p1 = (await uow.participants.findByExternalRef('s', 'P1'))!;
      const current = (await uow.consents.current(p1.id))!;
      const { id: _id, ...rest } = current;
      await uow.consents.add({ ...rest, withdrawnAt: new Date(Date.now() - 1000) });
      return (await withdrawalCascade(uow, p1)).affectedAssetIds;
    });
    expect(affected.length).toBe(1);
    expect(jsonOf(await sitter('push', 's', '--withdrawals'))).toMatchObject({ cleared: 1, written: 0 });
    expect(existsSync(sidecar('a.jpg'))).toBe(false);
  });

  it('#5 the next withdrawal of the folder removes temp sidecars a killed push left, and nothing else', async () => {
    await confirm('a.jpg', 'P1', 0.1);
    expect(jsonOf(await sitter('push', 's'))).toMatchObject({ written: 1 });
    // What kill -9 between write and rename leaves: Sitter's temp name, a dead process id, the person named.
    const deadPid = spawnSync('true').pid;
    const leftover = `.a.jpg.xmp.sitter-${deadPid}-0123456789ab.tmp`;
    copyFileSync(sidecar('a.jpg'), join(source, leftover));
    const foreign = ['.a.jpg.xmp.tmp', `notes.sitter-${deadPid}-0123456789ab.tmp`];
    for (const f of foreign) writeFileSync(join(source, f), 'Ada Leaving');
    expect(readFileSync(join(source, leftover), 'utf8')).toContain('Ada Leaving');
    expect((await sitter('withdraw', 's', 'P1')).code).toBe(0);
    const left = readdirSync(source);
    expect(left).not.toContain(leftover);
    for (const f of foreign) expect(left).toContain(f);
    expect(left.filter((n) => n.includes('.sitter-') && n.endsWith('.tmp') && n.startsWith('.a.jpg'))).toEqual([]);
  });

  it('#6 a sidecar that is not well-formed XML is refused per asset and left byte for byte', async () => {
    await confirm('a.jpg', 'P1', 0.1);
    await confirm('b.jpg', 'P2', 0.3);
    // digiKam's sidecar cut short by a crash or a partial copy, at a tag's end: a forgiving parser
    // would close what is open and rewrite the rest as if it were whole.
    const cutAt = DIGIKAM_SIDECAR.lastIndexOf('>', Math.floor(DIGIKAM_SIDECAR.length * 0.6)) + 1;
    const cut = Buffer.from(DIGIKAM_SIDECAR.slice(0, cutAt));
    writeFileSync(sidecar('a.jpg'), cut);
    const run = await sitter('push', 's');
    expect(run.code).toBe(1);
    const out = jsonOf(run) as { written: number; failed: { asset: string; code: string; message: string }[] };
    expect(out.failed).toEqual([expect.objectContaining({ asset: 'a.jpg', code: 'SIDECAR_UNREADABLE', message: expect.stringContaining('not well-formed') })]);
    expect(out.written).toBe(1); // b.jpg went on
    expect(readFileSync(sidecar('a.jpg')).equals(cut)).toBe(true);
  });

  it('#6 mismatched, unclosed and duplicated markup is found, with its line', () => {
    expect(wellFormednessProblem('<a><b></a>')).toMatch(/<b> is closed by <\/a>/);
    expect(wellFormednessProblem('<x:xmpmeta>\n<rdf:RDF>\n')).toMatch(/line 3: <rdf:RDF> is not closed/);
    expect(wellFormednessProblem('<a x="1" x="2"/>')).toMatch(/twice/);
    expect(wellFormednessProblem('<a>&nbsp;</a>')).toMatch(/entity/);
    expect(wellFormednessProblem('<a/><b/>')).toMatch(/more than one root/);
    expect(wellFormednessProblem(DIGIKAM_SIDECAR)).toBeNull();
  });
});
