import { readFileSync, renameSync, rmSync, writeFileSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { exiftool } from 'exiftool-vendored';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildDemoFiles } from '../../src/tui/commands/demo.js';
import { MIN_ANALYSABLE_SIDE } from '../../src/core/engine/too-small.js';
import { jsonOf, runSitter, shootDaysAroundToday } from '../helpers/cli.js';
import { heifEnc, withIrot } from '../helpers/heic-files.js';
import { makeDng, makeNef } from '../helpers/raw-files.js';
import { auditEntries } from '../helpers/shoot-cli.js';
import { tempDir } from '../helpers/workspace.js';

type Box = { x: number; y: number; w: number; h: number };
interface AssetJson {
  asset: string;
  flags: string[];
  /** only on an asset whose analysis failed */
  error?: string;
  image: { width: number; height: number; orientation: number | null };
  faces: { face: number; box: Box; state: string; participant: string | null }[];
}

/** The same face on two files of the same picture: within 1% of the frame on each side. */
function expectSameBox(got: Box, want: Box): void {
  for (const k of ['x', 'y', 'w', 'h'] as const) expect(Math.abs(got[k] - want[k]), k).toBeLessThan(0.01);
}

/**
 * Photos archivists actually have (issue 14), through the real scan with real models: RAW files
 * analysed from their embedded preview, their boxes on the RAW's displayed frame; RAW files without a
 * usable preview and images too small to analyse refused with a reason and a flag, never "0 faces";
 * a phone HEIC turned by its `irot` analysed upright. The RAW files are written after the DNG
 * specification and Nikon's layout (test/helpers/raw-files.ts), the HEIC by Debian's heif-enc; the
 * pictures are the demo's two photos (face-api.js's samples), each also kept as a plain JPEG in the
 * same shoot, so every box is compared with the one the JPEG of the same picture gives.
 */
