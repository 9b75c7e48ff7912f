/**
 * XMP write-back read back by ExifTool (exiftool-vendored): every sidecar Sitter writes validates,
 * names and regions round-trip, another tool's sidecar keeps its tags, pushing twice is byte-identical,
 * and clearing gives the other tool's metadata back as it was.
 */
import { execFileSync } from 'node:child_process';
import { readFile, writeFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import path from 'node:path';
import { exiftool } from 'exiftool-vendored';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Connector, PushPayload, PushPerson } from '../../src/core/ports/connector.js';
import { createLocalConnector } from '../../src/connectors/local/index.js';
import { consentUri } from '../../src/connectors/payload.js';
import { wrapConnector } from '../../src/connectors/wrap-connector.js';
import { DIGIKAM_SIDECAR, contentHashOf, makeImage, put, tempDir } from '../contract/fixtures.js';

type Raw = Record<string, unknown>;

let root: string;
let cleanup: () => Promise<void>;
let local: Connector;

const alice: PushPerson = {
  participantId: 'p-001',
  displayName: 'Alice Example',
  consentUri: consentUri('shoot-42', 'p-001'),
  box: { x: 0.1, y: 0.2, w: 0.15, h: 0.25 },
  release: { id: 'MR-42-001', status: 'unlimited', minor: false },
};
const bob: PushPerson = {
  participantId: 'p-002',
  displayName: 'Bob Example',
  consentUri: consentUri('shoot-42', 'p-002'),
  box: { x: 0.6, y: 0.25, w: 0.12, h: 0.2 },
  release: { id: 'MR-42-002', status: 'unlimited', minor: true, ageAtShoot: 16 },
};

function payload(assetId: string, persons: PushPerson[], extra: Partial<PushPayload> = {}): PushPayload {
  return {
    assetId,
    expectedContentHash: contentHashOf(path.join(root, assetId)),
    image: { width: 6000, height: 4000 },
    persons,
    otherFaces: 0,
    ...extra,
  };
}

/** ExifTool's verdict: "OK" and no warning. */
async function expectValid(file: string): Promise<void> {
  const v = await exiftool.readRaw(file, ['-validate', '-warning', '-a']);
  expect(v.Validate, JSON.stringify(v)).toBe('OK');
  expect(v.Warning).toBeUndefined();
}

/** Every XMP tag, as structures with raw values (-n), without the file system's facts. */
async function xmp(file: string): Promise<Raw> {
  const raw = (await exiftool.readRaw(file, ['-struct', '-n', '-XMP:all'])) as Raw;
  const { SourceFile: _s, errors: _e, warnings: _w, XMPToolkit: _t, ...tags } = raw;
  return tags;
}

async function image(name: string): Promise<string> {
  await put(path.join(root, name), await makeImage('jpeg', 60, 40));
  return `${path.join(root, name)}.xmp`;
}

beforeAll(async () => {
  ({ dir: root, cleanup } = await tempDir('sitter-xmp-'));
  local = wrapConnector(createLocalConnector());
});

afterAll(async () => {
  await exiftool.end();
  await cleanup();
});

