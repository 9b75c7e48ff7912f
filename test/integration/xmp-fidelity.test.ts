/**
 * A push changes only Sitter's own tags (issue 10): on a corpus of sidecars in the shape digiKam,
 * Lightroom, darktable and ExifTool write, every other tag reads back from ExifTool exactly as before
 * (CDATA, comments and whitespace inside values included), pushing again changes no byte, and a clear
 * gives every tag back. Sitter's regions added to another tool's mwg-rs:Regions get the
 * AppliedToDimensions their normalised areas need.
 */
import { execFileSync } from 'node:child_process';
import { copyFile, readFile, readdir, writeFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import path from 'node:path';
import { exiftool } from 'exiftool-vendored';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Connector, PushPayload, PushPerson } from '../../src/core/ports/connector.js';
import { createLocalConnector } from '../../src/connectors/local/index.js';
import { CONSENT_URI_PREFIX, consentUri } from '../../src/connectors/payload.js';
import { wrapConnector } from '../../src/connectors/wrap-connector.js';
import { decideFace } from '../../src/core/services/decision-service.js';
import { contentHashOf, makeImage, put, tempDir } from '../contract/fixtures.js';
import { jsonOf, runSitter } from '../helpers/cli.js';
import { seedApprovedShoot, seedProposal } from '../helpers/seed.js';
import { makeWorkspace } from '../helpers/workspace.js';

type Raw = Record<string, unknown>;
interface RegionInfo {
  AppliedToDimensions?: Raw;
  RegionList?: Raw[];
}

const FIXTURES = path.resolve(import.meta.dirname, '../fixtures/xmp');
const EXIFTOOL = path.join(
  path.dirname(createRequire(import.meta.url).resolve('exiftool-vendored.pl/package.json')),
  'bin',
  'exiftool',
);
const ISSUE_KEYWORD = '<rdf:li>&amp;-<![CDATA[&amp;]]>-&amp;</rdf:li>';

function person(n: number, displayName: string, box: PushPerson['box'], release: PushPerson['release']): PushPerson {
  const participantId = `p-00${n}`;
  return { participantId, displayName, consentUri: consentUri('shoot-10', participantId), box, release };
}
const alice = person(
  1,
  'Alice Example',
  { x: 0.1, y: 0.2, w: 0.15, h: 0.25 },
  { id: 'MR-10-001', status: 'unlimited', minor: false },
);
const bob = person(
  2,
  'Bob & <Example>',
  { x: 0.6, y: 0.25, w: 0.12, h: 0.2 },
  { id: 'MR-10-002', status: 'limited', minor: true, ageAtShoot: 15 },
);

let root: string;
let cleanup: () => Promise<void>;
let local: Connector;

function payload(assetId: string): PushPayload {
  return {
    assetId,
    expectedContentHash: contentHashOf(path.join(root, assetId)),
    image: { width: 64, height: 48 },
    persons: [alice, bob],
    otherFaces: 1,
  };
}

/** Every XMP tag as `exiftool -j -struct -G1` shows it, without the file system's facts. */
async function tags(file: string): Promise<Raw> {
  const raw = (await exiftool.readRaw(file, ['-struct', '-G1', '-XMP:all'])) as Raw;
  const { SourceFile: _s, errors: _e, warnings: _w, ...rest } = raw;
  return rest;
}

/** ExifTool's `-validate` verdict and warnings. */
async function validation(file: string): Promise<Raw> {
  const v = (await exiftool.readRaw(file, ['-validate', '-warning', '-a', '-G1'])) as Raw;
  return { validate: v['ExifTool:Validate'], warning: v['ExifTool:Warning'] };
}

const SITTER_GROUPS = ['XMP-sitter:', 'XMP-plus:'];
const SITTER_TAGS = new Set([
  'XMP-iptcExt:PersonInImage',
  'XMP-iptcExt:PersonInImageWDetails',
  'XMP-iptcExt:ImageRegion',
  'XMP-x:XMPToolkit',
]);

