/**
 * Issue 9, the push and sidecar parts, through the real CLI on a real workspace: a replaced photo is
 * refused (ASSET_CHANGED), a withdrawal reaches every place Sitter's push record names even after a
 * rescan of an edited photo and writes nowhere else, crash leftovers are swept, and a sidecar that is
 * not well-formed is refused and left byte for byte.
 */
import { spawnSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, readFileSync, readdirSync, utimesSync, writeFileSync } from 'node:fs';
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
  const photo = (name: string, colour: string) =>
    sharp({ create: { width: 64, height: 48, channels: 3, background: colour } })
      .jpeg()
      .toFile(join(source, name));
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
    expect(out.failed).toEqual([
      expect.objectContaining({
        asset: 'a.jpg',
        code: 'ASSET_CHANGED',
        hint: expect.stringContaining('sitter scan s'),
      }),
    ]);
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

  describe('#5 leftovers in a folder this run pushes nothing to', () => {
    // A scanned photo in day2 that was never pushed, and what a push killed while writing its sidecar left.
    let leftover = '';
    beforeEach(async () => {
      mkdirSync(join(source, 'day2'));
      await photo('day2/IMG_0005.jpg', '#557');
      await seedProposal(t, 's', 'day2/IMG_0005.jpg', 'P2', 0.6);
      leftover = join(source, 'day2', '.IMG_0005.jpg.xmp.sitter-999997-cccccccccccc.tmp');
      writeFileSync(leftover, '<x:xmpmeta><rdf:li>Ada Leaving</rdf:li></x:xmpmeta>');
      const anHourAgo = new Date(Date.now() - 3600_000);
      utimesSync(leftover, anHourAgo, anHourAgo);
    });

    it.each([
      ['withdraw', ['withdraw', 's', 'P1']],
      ['push', ['push', 's']],
      ['push --withdrawals', ['push', 's', '--withdrawals']],
      ['erase', ['erase', 's', 'P1']],
    ])('%s removes it', async (_, args) => {
      const run = await sitter(...args);
      expect(run.code, run.stdout).toBe(0);
      expect(existsSync(leftover)).toBe(false);
      expect(readdirSync(join(source, 'day2')).sort()).toEqual(['IMG_0005.jpg']);
      if (args[0] === 'push') expect(jsonOf(run)).toMatchObject({ leftoversRemoved: [leftover] });
      if (args[0] === 'erase') expect(jsonOf(run)).toMatchObject({ verification: { clean: true, traces: [] } });
    });

    it('erase proves it: a live leftover of a photo never scanned, in a folder of its own, is found and reported', async () => {
      mkdirSync(join(source, 'day3'));
      await photo('day3/IMG_0009.jpg', '#755');
      // A push still running (this test's own process id, written now): left alone, but it names Ada.
      const inFlight = join(source, 'day3', `.IMG_0009.jpg.xmp.sitter-${process.pid}-dddddddddddd.tmp`);
      writeFileSync(inFlight, '<x:xmpmeta><rdf:li>Ada Leaving</rdf:li></x:xmpmeta>');
      const run = await sitter('erase', 's', 'P1');
      expect(run.code).toBe(1);
      expect(existsSync(inFlight)).toBe(true);
      expect(existsSync(leftover)).toBe(false);
      expect(jsonOf(run)).toMatchObject({
        verification: { clean: false, traces: [{ place: inFlight, what: 'name' }] },
      });
    });
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
    expect(out.failed).toEqual([
      expect.objectContaining({
        asset: 'a.jpg',
        code: 'SIDECAR_UNREADABLE',
        message: expect.stringContaining('not well-formed'),
      }),
    ]);
    expect(out.written).toBe(1); // b.jpg went on
    expect(readFileSync(sidecar('a.jpg')).equals(cut)).toBe(true);
  });

  it('#6 mismatched, unclosed and duplicated markup is found, with its line', () => {
    expect(wellFormednessProblem('<a><b></a>')).toMatch(/<b> is closed by <\/a>/);
    expect(
      wellFormednessProblem(
        '<x:xmpmeta xmlns:x="adobe:ns:meta/">\n<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#">\n',
      ),
    ).toMatch(/line 3: <rdf:RDF> is not closed/);
    expect(wellFormednessProblem('<a x="1" x="2"/>')).toMatch(/twice/);
    expect(wellFormednessProblem('<a>&nbsp;</a>')).toMatch(/entity/);
    expect(wellFormednessProblem('<a/><b/>')).toMatch(/more than one root/);
    expect(wellFormednessProblem(DIGIKAM_SIDECAR)).toBeNull();
  });

  it.each([
    [
      'an unbound element prefix',
      DIGIKAM_SIDECAR.replace('</rdf:RDF>', '<foo:bar>x</foo:bar></rdf:RDF>'),
      /prefix "foo" of foo:bar is not bound/,
    ],
    [
      'an unbound attribute prefix',
      DIGIKAM_SIDECAR.replace('<rdf:Description', '<rdf:Description foo:x="1"'),
      /prefix "foo" of foo:x is not bound/,
    ],
    ['a NUL byte', DIGIKAM_SIDECAR.replace('</rdf:RDF>', '\u0000</rdf:RDF>'), /U\+0000 is not allowed/],
    ['a control character', DIGIKAM_SIDECAR.replace('</rdf:RDF>', '\u001b</rdf:RDF>'), /U\+001B is not allowed/],
    [
      'a reference to NUL',
      DIGIKAM_SIDECAR.replace('</rdf:RDF>', '&#0;</rdf:RDF>'),
      /"&#0;" refers to a character not allowed/,
    ],
  ])('#6 a sidecar with %s is refused per asset (SIDECAR_UNREADABLE) and left byte for byte', async (_, text, why) => {
    expect(wellFormednessProblem(text)).toMatch(why);
    await confirm('a.jpg', 'P1', 0.1);
    const bytes = Buffer.from(text, 'utf8');
    writeFileSync(sidecar('a.jpg'), bytes);
    const run = await sitter('push', 's');
    expect(run.code).toBe(1);
    expect((jsonOf(run) as { failed: unknown[] }).failed).toEqual([
      expect.objectContaining({ asset: 'a.jpg', code: 'SIDECAR_UNREADABLE', message: expect.stringMatching(why) }),
    ]);
    expect(readFileSync(sidecar('a.jpg')).equals(bytes)).toBe(true);
  });

  it('#6 a prefix bound on an ancestor, xml:lang and a default namespace stay well-formed', () => {
    expect(wellFormednessProblem('<a:r xmlns:a="urn:a"><a:b xml:lang="en"><c xmlns="urn:c"/></a:b></a:r>')).toBeNull();
    expect(wellFormednessProblem('<a:r xmlns:a="urn:a"><a:b/></a:r><!-- -->')).toBeNull();
    expect(wellFormednessProblem('<r><a:b xmlns:a="urn:a"/><a:c/></r>')).toMatch(/prefix "a" of a:c is not bound/);
  });
});