describe('XMP sidecar written from scratch', () => {
  it('validates and carries names, consent URIs, IPTC and MWG regions and PLUS fields', async () => {
    const file = await image('fresh.jpg');
    const r = await local.push(root, payload('fresh.jpg', [bob, alice]));
    expect(r).toEqual({ changed: true, location: file, outcome: 'written' });
    await expectValid(file);
    const t = await xmp(file);
    expect(t.PersonInImage).toEqual(['Alice Example', 'Bob Example']);
    expect(t.PersonInImageWDetails).toEqual([
      { PersonId: [alice.consentUri], PersonName: 'Alice Example' },
      { PersonId: [bob.consentUri], PersonName: 'Bob Example' },
    ]);
    const regions = t.ImageRegion as Raw[];
    expect(regions).toHaveLength(2);
    expect(regions[0]).toMatchObject({
      Name: 'Alice Example',
      RId: 'sitter:p-001',
      RegionBoundary: { RbShape: 'rectangle', RbUnit: 'relative', RbX: 0.1, RbY: 0.2, RbW: 0.15, RbH: 0.25 },
      PersonInImageWDetails: [{ PersonId: [alice.consentUri] }],
    });
    expect(regions[1]).toMatchObject({
      Name: 'Bob Example',
      RegionBoundary: { RbX: 0.6, RbY: 0.25, RbW: 0.12, RbH: 0.2 },
    });
    expect(t.RegionInfo).toEqual({
      AppliedToDimensions: { W: 6000, H: 4000, Unit: 'pixel' },
      RegionList: [
        {
          Area: { X: 0.175, Y: 0.325, W: 0.15, H: 0.25, Unit: 'normalized' },
          Name: 'Alice Example',
          Type: 'Face',
          Description: alice.consentUri,
        },
        {
          Area: { X: 0.66, Y: 0.35, W: 0.12, H: 0.2, Unit: 'normalized' },
          Name: 'Bob Example',
          Type: 'Face',
          Description: bob.consentUri,
        },
      ],
    });
    expect(t.ModelReleaseStatus).toBe('MR-UMR');
    expect(t.ModelReleaseID).toEqual(['MR-42-001', 'MR-42-002']);
    expect(t.MinorModelAgeDisclosure).toBe('AG-A16');
    // and through exiftool-vendored's parsed reading, as an app would use it
    const tags = (await exiftool.read(file)) as unknown as Raw;
    expect(tags.PersonInImage).toEqual(['Alice Example', 'Bob Example']);
    expect((tags.RegionInfo as { RegionList: Raw[] }).RegionList.map((r) => r.Name)).toEqual([
      'Alice Example',
      'Bob Example',
    ]);
    expect(tags.ModelReleaseStatus).toBe('Unlimited Model Releases');
  });

  it('pushing twice (in any order) writes byte-identical files', async () => {
    const file = await image('twice.jpg');
    await local.push(root, payload('twice.jpg', [alice, bob]));
    const first = await readFile(file);
    expect((await local.push(root, payload('twice.jpg', [bob, alice]))).changed).toBe(false);
    expect((await readFile(file)).equals(first)).toBe(true);
  });

  it('never names unidentified faces; they make the releases incomplete', async () => {
    const file = await image('crowd.jpg');
    await local.push(root, payload('crowd.jpg', [{ ...alice, release: { ...alice.release } }], { otherFaces: 3 }));
    await expectValid(file);
    const t = await xmp(file);
    expect(t.PersonInImage).toEqual(['Alice Example']);
    expect((t.RegionInfo as { RegionList: unknown[] }).RegionList).toHaveLength(1);
    expect(t.ModelReleaseStatus).toBe('MR-LMR');
    expect(t.MinorModelAgeDisclosure).toBeUndefined(); // adults' ages are never written
  });

  it('escapes names that are not XML-safe', async () => {
    const file = await image('odd.jpg');
    const odd = { ...alice, displayName: `Zoë "Z" <O'Brien> & Co` };
    await local.push(root, payload('odd.jpg', [odd]));
    await expectValid(file);
    expect((await xmp(file)).PersonInImage).toEqual([odd.displayName]);
  });

  it('writes regions in the stored frame for EXIF-rotated images (MWG 2.0 5.9)', async () => {
    const file = await image('rotated.jpg');
    // displayed 40x60 (portrait), stored 60x40 with orientation 6 (display = stored rotated 90 CW)
    const p = { ...alice, box: { x: 0.1, y: 0.2, w: 0.3, h: 0.2 } };
    await local.push(root, payload('rotated.jpg', [p], { image: { width: 40, height: 60, orientation: 6 } }));
    await expectValid(file);
    const t = await xmp(file);
    expect((t.ImageRegion as Raw[])[0]).toMatchObject({ RegionBoundary: { RbX: 0.2, RbY: 0.6, RbW: 0.2, RbH: 0.3 } });
    expect(t.RegionInfo).toMatchObject({
      AppliedToDimensions: { W: 60, H: 40 },
      RegionList: [{ Area: { X: 0.3, Y: 0.75, W: 0.2, H: 0.3 } }],
    });
  });

  it('removes the sidecar it created when clearing leaves nothing', async () => {
    const file = await image('temporary.jpg');
    await local.push(root, payload('temporary.jpg', [alice]));
    expect((await local.clear(root, { assetId: 'temporary.jpg' })).changed).toBe(true);
    await expect(readFile(file)).rejects.toThrow();
  });
});