/** The tags that are not Sitter's: its own groups and arrays out, its MWG regions out of the list. */
function othersOf(t: Raw): Raw {
  const out: Raw = {};
  for (const [k, v] of Object.entries(t)) {
    if (SITTER_TAGS.has(k) || SITTER_GROUPS.some((g) => k.startsWith(g))) continue;
    if (k === 'XMP-mwg-rs:RegionInfo') {
      const { AppliedToDimensions: _d, RegionList = [], ...rest } = v as RegionInfo;
      const list = RegionList.filter((r) => !String(r.Description ?? '').startsWith(CONSENT_URI_PREFIX));
      const others = { ...rest, ...(list.length ? { RegionList: list } : {}) };
      if (Object.keys(others).length) out[k] = others;
      continue;
    }
    out[k] = v;
  }
  return out;
}

/** The sidecars of the corpus: the fixtures, and what ExifTool itself writes. */
async function corpus(): Promise<Array<{ name: string; make: (file: string) => Promise<void> }>> {
  const files = (await readdir(FIXTURES)).filter((f) => f.endsWith('.xmp')).sort();
  const fromFixtures = files.map((f) => ({ name: f, make: (file: string) => copyFile(path.join(FIXTURES, f), file) }));
  const exif = (args: string[]) => async (file: string) => {
    execFileSync('perl', [EXIFTOOL, '-q', '-o', file, ...args]);
  };
  const crlf = async (file: string) =>
    writeFile(file, (await readFile(path.join(FIXTURES, 'digikam-cdata.xmp'), 'utf8')).replace(/\n/g, '\r\n'));
  return [
    ...fromFixtures,
    { name: 'digikam-cdata.xmp with Windows line ends', make: crlf },
    {
      name: 'exiftool-keywords',
      make: exif([
        '-XMP-dc:Subject=Gala & <Dinner>',
        '-XMP-dc:Subject=  spaced  ',
        '-XMP-lr:HierarchicalSubject=Events|Gala',
        '-XMP-dc:Title=Line one\nline two',
        '-XMP-xmp:Rating=1',
      ]),
    },
    {
      name: 'exiftool-regions',
      make: exif([
        '-XMP-mwg-rs:RegionInfo={AppliedToDimensions={W=64,H=48,Unit=pixel},RegionList=[{Area={X=0.5,Y=0.5,W=0.2,H=0.3,Unit=normalized},Name=Carol Other,Type=Face}]}',
        '-XMP-iptcExt:PersonInImage=Carol Other',
      ]),
    },
    {
      name: 'exiftool-from-lightroom',
      make: exif(['-tagsfromfile', path.join(FIXTURES, 'lightroom.xmp'), '-XMP:all']),
    },
  ];
}

/** A 64x48 image `asset` with a copy of a fixture as its sidecar; returns the sidecar's path. */
async function withSidecar(asset: string, fixture: string): Promise<string> {
  await put(path.join(root, asset), await makeImage('jpeg', 64, 48));
  const file = path.join(root, `${asset}.xmp`);
  await copyFile(path.join(FIXTURES, fixture), file);
  return file;
}

beforeAll(async () => {
  ({ dir: root, cleanup } = await tempDir('sitter-xmp-fidelity-'));
  local = wrapConnector(createLocalConnector());
});

afterAll(async () => {
  await exiftool.end();
  await cleanup();
});

