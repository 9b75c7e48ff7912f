import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, readFileSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import sharp from 'sharp';
import { exiftool } from 'exiftool-vendored';
import { afterAll, afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createLocalConnector } from '../../src/connectors/local/index.js';
import { wrapConnector } from '../../src/connectors/wrap-connector.js';
import { SharpFaceMasker } from '../../src/core/engine/face-masker.js';
import { prepareExportFolder } from '../../src/core/store/files/export-folder.js';
import { PublicationFolderOnDisk } from '../../src/core/store/files/publication-folder.js';
import { SitterError } from '../../src/core/domain/errors.js';
import type { Store } from '../../src/core/ports/store.js';
import { decideFace } from '../../src/core/services/decision-service.js';
import { publishShoot, type PublishResult } from '../../src/core/services/publish-service.js';
import { jsonOf, runSitter } from '../helpers/cli.js';
import { displayedRegion, meanAbsDiff, spread } from '../helpers/pixels.js';
import { withRawDb } from '../helpers/raw-db.js';
import { seedApprovedShoot, seedProposal } from '../helpers/seed.js';
import { makeWorkspace, tempDir, type TestWorkspace } from '../helpers/workspace.js';

/** A smooth, textured photo: blurred noise, so a re-encode barely changes it and a mask shows. */
async function texture(width: number, height: number): Promise<Buffer> {
  const noise = await sharp({
    create: { width, height, channels: 3, background: '#000', noise: { type: 'gaussian', mean: 128, sigma: 90 } },
  })
    .png()
    .toBuffer();
  return sharp(noise).blur(1.2).png().toBuffer();
}

const sha = (b: Buffer) => createHash('sha256').update(b).digest('hex');
const BOX_ADA = { x: 0.1, y: 0.1, w: 0.3, h: 0.2 };
const BOX_BEN = { x: 0.55, y: 0.6, w: 0.3, h: 0.2 };
const BOX_B_REJECTED = { x: 0.1, y: 0.2, w: 0.3, h: 0.3 };
const BOX_B_UNREVIEWED = { x: 0.6, y: 0.2, w: 0.3, h: 0.3 };

/**
 * Issue 13, publication copies, through the real CLI on a real workspace seeded without models:
 * which faces are masked and which kept, pixels, metadata (exiftool read-back), the manifest, the
 * audit entry, and every refusal. The recogniser test is test/e2e/publish-recogniser.test.ts.
 */