describe('XMP merged into a sidecar another tool wrote', () => {
  it('keeps a digiKam sidecar intact, adds ours, is idempotent, and clearing restores it', async () => {
    const file = await image('digikam.jpg');
    await writeFile(file, DIGIKAM_SIDECAR);
    await expectValid(file);
    const before = await xmp(file);
    expect(before.TagsList).toEqual(['People/Carol Other', 'Events/Gala']);

    await local.push(root, payload('digikam.jpg', [alice, bob], { image: { width: 64, height: 48 } }));
    await expectValid(file);
    const after = await xmp(file);
    for (const key of ['TagsList', 'HierarchicalSubject', 'Subject', 'Rating', 'RegionInfoMP']) {
      expect(after[key], key).toEqual(before[key]);
    }
    const mwg = after.RegionInfo as { AppliedToDimensions: Raw; RegionList: Raw[] };
    expect(mwg.AppliedToDimensions).toEqual({ W: 64, H: 48, Unit: 'pixel' });
    expect(mwg.RegionList.map((r) => r.Name)).toEqual(['Carol Other', 'Alice Example', 'Bob Example']);
    expect(after.PersonInImage).toEqual(['Alice Example', 'Bob Example']);

    const bytes = await readFile(file);
    expect(
      (await local.push(root, payload('digikam.jpg', [alice, bob], { image: { width: 64, height: 48 } }))).changed,
    ).toBe(false);
    expect((await readFile(file)).equals(bytes)).toBe(true);

    expect((await local.clear(root, { assetId: 'digikam.jpg' })).changed).toBe(true);
    await expectValid(file);
    expect(await xmp(file)).toEqual(before);
  });

  it('withdraws one person: their entries go, the other stays, the release status says incomplete', async () => {
    const file = await image('withdraw.jpg');
    await writeFile(file, DIGIKAM_SIDECAR);
    await local.push(root, payload('withdraw.jpg', [alice, bob]));
    await local.clear(root, { assetId: 'withdraw.jpg', consentUris: [bob.consentUri] });
    await expectValid(file);
    const t = await xmp(file);
    expect(t.PersonInImage).toEqual(['Alice Example']);
    expect(t.PersonInImageWDetails).toEqual([{ PersonId: [alice.consentUri], PersonName: 'Alice Example' }]);
    expect((t.ImageRegion as Raw[]).map((r) => r.Name)).toEqual(['Alice Example']);
    expect((t.RegionInfo as { RegionList: Raw[] }).RegionList.map((r) => r.Name)).toEqual([
      'Carol Other',
      'Alice Example',
    ]);
    expect(t.ModelReleaseID).toEqual(['MR-42-001']);
    expect(t.ModelReleaseStatus).toBe('MR-LMR');
    expect(t.MinorModelAgeDisclosure).toBeUndefined();
    expect(t.TagsList).toEqual(['People/Carol Other', 'Events/Gala']);
  });

  it('replaces a PLUS value another tool set (attribute form) and gives it back on clear; shared names stay', async () => {
    const file = await image('exiv2-plus.jpg');
    const foreign = DIGIKAM_SIDECAR.replace(
      'xmp:Rating="4"',
      'xmp:Rating="4" xmlns:plus="http://ns.useplus.org/ldf/xmp/1.0/" plus:ModelReleaseStatus="http://ns.useplus.org/ldf/vocab/MR-NON"',
    ).replace(
      '<dc:subject>',
      '<Iptc4xmpExt:PersonInImage xmlns:Iptc4xmpExt="http://iptc.org/std/Iptc4xmpExt/2008-02-29/"><rdf:Bag><rdf:li>Alice Example</rdf:li></rdf:Bag></Iptc4xmpExt:PersonInImage>\n   <dc:subject>',
    );
    await writeFile(file, foreign);
    await expectValid(file);
    const before = await xmp(file);
    expect(before.ModelReleaseStatus).toBe('MR-NON');
    await local.push(root, payload('exiv2-plus.jpg', [alice]));
    await expectValid(file);
    const mid = await xmp(file);
    expect(mid.ModelReleaseStatus).toBe('MR-UMR');
    expect(mid.PersonInImage).toEqual(['Alice Example']); // already there: not duplicated
    await local.clear(root, { assetId: 'exiv2-plus.jpg' });
    expect(await xmp(file)).toEqual(before); // Alice's name was not Sitter's to remove
  });

  it('never rebinds a prefix another tool uses for something else', async () => {
    const file = await image('prefix.jpg');
    const foreign = DIGIKAM_SIDECAR.replace('xmlns:xmp=', 'xmlns:plus="urn:example:not-plus/" xmlns:xmp=').replace(
      '<dc:subject>',
      '<plus:Thing>kept</plus:Thing>\n   <dc:subject>',
    );
    await writeFile(file, foreign);
    await local.push(root, payload('prefix.jpg', [alice]));
    await expectValid(file);
    const text = await readFile(file, 'utf8');
    expect(text).toContain('xmlns:plus="urn:example:not-plus/"');
    expect(text).toContain('xmlns:plus1="http://ns.useplus.org/ldf/xmp/1.0/"');
    expect((await xmp(file)).ModelReleaseStatus).toBe('MR-UMR');
    await local.clear(root, { assetId: 'prefix.jpg' });
    expect(await readFile(file, 'utf8')).toContain('<plus:Thing>kept</plus:Thing>');
  });

  it('merges into a sidecar ExifTool itself wrote (one rdf:Description per namespace)', async () => {
    const file = await image('by-exiftool.jpg');
    const script = path.join(
      path.dirname(createRequire(import.meta.url).resolve('exiftool-vendored.pl/package.json')),
      'bin',
      'exiftool',
    );
    execFileSync('perl', [
      script,
      '-q',
      '-o',
      file,
      '-XMP-dc:Subject=Gala',
      '-XMP-xmp:Rating=2',
      '-XMP-dc:Title=Evening',
      '-XMP-iptcExt:PersonInImage=Dora Foreign',
    ]);
    const before = await xmp(file);
    expect(before.Subject).toEqual(['Gala']);
    await local.push(root, payload('by-exiftool.jpg', [alice]));
    await expectValid(file);
    const t = await xmp(file);
    expect(t.Title).toBe('Evening');
    expect(t.Rating).toBe(2);
    expect(t.PersonInImage).toEqual(['Dora Foreign', 'Alice Example']);
    await local.clear(root, { assetId: 'by-exiftool.jpg' });
    expect(await xmp(file)).toEqual(before);
  });
});