describe('a push keeps every tag another tool wrote (issue 10)', async () => {
  for (const { name, make } of await corpus()) {
    it(`${name}: only Sitter's tags change, pushing again changes no byte, clearing gives every tag back`, async () => {
      const asset = `${name.replace(/\W/g, '-')}.jpg`;
      await put(path.join(root, asset), await makeImage('jpeg', 64, 48));
      const file = path.join(root, `${asset}.xmp`);
      await make(file);
      const before = await tags(file);
      const validBefore = await validation(file);

      expect((await local.push(root, payload(asset))).changed).toBe(true);
      const after = await tags(file);
      expect(othersOf(after)).toEqual(othersOf(before));
      expect(after['XMP-iptcExt:PersonInImage']).toEqual(expect.arrayContaining([alice.displayName, bob.displayName]));
      const regions = after['XMP-mwg-rs:RegionInfo'] as RegionInfo;
      const dims = (before['XMP-mwg-rs:RegionInfo'] as RegionInfo | undefined)?.AppliedToDimensions ?? {
        W: 64,
        H: 48,
        Unit: 'pixel',
      };
      expect(regions.AppliedToDimensions).toEqual(dims);
      expect(
        regions.RegionList?.filter((r) => String(r.Description).startsWith(CONSENT_URI_PREFIX)).map((r) => r.Name),
      ).toEqual([alice.displayName, bob.displayName]);
      // no new complaint from ExifTool (darktable's empty rdf:Seq keeps its own minor warning)
      expect(await validation(file)).toEqual(validBefore);

      const bytes = await readFile(file);
      expect((await local.push(root, payload(asset))).changed).toBe(false);
      expect((await readFile(file)).equals(bytes)).toBe(true);

      expect((await local.clear(root, { assetId: asset })).changed).toBe(true);
      expect(await tags(file)).toEqual(before);
    });
  }

  it('keeps a keyword written with CDATA between entities, and comments and spaces inside values, as written', async () => {
    const file = await withSidecar('cdata.jpg', 'digikam-cdata.xmp');
    await local.push(root, payload('cdata.jpg'));
    const text = await readFile(file, 'utf8');
    expect(text.split(ISSUE_KEYWORD)).toHaveLength(3); // in digiKam:TagsList and dc:subject
    expect(text).toContain('<rdf:li>  two  spaces, <!-- a comment --> kept  </rdf:li>');
    expect(text).toContain(
      '<rdf:li xml:lang="x-default">First line\nsecond line, indented:\n    <![CDATA[x < y & z]]></rdf:li>',
    );
    const t = await tags(file);
    expect(t['XMP-dc:Subject']).toEqual(['&-&amp;-&', '  two  spaces, <!-- a comment --> kept  ', 'Gala & Dinner']);
    expect(t['XMP-digiKam:TagsList']).toEqual(['Events/Gala & Dinner', '&-&amp;-&']);
  });

  it('keeps tabs, carriage returns and line breaks written as character references', async () => {
    const file = await withSidecar('refs.jpg', 'darktable.xmp');
    const before = await tags(file);
    expect(before['XMP-dc:Description']).toBe('tab:\tend, cr:\rend');
    await local.push(root, payload('refs.jpg'));
    const after = await tags(file);
    expect(after['XMP-dc:Description']).toBe('tab:\tend, cr:\rend');
    expect((after['XMP-darktable:History'] as Raw[])[1]?.Multi_name).toBe('scene & light\nsecond line');
  });

  it('keeps Windows line ends, in values and in what Sitter adds', async () => {
    const file = await withSidecar('crlf.jpg', 'digikam-cdata.xmp');
    await writeFile(file, (await readFile(file, 'utf8')).replace(/\n/g, '\r\n'));
    await local.push(root, payload('crlf.jpg'));
    const text = await readFile(file, 'utf8');
    expect(text).not.toContain('&#xD;');
    expect(text.replace(/\r\n/g, '')).not.toContain('\n');
    expect((await tags(file))['XMP-dc:Description']).toBe('First line\r\nsecond line, indented:\r\n    x < y & z');
  });

  it('adds nothing that changes the layout of a sidecar written without line breaks', async () => {
    const file = await withSidecar('flat.jpg', 'minified.xmp');
    await local.push(root, payload('flat.jpg'));
    const text = await readFile(file, 'utf8');
    expect(text).not.toContain('\n');
    expect((await tags(file))['XMP-dc:Subject']).toEqual(['one', ' two ']);
  });
});

