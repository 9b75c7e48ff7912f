import { createHash } from 'node:crypto';
import { mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { crc32 } from 'node:zlib';
import sharp from 'sharp';
import type { Case, CaseContext, CaseResult } from '../lib/case.js';
import { Tally } from '../lib/case.js';
import { integrity } from '../lib/checks.js';
import { rawSql, TODAY, type Baseline } from '../lib/fixture.js';
import { brief, isBug } from '../lib/proc.js';

/** The issue's ceiling for a whole scan of hostile files. */
export const PEAK_MB_LIMIT = 1536;
const SHOOT = 'hostile';

/** A photo with people in it, from an installed dependency (never copied into the repository). */
function samplePhoto(): string {
  const require = createRequire(import.meta.url);
  return join(dirname(require.resolve('@vladmandic/face-api/package.json')), 'demo', 'sample1.jpg');
}

/** Captured today, so the shoot's dates admit it. */
const EXIF = {
  IFD0: { Copyright: 'campaign' },
  IFD2: { DateTimeOriginal: `${TODAY.replaceAll('-', ':')} 10:00:00`, OffsetTimeOriginal: '+00:00' },
};

/** Pixels stored so that orientation `n` displays them upright (the inverse of what the tag asks). */
async function storedFor(base: Buffer, n: number): Promise<Buffer> {
  const turn: Record<number, [number, boolean, boolean]> = {
    1: [0, false, false],
    2: [0, false, true],
    3: [180, false, false],
    4: [0, true, false],
    5: [90, false, true],
    6: [270, false, false],
    7: [270, false, true],
    8: [90, false, false],
  };
  const [angle, flip, flop] = turn[n]!;
  const rotated = await sharp(base).rotate(angle).toBuffer();
  return sharp(rotated).flip(flip).flop(flop).toBuffer();
}

/** A PNG whose header claims 30000×30000 pixels (900 MP) over a few bytes of data: a decompression bomb. */
async function bombPng(): Promise<Buffer> {
  const png = Buffer.from(
    await sharp({ create: { width: 8, height: 8, channels: 3, background: '#000' } })
      .png()
      .toBuffer(),
  );
  png.writeUInt32BE(30000, 16);
  png.writeUInt32BE(30000, 20);
  png.writeUInt32BE(crc32(png.subarray(12, 29)), 29);
  return png;
}

export interface HostileSet {
  dir: string;
  /** files that must be analysed (faces found as on the plain photo), by name */
  mustScan: string[];
  orientations: string[];
  swap: [string, string];
}

/** Writes the hostile shoot folder. Every file is generated here, at run time. */
export async function writeHostileSet(dir: string, big: boolean): Promise<HostileSet> {
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  const base = await sharp(samplePhoto()).rotate().resize({ width: 640 }).jpeg().toBuffer();
  const put = (name: string, bytes: Buffer | string) => writeFileSync(join(dir, name), bytes);
  const jpeg = await sharp(base).withExif(EXIF).jpeg().toBuffer();
  put('plain.jpg', jpeg);
  put('zero-bytes.jpg', Buffer.alloc(0));
  put('truncated.jpg', jpeg.subarray(0, Math.floor(jpeg.length * 0.4)));
  put('text-as.jpg', 'This is a text file with a .jpg name.\n');
  put('bomb-30000x30000.png', await bombPng());
  put('cmyk.jpg', await sharp(base).withExif(EXIF).toColourspace('cmyk').jpeg().toBuffer());
  put('16-bit.png', await sharp(base).withExif(EXIF).toColourspace('rgb16').png().toBuffer());
  put('alpha.png', await sharp(base).withExif(EXIF).ensureAlpha(0.5).png().toBuffer());
  put(
    'animated.gif',
    await sharp([base, await sharp(base).flop().toBuffer()], { join: { animated: true } })
      .gif()
      .toBuffer(),
  );
  put('photo.webp', await sharp(base).withExif(EXIF).webp().toBuffer());
  put('photo.tiff', await sharp(base).tiff().toBuffer());
  await stampCaptureTime(join(dir, 'photo.tiff')); // sharp's TIFF writer drops EXIF
  put('photo.avif', await sharp(base).withExif(EXIF).avif().toBuffer());
  // HEIF container (AV1 inside: the prebuilt sharp cannot encode HEVC).
  put('photo.heic', await sharp(base).withExif(EXIF).heif({ compression: 'av1' }).toBuffer());
  const orientations: string[] = [];
  for (let n = 1; n <= 8; n++) {
    const name = `orientation-${n}.jpg`;
    put(
      name,
      await sharp(await storedFor(base, n))
        .withMetadata({ orientation: n })
        .withExif(EXIF)
        .jpeg()
        .toBuffer(),
    );
    orientations.push(name);
  }
  put('swap-a.jpg', jpeg);
  put('swap-b.jpg', await sharp(base).resize({ width: 500 }).withExif(EXIF).jpeg().toBuffer());
  const mustScan = [
    'plain.jpg',
    'cmyk.jpg',
    '16-bit.png',
    'alpha.png',
    'photo.webp',
    'photo.tiff',
    'photo.avif',
    'photo.heic',
    ...orientations,
  ];
  if (big) {
    put(
      '40-megapixel.jpg',
      await sharp(base)
        .resize({ width: 7300, height: 5480, fit: 'fill' })
        .withExif(EXIF)
        .jpeg({ quality: 85 })
        .toBuffer(),
    );
    mustScan.push('40-megapixel.jpg');
  }
  return { dir, mustScan, orientations, swap: ['swap-a.jpg', 'swap-b.jpg'] };
}

/** DateTimeOriginal written by exiftool, where sharp cannot carry EXIF. */
async function stampCaptureTime(file: string): Promise<void> {
  const { ExifTool } = await import('exiftool-vendored');
  const tool = new ExifTool();
  try {
    await tool.write(
      file,
      { DateTimeOriginal: `${TODAY.replaceAll('-', ':')} 10:00:00`, OffsetTimeOriginal: '+00:00' },
      { writeArgs: ['-overwrite_original'] },
    );
  } finally {
    await tool.end();
  }
}

const sha = (b: Buffer) => `sha256:${createHash('sha256').update(b).digest('hex')}`;

/** Swaps two files (rename, as a sync tool would) every few milliseconds until stopped. */
function swapper(dir: string, [a, b]: [string, string]): { stop: () => void } {
  const timer = setInterval(() => {
    try {
      renameSync(join(dir, a), join(dir, `${a}.swap`));
      renameSync(join(dir, b), join(dir, a));
      renameSync(join(dir, `${a}.swap`), join(dir, b));
    } catch {
      /* a rename raced another: try again next tick */
    }
  }, 15);
  return { stop: () => clearInterval(timer) };
}

/** Scans a hostile set in a second shoot of the baseline workspace; returns the problems found. */
export async function hostileScan(b: Baseline, set: HostileSet): Promise<{ problems: string[]; observation: string }> {
  const problems: string[] = [];
  b.restore('enrolled');
  for (const step of [
    [
      'shoot',
      'create',
      SHOOT,
      '--name',
      'Hostile',
      '--source',
      set.dir,
      '--purpose',
      'hostile input',
      '--retention-days',
      '30',
      '--from',
      TODAY,
      '--to',
      TODAY,
    ],
    ['consent', 'import', SHOOT, b.consentFile],
    ['shoot', 'approve', SHOOT, '--dpia', 'D', '--approved-by', 'DPO'],
    ['enrol', SHOOT],
  ]) {
    const r = await b.run(step);
    if (r.code !== 0) return { problems: [`setup ${step[0]} ${step[1]}: ${brief(r)}`], observation: '' };
  }
  const swapBytes = set.swap.map((n) => readFileSync(join(set.dir, n)));
  const swapping = swapper(set.dir, set.swap);
  const scan = await b.run(['scan', SHOOT], { timeoutMs: 600_000 });
  swapping.stop();
  if (isBug(scan) || scan.signal) problems.push(`scan: ${brief(scan)} ${scan.stderr.split('\n')[0] ?? ''}`);
  if (scan.peakRssMb > PEAK_MB_LIMIT) problems.push(`peak memory ${scan.peakRssMb} MB > ${PEAK_MB_LIMIT} MB`);
  const db = join(b.ws, 'sitter.db');
  const check = await integrity(db);
  if (check !== 'ok') problems.push(`integrity_check: ${check}`);
  const assets = await rawSql<{
    id: number;
    connector_asset_id: string;
    scan_state: string;
    error: string | null;
    content_sha256: string | null;
    width: number | null;
  }>(db, 'select id, connector_asset_id, scan_state, error, content_sha256, width from asset where shoot_id = ?', [
    SHOOT,
  ]);
  const faces = await rawSql<{ asset_id: number; n: number }>(
    db,
    'select asset_id, count(*) as n from face where shoot_id = ? group by asset_id',
    [SHOOT],
  );
  const byName = new Map(
    assets.map((a) => [a.connector_asset_id, { ...a, faces: faces.find((f) => f.asset_id === a.id)?.n ?? 0 }]),
  );
  const reported = scan.stdout;
  // Every file is accounted for: analysed, or recorded with a reason (an asset's error, or named as skipped).
  for (const name of [
    ...set.mustScan,
    'zero-bytes.jpg',
    'truncated.jpg',
    'text-as.jpg',
    'bomb-30000x30000.png',
    'animated.gif',
    ...set.swap,
  ]) {
    const a = byName.get(name);
    if (!a) {
      if (!reported.includes(name)) problems.push(`${name}: neither recorded nor reported`);
      continue;
    }
    if (a.scan_state !== 'scanned' && !a.error) problems.push(`${name}: ${a.scan_state} without a reason`);
  }
  for (const name of set.mustScan) {
    const a = byName.get(name);
    if (a?.scan_state !== 'scanned')
      problems.push(`${name}: not analysed (${a ? `${a.scan_state}: ${a.error}` : 'missing'})`);
  }
  const upright = byName.get('plain.jpg')?.faces ?? 0;
  for (const name of set.orientations) {
    const n = byName.get(name)?.faces;
    if (n !== undefined && n !== upright) problems.push(`${name}: ${n} faces, the upright photo has ${upright}`);
  }
  // A file swapped between listing and reading: what was recorded is one whole file, hash and size together.
  const widths = new Map([
    [sha(swapBytes[0]!), 640],
    [sha(swapBytes[1]!), 500],
  ]);
  for (const name of set.swap) {
    const a = byName.get(name);
    if (a?.scan_state === 'scanned' && widths.get(a.content_sha256 ?? '') !== a.width)
      problems.push(`${name}: recorded hash and dimensions are of different files`);
  }
  const held = assets.filter((a) => a.scan_state !== 'scanned').map((a) => `${a.connector_asset_id}: ${a.scan_state}`);
  return { problems, observation: `peak ${scan.peakRssMb} MB; not analysed: ${held.join(', ') || 'none'}` };
}

export async function hostileCase(ctx: CaseContext, big: boolean): Promise<CaseResult> {
  const tally = new Tally(big ? 'hostile images (with 40 MP)' : 'hostile images');
  const set = await writeHostileSet(join(ctx.workDir, 'hostile'), big);
  const { problems, observation } = await hostileScan(await ctx.baseline(), set);
  ctx.log(`hostile: ${observation} ${problems.join('; ')}`);
  tally.add(problems, observation);
  return tally.done();
}

export const hostileImages: Case = { name: 'hostile-images', run: async (ctx) => [await hostileCase(ctx, true)] };