describe('RAW, HEIC and too-small photos through the real scan', () => {
  const tmp = tempDir('sitter-rawheic-');
  const ws = join(tmp.dir, 'workspace');
  let photos = '';
  let upright1: Buffer;
  let upright2: Buffer;
  let scanRun: Awaited<ReturnType<typeof runSitter>>;
  const sitter = (...args: string[]) => runSitter(['-w', ws, '--json', ...args]);
  const assets = async () => {
    const run = await sitter('matches', 'raw');
    return new Map((jsonOf(run).assets as AssetJson[]).map((a) => [a.asset, a]));
  };
  const boxOf = (a: AssetJson | undefined, participant: string) =>
    a?.faces.find((f) => f.participant === participant && f.state === 'proposed')?.box;

  beforeAll(async () => {
    const built = await buildDemoFiles(tmp.dir);
    photos = built.photos;
    // The dated JPEGs of the demo stay as the reference; the others go.
    upright1 = readFileSync(join(photos, 'day1', 'IMG_0001.jpg'));
    upright2 = readFileSync(join(photos, 'day1', 'IMG_0002.jpg'));
    rmSync(join(photos, 'IMG_0003.jpg'));
    rmSync(join(photos, 'IMG_0004.jpg'));
    rmSync(join(photos, 'notes.txt'));
    mkdirSync(join(photos, 'raw'));
    mkdirSync(join(photos, 'phone'));
    const m1 = await sharp(upright1).metadata();
    const m2 = await sharp(upright2).metadata();

    // A portrait RAW: the sensor stored the picture turned, IFD0 says orientation 6.
    const stored2 = await sharp(upright2).rotate(-90).png().toBuffer();
    writeFileSync(
      join(photos, 'raw', 'turned.dng'),
      await makeDng({ picture: stored2, sensor: { width: m2.height!, height: m2.width! }, orientation: 6 }),
    );
    // A NEF whose JpgFromRaw is smaller than the sensor (and 0.3% off its aspect, as sensor borders are).
    writeFileSync(
      join(photos, 'raw', 'smaller-preview.nef'),
      await makeNef({
        picture: upright1,
        sensor: { width: m1.width! + 8, height: m1.height! + 8 },
        preview: { width: 1440, height: 960 },
      }),
    );
    writeFileSync(
      join(photos, 'raw', 'no-preview.dng'),
      await makeDng({ picture: upright1, sensor: { width: m1.width!, height: m1.height! }, preview: null }),
    );
    writeFileSync(
      join(photos, 'raw', 'thumb-only.nef'),
      await makeNef({
        picture: upright1,
        sensor: { width: m1.width!, height: m1.height! },
        preview: { width: 240, height: 160 },
      }),
    );
    // A phone HEIC: the pixels turned as the sensor saw them, `irot` turning them upright (and the
    // EXIF orientation saying the same, as phones write it: it must not be applied a second time).
    const stored1 = await sharp(upright1).rotate(90).withMetadata({ orientation: 8 }).jpeg({ quality: 92 }).toBuffer();
    const source = join(tmp.dir, 'heic-source.jpg');
    writeFileSync(source, stored1);
    await stamp(source);
    writeFileSync(join(photos, 'phone', 'turned.heic'), withIrot(heifEnc(readFileSync(source), tmp.dir, 'turned'), 1));
    // A thumbnail below the measured floor.
    await sharp(upright1)
      .resize({ height: MIN_ANALYSABLE_SIDE - 4 })
      .jpeg()
      .toFile(join(photos, 'tiny.jpg'));
    for (const f of [
      'raw/turned.dng',
      'raw/smaller-preview.nef',
      'raw/no-preview.dng',
      'raw/thumb-only.nef',
      'tiny.jpg',
    ])
      await stamp(join(photos, f));

    for (const args of [
      ['init'],
      [
        'shoot',
        'create',
        'raw',
        '--name',
        'Archive formats',
        '--source',
        photos,
        '--purpose',
        'Link the models to their releases',
        '--retention-days',
        '30',
        ...shootDaysAroundToday(),
      ],
      ['consent', 'import', 'raw', built.consentFile],
      ['shoot', 'approve', 'raw', '--dpia', 'DPIA-RAW', '--approved-by', 'Dana Officer'],
      ['enrol', 'raw'],
    ]) {
      const run = await sitter(...args);
      expect(run.code, `${args.join(' ')}: ${run.stdout}${run.stderr}`).toBe(0);
    }
    scanRun = await sitter('scan', 'raw', '--workers', '1');
  }, 600_000);

  async function stamp(file: string): Promise<void> {
    const today = new Date().toISOString().slice(0, 10).replaceAll('-', ':');
    await exiftool.write(
      file,
      { DateTimeOriginal: `${today} 10:00:00`, OffsetTimeOriginal: '+00:00' },
      { writeArgs: ['-overwrite_original'] },
    );
  }

  afterAll(async () => {
    await exiftool.end();
    tmp.cleanup();
  });

  it('a portrait DNG is analysed from its preview: its faces land where the JPEG of the same picture has them', async () => {
    const all = await assets();
    const dng = all.get('raw/turned.dng');
    expect(dng, 'the asset is listed').toBeDefined();
    expect(dng!.error).toBeUndefined();
    expect(dng!.flags).toContain('raw-preview');
    const m2 = await sharp(upright2).metadata();
    // the RAW's displayed frame: the sensor turned by orientation 6
    expect(dng!.image).toEqual({ width: m2.width, height: m2.height, orientation: 6 });
    const want = boxOf(all.get('day1/IMG_0002.jpg'), 'M-002');
    const got = boxOf(dng, 'M-002');
    expect(want).toBeDefined();
    expect(got, JSON.stringify(dng!.faces)).toBeDefined();
    expectSameBox(got!, want!);
  });

  it('a NEF whose JpgFromRaw is smaller than its sensor: boxes relative to the RAW frame, the size the RAW has', async () => {
    const all = await assets();
    const nef = all.get('raw/smaller-preview.nef');
    expect(nef, 'the asset is listed').toBeDefined();
    expect(nef!.error).toBeUndefined();
    expect(nef!.flags).toContain('raw-preview');
    expect(nef!.image).toEqual({ width: 1928, height: 1288, orientation: 1 });
    const want = boxOf(all.get('day1/IMG_0001.jpg'), 'M-001');
    const got = boxOf(nef, 'M-001');
    expect(got, JSON.stringify(nef!.faces)).toBeDefined();
    expectSameBox(got!, want!);
  });

  it('a RAW without a preview, or with only a thumbnail, is refused with its reason and a flag, never "0 faces"', async () => {
    const all = await assets();
    const none = all.get('raw/no-preview.dng')!;
    expect(none.error).toMatch(/^RAW_PREVIEW_MISSING: This DNG RAW file has no embedded JPEG preview/);
    expect(none.flags).toEqual(['raw-no-preview']);
    expect(none.faces).toEqual([]);
    const thumb = all.get('raw/thumb-only.nef')!;
    expect(thumb.error).toMatch(/^RAW_PREVIEW_UNUSABLE: .*JpgFromRaw is 240x160, below 1024 px/);
    expect(thumb.flags).toEqual(['raw-no-preview']);
    // the scan says so and exits 1; each refusal carries its hint on the audit chain
    expect(scanRun.code).toBe(1);
    const summary = JSON.parse(scanRun.stdout.trim().split('\n').at(-1)!) as { failed: unknown };
    expect(JSON.stringify(summary)).toContain('RAW_PREVIEW_MISSING');
    const entries = await auditEntries(sitter, join(tmp.dir, 'audit.jsonl'));
    const failed = entries.find((e) => e.action === 'scan.asset-failed' && e.details.code === 'RAW_PREVIEW_MISSING');
    expect(failed?.details.hint).toMatch(/^Export a JPEG or TIFF of this photo/);
    // the analysed RAW's entry says which preview its faces were found in
    const analysed = entries.filter((e) => e.action === 'scan.asset' && e.details.analysedPreview !== undefined);
    expect(analysed.map((e) => e.details.analysedPreview)).toEqual(
      expect.arrayContaining([
        { tag: 'PreviewImage', width: 1367, height: 1920 },
        { tag: 'JpgFromRaw', width: 1440, height: 960 },
      ]),
    );
  });

  it('a phone HEIC turned by irot is analysed upright, its EXIF orientation not applied twice', async () => {
    const all = await assets();
    const heic = all.get('phone/turned.heic');
    expect(heic, 'the asset is listed').toBeDefined();
    expect(heic!.error).toBeUndefined();
    const m1 = await sharp(upright1).metadata();
    expect(heic!.image).toEqual({ width: m1.width, height: m1.height, orientation: 1 });
    const want = boxOf(all.get('day1/IMG_0001.jpg'), 'M-001');
    const got = boxOf(heic, 'M-001');
    expect(got, JSON.stringify(heic!.faces)).toBeDefined();
    expectSameBox(got!, want!);
  });

  it('an image below the measured floor is flagged too-small with its reason', async () => {
    const tiny = (await assets()).get('tiny.jpg')!;
    expect(tiny.error).toMatch(new RegExp(`^IMAGE_TOO_SMALL: The image is \\d+x${MIN_ANALYSABLE_SIDE - 4}`));
    expect(tiny.flags).toEqual(['too-small']);
    // the text listing says why, not "no faces"
    const text = await runSitter(['-w', ws, 'matches', 'raw']);
    expect(text.stdout).toMatch(/tiny\.jpg.*failed: too small to analyse/);
    expect(text.stdout).toMatch(/no-preview\.dng.*failed: RAW without a usable preview/);
  });

  it("push names the person on the RAW: its content hash is the RAW file's, regions in its stored frame", async () => {
    const dng = (await assets()).get('raw/turned.dng')!;
    const face = dng.faces.find((f) => f.participant === 'M-002')!;
    expect((await sitter('decide', 'raw', String(face.face), '--confirm', '--reviewer', 'Rita')).code).toBe(0);
    const pushed = await sitter('push', 'raw');
    expect(pushed.code, pushed.stdout).toBe(0);
    const tags = (await exiftool.read(join(photos, 'raw', 'turned.dng.xmp'))) as unknown as {
      PersonInImage: string[] | string;
      RegionInfo: { AppliedToDimensions: { W: number; H: number }; RegionList: { Area: { X: number; Y: number } }[] };
    };
    expect(JSON.stringify(tags.PersonInImage)).toContain('Model Two');
    const m2 = await sharp(upright2).metadata();
    // stored frame of the RAW = sensor size, the displayed one turned back
    expect(tags.RegionInfo.AppliedToDimensions).toMatchObject({ W: m2.height, H: m2.width });
    const b = face.box;
    expect(tags.RegionInfo.RegionList[0]!.Area.X).toBeCloseTo(b.y + b.h / 2, 4);
    expect(tags.RegionInfo.RegionList[0]!.Area.Y).toBeCloseTo(1 - (b.x + b.w / 2), 4);
    // a RAW changed since the scan is refused (the hash is over the whole RAW file, not its preview)
    const file = join(photos, 'raw', 'turned.dng');
    renameSync(file, `${file}.bak`);
    writeFileSync(file, Buffer.concat([readFileSync(`${file}.bak`), Buffer.from('edited')]));
    const again = await sitter('push', 'raw');
    expect(JSON.stringify(jsonOf(again))).toContain('ASSET_CHANGED');
  });
});