describe("Sitter's MWG regions always refer to a size (issue 10)", () => {
  it('adds AppliedToDimensions to regions another tool wrote without them, and takes them out on clear', async () => {
    const file = await withSidecar('nodims.jpg', 'digikam-cdata.xmp');
    expect((await tags(file))['XMP-mwg-rs:RegionInfo']).not.toHaveProperty('AppliedToDimensions');
    await local.push(root, { ...payload('nodims.jpg'), image: { width: 48, height: 64, orientation: 6 } });
    const info = (await tags(file))['XMP-mwg-rs:RegionInfo'] as RegionInfo;
    expect(info.AppliedToDimensions).toEqual({ W: 64, H: 48, Unit: 'pixel' }); // the stored frame
    expect(info.RegionList?.map((r) => r.Name)).toEqual(['Carol Other', alice.displayName, bob.displayName]);

    // withdrawing one person keeps them (the other's region still needs them); the last one takes them out
    await local.clear(root, { assetId: 'nodims.jpg', consentUris: [bob.consentUri] });
    expect((await tags(file))['XMP-mwg-rs:RegionInfo']).toHaveProperty('AppliedToDimensions');
    await local.clear(root, { assetId: 'nodims.jpg', consentUris: [alice.consentUri] });
    expect((await tags(file))['XMP-mwg-rs:RegionInfo']).toEqual({
      RegionList: [expect.objectContaining({ Name: 'Carol Other' })],
    });
  });

  it('never changes dimensions another tool wrote', async () => {
    await put(path.join(root, 'dims.jpg'), await makeImage('jpeg', 64, 48));
    const file = path.join(root, 'dims.jpg.xmp');
    await writeFile(
      file,
      (await readFile(path.join(FIXTURES, 'lightroom.xmp'), 'utf8')).replace(
        '<stDim:w>64</stDim:w>',
        '<stDim:w>6000</stDim:w>',
      ),
    );
    await local.push(root, payload('dims.jpg'));
    expect(((await tags(file))['XMP-mwg-rs:RegionInfo'] as RegionInfo).AppliedToDimensions).toEqual({
      W: 6000,
      H: 48,
      Unit: 'pixel',
    });
  });
});

describe('sitter push on a workspace (issue 10, as reported)', () => {
  it("keeps the user's CDATA keyword and adds AppliedToDimensions through the real CLI", async () => {
    // Today's clock: the CLI runs with the real one, and a shoot approved months ago would be purged first.
    const t = await makeWorkspace(new Date());
    try {
      await seedApprovedShoot(t, 's', [{ id: 'P1', name: 'Ada Example', consent: 'yes' }]);
      const source = path.join(t.root, '..'); // seedApprovedShoot's shoot folder
      await put(path.join(source, 'a.jpg'), await makeImage('jpeg', 64, 48));
      const file = path.join(source, 'a.jpg.xmp');
      await copyFile(path.join(FIXTURES, 'digikam-cdata.xmp'), file);
      const before = await tags(file);
      const face = await seedProposal(t, 's', 'a.jpg', 'P1', 0.8, { x: 0.1, y: 0.1, w: 0.2, h: 0.3 });
      await decideFace(t.ctx, 's', face.id, { kind: 'confirm' }, 'Rita');
      await t.ws.close();

      const run = await runSitter(['--json', 'push', 's'], { env: { SITTER_WORKSPACE: t.root } });
      expect(run.code, run.stderr).toBe(0);
      expect(jsonOf(run)).toMatchObject({ written: 1 });
      expect((await readFile(file, 'utf8')).split(ISSUE_KEYWORD)).toHaveLength(3);
      const after = await tags(file);
      expect(after['XMP-dc:Subject']).toEqual(before['XMP-dc:Subject']);
      expect(othersOf(after)).toEqual(othersOf(before));
      const info = after['XMP-mwg-rs:RegionInfo'] as RegionInfo;
      expect(info.AppliedToDimensions).toEqual({ W: 100, H: 100, Unit: 'pixel' }); // the size the scan recorded (seed)
      expect(info.RegionList?.map((r) => r.Name)).toEqual(['Carol Other', 'Ada Example']);
    } finally {
      await t.cleanup().catch(() => undefined);
    }
  });
});
