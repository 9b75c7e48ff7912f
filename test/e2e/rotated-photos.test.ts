import { createHash } from 'node:crypto';
import { appendFileSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { exiftool } from 'exiftool-vendored';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildDemoFiles } from '../../src/tui/commands/demo.js';
import { jsonOf, runSitter, shootDaysAroundToday } from '../helpers/cli.js';
import { withRawDb } from '../helpers/raw-db.js';
import { tempDir } from '../helpers/workspace.js';

type Box = { x: number; y: number; w: number; h: number };
interface MatchesJson {
  assets: {
    asset: string;
    image: { width: number; height: number; orientation: number | null };
    faces: { face: number; box: Box; state: string; participant: string | null }[];
  }[];
}
interface MwgRegion {
  Name: string;
  Area: { X: number; Y: number; W: number; H: number };
}

/**
 * Where a face of the upright picture lands in the stored pixels, worked out from how the test
 * stored them (not from Sitter's orientation module): orientation 6 means the stored pixels are the
 * upright picture turned 90 degrees counter-clockwise, so (u, v) is stored at (v, 1 - u); orientation
 * 8 means turned clockwise, so (u, v) is stored at (1 - v, u). As an MWG area: centre and size.
 */
function expectedStoredArea(b: Box, orientation: 6 | 8): { X: number; Y: number; W: number; H: number } {
  return orientation === 6
    ? { X: b.y + b.h / 2, Y: 1 - (b.x + b.w / 2), W: b.h, H: b.w }
    : { X: 1 - (b.y + b.h / 2), Y: b.x + b.w / 2, W: b.h, H: b.w };
}

const sha256File = (file: string) => `sha256:${createHash('sha256').update(readFileSync(file)).digest('hex')}`;

/**
 * Facts flow once (issue 11): the face engine reports the EXIF orientation it applied and the hash of
 * the bytes it analysed, the scan keeps both on the asset record, and push hands them to the
 * connector, which writes MWG regions in the stored frame without decoding the photo again. Real
 * models, real CLI, real workspace; the photos are the demo's, stored turned with orientation 6 and 8.
 */
