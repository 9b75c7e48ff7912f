import { copyFileSync, mkdirSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { exiftool } from 'exiftool-vendored';
import { afterAll, afterEach, beforeEach, describe, expect, it } from 'vitest';
import { runSitter } from '../helpers/cli.js';
import { exiv2Embed, exiv2Keys, exiv2Modify, exiv2Packet } from '../helpers/exiv2.js';
import { seedApprovedShoot, seedConfirmedFaces } from '../helpers/seed.js';
import { makeWorkspace, type TestWorkspace } from '../helpers/workspace.js';

const REGION = 'Xmp.mwg-rs.Regions/mwg-rs:RegionList';

/**
 * Issue 14: a round trip with Exiv2 (the library digiKam and darktable use) beside ExifTool. The
 * sidecar Sitter writes is read by Exiv2 the way digiKam reads it (people tags, MWG face regions,
 * IPTC persons, Sitter's clearance); Exiv2 then rewrites the whole packet in its own form, as digiKam
 * does when the user rates or tags a photo; Sitter's withdrawal on that rewritten file takes out
 * exactly the withdrawn person and keeps what the user did.
 */
describe('Exiv2 round trip', () => {
  let t: TestWorkspace;
  let source = '';
  const sitter = (...args: string[]) => runSitter(['--workspace', t.root, ...args]);

  beforeEach(async () => {
    t = await makeWorkspace(new Date());
    await seedApprovedShoot(t, 's', [
      { id: 'P1', name: 'Ada Leaving', consent: 'yes', scopes: 'web' },
      { id: 'P2', name: 'Ben Staying', consent: 'yes', scopes: 'web;print' },
    ]);
    source = await seedConfirmedFaces(t, 's', [
      ['a.jpg', 'P1', 0.1],
      ['a.jpg', 'P2', 0.6],
    ]);
  });
  afterEach(async () => {
    await t.cleanup();
  });
  afterAll(async () => {
    await exiftool.end();
  });

  it('Exiv2 reads the people, regions and clearance; after Exiv2 rewrites the sidecar, a withdrawal removes exactly the person', async () => {
    // The option is set from the CLI, as a user would for a digiKam collection.
    const configure = await sitter('shoot', 'configure', 's', '--option', 'peopleTags=digikam');
    expect(configure.code, configure.stdout + configure.stderr).toBe(0);
    const push = await sitter('push', 's');
    expect(push.code, push.stdout + push.stderr).toBe(0);
    const file = join(source, 'a.jpg.xmp');

    // -PX: the keys digiKam maps to its people tags and face regions.
    const k = exiv2Keys(file);
    expect(k.get('Xmp.digiKam.TagsList')).toBe('People/Ada Leaving, People/Ben Staying');
    expect(k.get('Xmp.iptcExt.PersonInImage')).toBe('Ada Leaving, Ben Staying');
    expect(k.get(`${REGION}[1]/mwg-rs:Type`)).toBe('Face');
    expect(k.get(`${REGION}[1]/mwg-rs:Name`)).toBe('Ada Leaving');
    // MWG areas are centre-based: a box at x 0.1, width 0.2 has its centre at 0.2.
    expect(['x', 'y', 'w', 'h'].map((c) => Number(k.get(`${REGION}[1]/mwg-rs:Area/stArea:${c}`)))).toEqual([
      0.2, 0.25, 0.2, 0.3,
    ]);
    expect(k.get(`${REGION}[2]/mwg-rs:Name`)).toBe('Ben Staying');
    // the size the scan recorded (the seed's 100x100)
    expect(k.get('Xmp.mwg-rs.Regions/mwg-rs:AppliedToDimensions/stDim:w')).toBe('100');
    expect(k.get('Xmp.sitter.Clearance[1]/sitter:Scope')).toBe('print');
    expect(k.get('Xmp.sitter.Clearance[1]/sitter:Cleared')).toBe('False');
    expect(k.get('Xmp.sitter.Clearance[1]/sitter:Reasons')).toBe('scope-missing');
    expect(k.get('Xmp.sitter.Clearance[2]/sitter:Scope')).toBe('web');
    expect(k.get('Xmp.sitter.Clearance[2]/sitter:Cleared')).toBe('True');
    expect(k.get('Xmp.sitter.ClearanceSummary')).toMatch(/^print: not cleared \(scope-missing\); web: cleared/);
    expect(k.get('Xmp.iptcExt.PersonInImageWDetails[2]/sitter:PublicationScopes')).toBe('print, web');

    // Embedded into a copy of the photo (as on export), -pX prints the packet and -PX reads the same keys.
    const copy = join(source, 'export', 'a.jpg');
    mkdirSync(dirname(copy));
    copyFileSync(join(source, 'a.jpg'), copy);
    exiv2Embed(file, copy);
    expect(exiv2Packet(copy)).toMatch(/<rdf:li>People\/Ada Leaving<\/rdf:li>.*sitter:Clearance/s);
    expect(exiv2Keys(copy)).toEqual(k);

    // The user rates the photo and adds a tag in digiKam: Exiv2 rewrites the packet in its own form.
    exiv2Modify(file, ['set Xmp.xmp.Rating 3', 'set Xmp.digiKam.TagsList XmpSeq Events/Gala']);
    expect(readFileSync(file, 'utf8')).toMatch(/XMP Core [\d.]+-Exiv2/);

    const w = await sitter('withdraw', 's', 'P1');
    expect(w.code, w.stdout + w.stderr).toBe(0);
    const after = exiv2Keys(file);
    expect(after.get('Xmp.xmp.Rating')).toBe('3');
    // Sitter's own tag is written again after the user's (a push takes out all of Sitter's, then writes).
    expect(after.get('Xmp.digiKam.TagsList')).toBe('Events/Gala, People/Ben Staying');
    expect(after.get('Xmp.iptcExt.PersonInImage')).toBe('Ben Staying');
    expect(after.get(`${REGION}[1]/mwg-rs:Name`)).toBe('Ben Staying');
    expect(after.has(`${REGION}[2]`)).toBe(false);
    expect([...after.values()].join('\n')).not.toMatch(/Ada Leaving|consent:s:P1/);
    expect(after.get('Xmp.sitter.Clearance[2]/sitter:Cleared')).toBe('False');
    expect(after.get('Xmp.sitter.Clearance[2]/sitter:Reasons')).toBe('consent-withdrawn');
    expect(after.get('Xmp.sitter.ClearanceSummary')).toBe(
      'print: not cleared (consent-withdrawn); web: not cleared (consent-withdrawn)',
    );
    // And ExifTool still finds the file valid.
    const v = await exiftool.readRaw(file, ['-validate', '-warning', '-a']);
    expect(v.Validate).toBe('OK');
  });
});