describe('sitter publish', () => {
  let t: TestWorkspace;
  let out: { dir: string; cleanup: () => void };
  let source: string;
  const originals = new Map<string, Buffer>();
  const faces = new Map<string, number>();
  const publish = (dir: string, ...args: string[]) =>
    runSitter(['--workspace', t.root, '--json', 'publish', 's', '--scope', 'web', '--out', dir, ...args]);

  beforeEach(async () => {
    t = await makeWorkspace(new Date());
    out = tempDir('sitter-publish-');
    source = join(t.root, '..');
    await seedApprovedShoot(t, 's', [
      { id: 'P1', name: 'Ada Web', consent: 'yes', scopes: 'web;print' },
      { id: 'P2', name: 'Ben Print', consent: 'yes', scopes: 'print' },
    ]);
    // a.jpg: stored 600x400, shown turned (orientation 6) as 400x600, Display P3, names in EXIF and XMP.
    await sharp(await texture(600, 400))
      .withMetadata({ orientation: 6 })
      .withIccProfile('p3')
      .withExif({ IFD0: { Artist: 'Ada Web', ImageDescription: 'Ada Web and Ben Print' } })
      .jpeg({ quality: 95 })
      .toFile(join(source, 'a.jpg'));
    await exiftool.write(
      join(source, 'a.jpg'),
      {
        PersonInImage: ['Ada Web', 'Ben Print'],
        RegionInfo: {
          AppliedToDimensions: { W: 400, H: 600, Unit: 'pixel' },
          RegionList: [
            { Name: 'Ada Web', Type: 'Face', Area: { X: 0.25, Y: 0.2, W: 0.3, H: 0.2, Unit: 'normalized' } },
            { Name: 'Ben Print', Type: 'Face', Area: { X: 0.7, Y: 0.7, W: 0.3, H: 0.2, Unit: 'normalized' } },
          ],
        },
      },
      ['-overwrite_original'],
    );
    writeFileSync(join(source, 'b.png'), await texture(300, 200));
    for (const f of ['a.jpg', 'b.png']) originals.set(f, readFileSync(join(source, f)));
    faces.clear();
    for (const [asset, who, box, decision] of [
      ['a.jpg', 'P1', BOX_ADA, 'confirm'],
      ['a.jpg', 'P2', BOX_BEN, 'confirm'],
      ['b.png', 'P1', BOX_B_REJECTED, 'reject'],
      ['b.png', 'P1', BOX_B_UNREVIEWED, null],
    ] as const) {
      const face = await seedProposal(t, 's', asset, who, 0.8, box);
      faces.set(`${asset}/${JSON.stringify(box)}`, face.id);
      if (decision) await decideFace(t.ctx, 's', face.id, { kind: decision }, 'Rita');
    }
    // The scan recorded the orientation it applied.
    await withRawDb(join(t.root, 'sitter.db'), (sql) =>
      sql("update asset set orientation = 6 where connector_asset_id = 'a.jpg'"),
    );
  });
  afterEach(async () => {
    await t.cleanup();
    out.cleanup();
  });
  afterAll(async () => {
    await exiftool.end();
  });

  it('masks every face not covered for the scope, beyond its box, and leaves covered faces and the rest as they were', async () => {
    const dir = join(out.dir, 'web');
    const run = await publish(dir);
    expect(run.code, run.stdout + run.stderr).toBe(0);
    const copyA = readFileSync(join(dir, 'a.jpg'));
    const origA = originals.get('a.jpg')!;
    // Ada (web allowed): her box unchanged within a JPEG re-encode's tolerance.
    expect(meanAbsDiff(await displayedRegion(origA, BOX_ADA), await displayedRegion(copyA, BOX_ADA))).toBeLessThan(3);
    // Ben (print only): his box and its margin painted over with flat blocks.
    const benBefore = await displayedRegion(origA, BOX_BEN);
    const benAfter = await displayedRegion(copyA, BOX_BEN);
    expect(meanAbsDiff(benBefore, benAfter)).toBeGreaterThan(8);
    const margin = { x: BOX_BEN.x - 0.06, y: BOX_BEN.y - 0.04, w: 0.04, h: 0.03 }; // inside the 25 % margin
    expect(meanAbsDiff(await displayedRegion(origA, margin), await displayedRegion(copyA, margin))).toBeGreaterThan(8);
    // One block (a quarter of the 180-pixel area, 45 pixels) is one colour: its inside has no detail left.
    const block = { x: 0.475 + 0.01, y: 0.55 + 0.005, w: 0.06, h: 0.04 };
    expect(spread(await displayedRegion(copyA, block))).toBeLessThan(3);
    expect(spread(await displayedRegion(origA, block))).toBeGreaterThan(10);

    // PNG is lossless: outside the two masked areas every pixel is the original's.
    const copyB = readFileSync(join(dir, 'b.png'));
    const rawOf = (b: Buffer) => sharp(b).raw().toBuffer({ resolveWithObject: true });
    const [o, c] = await Promise.all([rawOf(originals.get('b.png')!), rawOf(copyB)]);
    expect(c.info).toMatchObject({ width: 300, height: 200, channels: o.info.channels });
    let changedOutside = 0;
    let changedInside = 0;
    const inArea = (px: number, py: number) =>
      [BOX_B_REJECTED, BOX_B_UNREVIEWED].some(
        (b) =>
          px >= (b.x - b.w * 0.25) * 300 - 1 &&
          px < (b.x + b.w * 1.25) * 300 + 1 &&
          py >= (b.y - b.h * 0.25) * 200 - 1 &&
          py < (b.y + b.h * 1.25) * 200 + 1,
      );
    for (let py = 0; py < 200; py++)
      for (let px = 0; px < 300; px++) {
        const i = (py * 300 + px) * o.info.channels;
        const same = o.data.subarray(i, i + o.info.channels).equals(c.data.subarray(i, i + o.info.channels));
        if (!same && !inArea(px, py)) changedOutside++;
        if (!same && inArea(px, py)) changedInside++;
      }
    expect(changedOutside).toBe(0);
    expect(changedInside).toBeGreaterThan(5000);

    // The originals are never changed.
    for (const [f, bytes] of originals) expect(sha(readFileSync(join(source, f)))).toBe(sha(bytes));
  });

  it('copies carry no face regions, names or person fields; orientation, colour profile and format are kept; files 0600 in a 0700 folder', async () => {
    const dir = join(out.dir, 'web');
    expect((await publish(dir)).code).toBe(0);
    const before = (await exiftool.read(join(source, 'a.jpg'))) as unknown as Record<string, unknown>;
    expect(before.PersonInImage).toBeDefined(); // the test's own premise: the original names them
    expect(before.RegionInfo).toBeDefined();
    const tags = (await exiftool.read(join(dir, 'a.jpg'))) as unknown as Record<string, unknown>;
    for (const field of ['RegionInfo', 'PersonInImage', 'Artist', 'ImageDescription', 'RegionList'])
      expect(tags[field], field).toBeUndefined();
    expect(tags.Orientation).toBe(6);
    expect(tags.FileType).toBe('JPEG');
    expect(String(tags.ProfileDescription)).toMatch(/P3/);
    expect(((await exiftool.read(join(dir, 'b.png'))) as unknown as Record<string, unknown>).FileType).toBe('PNG');
    for (const f of ['a.jpg', 'b.png', 'manifest.json']) {
      const bytes = readFileSync(join(dir, f)).toString('latin1');
      expect(bytes, f).not.toMatch(/Ada Web|Ben Print/);
      expect(statSync(join(dir, f)).mode & 0o777, f).toBe(0o600);
    }
    expect(statSync(dir).mode & 0o777).toBe(0o700);
  });

  it('manifest.json lists per asset what was masked (face, box, reason) and kept (by pseudonym), and the run is on the chain without names', async () => {
    const dir = join(out.dir, 'web');
    const run = await publish(dir);
    const r = jsonOf(run) as unknown as PublishResult;
    const manifest = JSON.parse(readFileSync(join(dir, 'manifest.json'), 'utf8')) as PublishResult['manifest'];
    expect(manifest).toEqual(r.manifest);
    expect(sha(readFileSync(join(dir, 'manifest.json')))).toBe(r.manifestSha256);
    const ids = await t.ws.store.transaction((uow) => uow.participants.listByShoot('s'));
    const ada = ids.find((p) => p.externalRef === 'P1')!;
    expect(manifest).toMatchObject({
      format: 'sitter-publication/1',
      shoot: 's',
      scope: 'web',
      masking: { method: 'pixelate', marginOfBox: 0.25, blocksAcross: 4 },
      skipped: [],
    });
    const byAsset = Object.fromEntries(manifest.assets.map((a) => [a.asset, a]));
    expect(byAsset['a.jpg']).toMatchObject({
      file: 'a.jpg',
      sha256: sha(readFileSync(join(dir, 'a.jpg'))),
      kept: [{ face: faces.get(`a.jpg/${JSON.stringify(BOX_ADA)}`), box: BOX_ADA, participant: `#${ada.id}` }],
      masked: [{ face: faces.get(`a.jpg/${JSON.stringify(BOX_BEN)}`), box: BOX_BEN, reason: 'scope-missing' }],
    });
    expect(byAsset['a.jpg']!.masked[0]!.area.x).toBeCloseTo(0.475);
    expect(byAsset['b.png']!.masked.map((m) => [m.face, m.reason])).toEqual([
      [faces.get(`b.png/${JSON.stringify(BOX_B_REJECTED)}`), 'face-unidentified'],
      [faces.get(`b.png/${JSON.stringify(BOX_B_UNREVIEWED)}`), 'face-unreviewed'],
    ]);
    expect(byAsset['b.png']!.kept).toEqual([]);
    // Nobody's name or reference travels with the copies.
    expect(JSON.stringify(manifest)).not.toMatch(/Ada|Ben|"P1"|"P2"/);

    const chain = (await runSitter(['--workspace', t.root, 'audit', 'export'])).stdout
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as { action: string; seq: number; details: Record<string, unknown> });
    const entry = chain.find((e) => e.action === 'publish.written')!;
    expect(entry.seq).toBe(r.audit.seq);
    expect(entry.details).toMatchObject({ scope: 'web', manifestSha256: r.manifestSha256 });
    expect(JSON.stringify(entry)).toContain(byAsset['a.jpg']!.sha256);
    expect(JSON.stringify(entry)).not.toMatch(/Ada|Ben|"P1"|"P2"|a\.jpg|b\.png/);
    expect(JSON.stringify(entry)).not.toContain(out.dir);
    expect((await runSitter(['--workspace', t.root, 'audit', 'verify'])).code).toBe(0);
  });

  it('--asset: one copy; another scope keeps whoever it covers (print: both on a.jpg)', async () => {
    const dir = join(out.dir, 'print');
    const run = await runSitter([
      ...['--workspace', t.root, '--json', 'publish', 's', '--scope', 'print', '--out', dir, '--asset', 'a.jpg'],
    ]);
    expect(run.code, run.stdout).toBe(0);
    const r = jsonOf(run) as unknown as PublishResult;
    expect(r.manifest.assets.map((a) => [a.asset, a.masked.length, a.kept.length])).toEqual([['a.jpg', 0, 2]]);
    expect(existsSync(join(dir, 'b.png'))).toBe(false);
  });

  it('refuses: a malformed scope, an unknown asset, a non-empty folder (unless --force); a photo changed since the scan is skipped with its reason', async () => {
    const bad = await publish(join(out.dir, 'x'), '--scope', 'Web Site!');
    expect(bad.code).toBe(2);
    expect(jsonOf(bad)).toMatchObject({ error: { code: 'BAD_SCOPE' } });
    expect(existsSync(join(out.dir, 'x'))).toBe(false);

    const unknown = await publish(join(out.dir, 'y'), '--asset', 'nope.jpg');
    expect(unknown.code).toBe(1);
    expect(jsonOf(unknown)).toMatchObject({ error: { code: 'ASSET_NOT_FOUND' } });

    const full = join(out.dir, 'full');
    expect((await publish(full)).code).toBe(0);
    const refused = await publish(full);
    expect(refused.code).toBe(1);
    expect(jsonOf(refused)).toMatchObject({
      error: { code: 'OUTPUT_NOT_EMPTY', hint: expect.stringMatching(/--force/) },
    });
    expect((await publish(full, '--force')).code).toBe(0);

    // The photo changed after the scan: its boxes may not fit, so no copy of it, and the run says so.
    await sharp(await texture(600, 400))
      .jpeg()
      .toFile(join(source, 'a.jpg'));
    const dir = join(out.dir, 'changed');
    const changed = await publish(dir);
    expect(changed.code, changed.stdout).toBe(1);
    const r = jsonOf(changed) as unknown as PublishResult;
    expect(r.manifest.skipped).toEqual([
      { asset: 'a.jpg', reason: 'changed-since-scan', message: expect.stringMatching(/changed since it was scanned/) },
    ]);
    expect(r.manifest.assets.map((a) => a.asset)).toEqual(['b.png']);
    expect(existsSync(join(dir, 'a.jpg'))).toBe(false);
  });

  it('refuses an output folder inside the shoot folder or the workspace, or reached through a link, writing nothing', async () => {
    const inSource = await publish(join(source, 'published'));
    expect(inSource.code).toBe(1);
    expect(jsonOf(inSource)).toMatchObject({ error: { code: 'OUTPUT_INSIDE_PROTECTED' } });
    expect(existsSync(join(source, 'published'))).toBe(false);

    const inWorkspace = await publish(join(t.root, 'pub'));
    expect(inWorkspace.code).toBe(1);
    expect(jsonOf(inWorkspace)).toMatchObject({ error: { code: 'OUTPUT_INSIDE_PROTECTED' } });
    expect(existsSync(join(t.root, 'pub'))).toBe(false);

    // a link on the way: the folder checked would not be the folder written
    const elsewhere = join(out.dir, 'elsewhere');
    mkdirSync(elsewhere);
    symlinkSync(elsewhere, join(out.dir, 'via'));
    const linked = await publish(join(out.dir, 'via', 'sub'));
    expect(linked.code).toBe(1);
    expect(jsonOf(linked)).toMatchObject({ error: { code: 'OUTPUT_THROUGH_LINK' } });
    expect(existsSync(join(elsewhere, 'sub'))).toBe(false);
  });

  it('a run that cannot be put on the audit chain leaves no copy behind', async () => {
    const dir = join(out.dir, 'unrecorded');
    await prepareExportFolder(dir, false);
    // The store as the workspace gives it, whose last unit of work (the audit entry) finds the database locked.
    let units = 0;
    const store: Store = {
      close: () => t.ws.store.close(),
      assertIntact: () => t.ws.store.assertIntact(),
      currentRole: () => t.ws.store.currentRole(),
      team: () => t.ws.store.team(),
      transaction: (work) => {
        if (++units === 2) throw new SitterError('DATABASE_LOCKED', 'locked', 'try again');
        return t.ws.store.transaction(work);
      },
    };
    const deps = {
      connector: wrapConnector(createLocalConnector({})),
      masker: new SharpFaceMasker(),
      folder: new PublicationFolderOnDisk(dir, false),
      folderPath: dir,
    };
    await expect(publishShoot({ ...t.ctx, store }, deps, 's', 'web')).rejects.toMatchObject({
      code: 'DATABASE_LOCKED',
    });
    expect(readdirSync(dir)).toEqual([]);
  });
});