describe('rotated photos: orientation and content hash from the engine to the record to the sidecar', () => {
  const tmp = tempDir('sitter-rotated-');
  const ws = join(tmp.dir, 'workspace');
  let photos = '';
  const sitter = (...args: string[]) => runSitter(['-w', ws, '--json', ...args]);
  const matches = async () => jsonOf(await sitter('matches', 'rot')) as unknown as MatchesJson;

  beforeAll(async () => {
    const built = await buildDemoFiles(tmp.dir);
    photos = built.photos;
    // Only two photos in the shoot: sample 2 (Model Two) stored turned for orientation 6, sample 1
    // (Model One) for orientation 8. Their EXIF (the capture time the demo stamped) is kept.
    const upright2 = readFileSync(join(photos, 'day1', 'IMG_0002.jpg'));
    const upright1 = readFileSync(join(photos, 'day1', 'IMG_0001.jpg'));
    for (const entry of readdirSync(photos)) rmSync(join(photos, entry), { recursive: true });
    await sharp(upright2)
      .rotate(-90)
      .withMetadata({ orientation: 6 })
      .jpeg({ quality: 92 })
      .toFile(join(photos, 'r6.jpg'));
    await sharp(upright1)
      .rotate(90)
      .withMetadata({ orientation: 8 })
      .jpeg({ quality: 92 })
      .toFile(join(photos, 'r8.jpg'));
    for (const args of [
      ['init'],
      [
        'shoot',
        'create',
        'rot',
        '--name',
        'Rotated',
        '--source',
        photos,
        '--purpose',
        'Link the models to their releases',
        '--retention-days',
        '30',
        ...shootDaysAroundToday(),
      ],
      ['consent', 'import', 'rot', built.consentFile],
      ['shoot', 'approve', 'rot', '--dpia', 'DPIA-R', '--approved-by', 'Dana Officer'],
      ['enrol', 'rot'],
      ['scan', 'rot', '--workers', '1'],
    ]) {
      const run = await sitter(...args);
      expect(run.code, `${args.join(' ')}: ${run.stdout}${run.stderr}`).toBe(0);
    }
  }, 600_000);
  afterAll(async () => {
    await exiftool.end();
    tmp.cleanup();
  });

  it('the scan stores on the asset the orientation the engine applied, its displayed size, and the hash of what it analysed', async () => {
    const rows = await withRawDb(join(ws, 'sitter.db'), (sql) =>
      sql('select connector_asset_id as id, orientation, width, height, content_sha256 as hash from asset'),
    );
    const byId = new Map(
      (rows as { id: string; orientation: number; width: number; height: number; hash: string }[]).map((r) => [
        r.id,
        r,
      ]),
    );
    for (const [id, orientation] of [
      ['r6.jpg', 6],
      ['r8.jpg', 8],
    ] as const) {
      const stored = await sharp(join(photos, id)).metadata();
      const row = byId.get(id)!;
      expect(row.orientation).toBe(orientation);
      // displayed = stored turned a quarter
      expect([row.width, row.height]).toEqual([stored.height, stored.width]);
      expect(row.hash).toBe(sha256File(join(photos, id)));
    }
    // `matches` shows the same facts (the review app crops with them).
    const m = await matches();
    expect(m.assets.map((a) => [a.asset, a.image.orientation]).sort()).toEqual([
      ['r6.jpg', 6],
      ['r8.jpg', 8],
    ]);
  });

  it('push writes the MWG regions of the confirmed faces in the stored frame, read back by exiftool', async () => {
    const m = await matches();
    const wanted = new Map([
      ['r6.jpg', 'M-002'],
      ['r8.jpg', 'M-001'],
    ]);
    const confirmed = new Map<string, Box>();
    for (const a of m.assets) {
      const face = a.faces.find((f) => f.state === 'proposed' && f.participant === wanted.get(a.asset));
      expect(face, `a proposal for ${wanted.get(a.asset)} on ${a.asset}`).toBeDefined();
      const run = await sitter('decide', 'rot', String(face!.face), '--confirm', '--reviewer', 'Rita');
      expect(run.code, run.stdout).toBe(0);
      confirmed.set(a.asset, face!.box);
    }
    const pushed = await sitter('push', 'rot');
    expect(pushed.code, pushed.stdout).toBe(0);
    expect(jsonOf(pushed)).toMatchObject({ written: 2 });
    for (const [id, orientation] of [
      ['r6.jpg', 6],
      ['r8.jpg', 8],
    ] as const) {
      const stored = await sharp(join(photos, id)).metadata();
      const tags = (await exiftool.read(join(photos, `${id}.xmp`))) as unknown as {
        RegionInfo: { AppliedToDimensions: { W: number; H: number }; RegionList: MwgRegion[] };
      };
      // AppliedToDimensions is the stored pixel size, the frame the areas are in.
      expect(tags.RegionInfo.AppliedToDimensions).toMatchObject({ W: stored.width, H: stored.height });
      const regions = tags.RegionInfo.RegionList;
      expect(regions).toHaveLength(1);
      const want = expectedStoredArea(confirmed.get(id)!, orientation);
      for (const k of ['X', 'Y', 'W', 'H'] as const) expect(regions[0]!.Area[k]).toBeCloseTo(want[k], 5);
    }
  });

  it('the hash recorded at scan is what push checks: a photo changed since is refused, its sidecar untouched', async () => {
    const sidecar = join(photos, 'r8.jpg.xmp');
    const before = readFileSync(sidecar);
    const mtime = statSync(sidecar).mtimeMs;
    appendFileSync(join(photos, 'r8.jpg'), Buffer.from('edited after the scan'));
    const run = await sitter('push', 'rot');
    expect(run.code).toBe(1);
    const result = jsonOf(run) as { failed: { asset: string; code: string }[]; unchanged: number };
    expect(result.failed.map((f) => [f.asset, f.code])).toEqual([['r8.jpg', 'ASSET_CHANGED']]);
    expect(result.unchanged).toBe(1); // r6.jpg, untouched, is pushed as before
    expect(readFileSync(sidecar)).toEqual(before);
    expect(statSync(sidecar).mtimeMs).toBe(mtime);
  });
});
