import sharp, { type Sharp } from 'sharp';
import { describe, expect, it } from 'vitest';
import { SitterError } from '../../src/core/domain/errors.js';
import { decodeImage } from '../../src/core/engine/decode.js';

/** A small test pattern: left half red, right half blue, with a white top row band. */
async function pattern(width = 64, height = 32): Promise<Sharp> {
  const svg = `<svg width="${width}" height="${height}"><rect width="${width / 2}" height="${height}" fill="#ff0000"/><rect x="${width / 2}" width="${width / 2}" height="${height}" fill="#0000ff"/><rect width="${width}" height="4" fill="#ffffff"/></svg>`;
  return sharp(Buffer.from(svg));
}

function pixel(img: { data: Buffer; width: number }, x: number, y: number): number[] {
  const i = (y * img.width + x) * 3;
  return [img.data[i] ?? -1, img.data[i + 1] ?? -1, img.data[i + 2] ?? -1];
}

function crc32(buf: Buffer): number {
  let c = ~0;
  for (const byte of buf) {
    c ^= byte;
    for (let k = 0; k < 8; k++) c = c & 1 ? (c >>> 1) ^ 0xedb88320 : c >>> 1;
  }
  return ~c >>> 0;
}

async function expectCode(p: Promise<unknown>, code: string): Promise<SitterError> {
  const e = await p.then(
    () => null,
    (err: unknown) => err,
  );
  expect(e).toBeInstanceOf(SitterError);
  expect((e as SitterError).code).toBe(code);
  expect((e as SitterError).hint).toBeTruthy();
  return e as SitterError;
}

describe('decoding with sharp', () => {
  it('refuses empty, corrupt and truncated images with a user error', async () => {
    await expectCode(decodeImage(new Uint8Array()), 'IMAGE_UNREADABLE');
    await expectCode(decodeImage(Buffer.from('this is not an image at all')), 'IMAGE_UNREADABLE');
    const jpeg = await (await pattern(256, 256)).jpeg().toBuffer();
    await expectCode(decodeImage(jpeg.subarray(0, Math.floor(jpeg.length / 2))), 'IMAGE_UNREADABLE');
    const corrupt = Buffer.from(jpeg);
    corrupt.fill(0x00, 200, 400);
    await expect(decodeImage(corrupt)).rejects.toBeInstanceOf(SitterError);
  });

  it('refuses a decompression bomb from its header, before decoding', async () => {
    const png = await (await pattern(16, 16)).png().toBuffer();
    // IHDR starts at byte 8: length(4) "IHDR"(4) width(4) height(4) ... crc(4)
    const bomb = Buffer.from(png);
    bomb.writeUInt32BE(60000, 16);
    bomb.writeUInt32BE(60000, 20);
    bomb.writeUInt32BE(crc32(bomb.subarray(12, 29)), 29);
    const e = await expectCode(decodeImage(bomb), 'IMAGE_TOO_LARGE');
    expect(e.message).toMatch(/60000x60000/);
    // and an ordinary image above a configured limit
    await expectCode(
      decodeImage(await (await pattern(200, 200)).png().toBuffer(), { maxPixels: 10_000 }),
      'IMAGE_TOO_LARGE',
    );
  });

  it('applies EXIF orientation', async () => {
    const raw = await (await pattern(64, 32)).jpeg({ quality: 95 }).toBuffer();
    const rotated = await sharp(raw).withMetadata({ orientation: 6 }).jpeg({ quality: 95 }).toBuffer();
    const img = await decodeImage(rotated);
    expect([img.width, img.height]).toEqual([32, 64]);
    expect(img.orientation).toBe(6);
    // orientation 6 = rotate 90 degrees clockwise to display: the red half ends on top
    const top = pixel(img, 16, 8);
    const bottom = pixel(img, 16, 56);
    expect(top[0]).toBeGreaterThan(200);
    expect(bottom[2]).toBeGreaterThan(200);
  });

  it('reports the EXIF orientation it applied, for each of the eight (1 when the file has none)', async () => {
    const raw = await (await pattern(64, 32)).jpeg({ quality: 95 }).toBuffer();
    expect((await decodeImage(raw)).orientation).toBe(1);
    for (const orientation of [1, 2, 3, 4, 5, 6, 7, 8] as const) {
      const tagged = await sharp(raw).withMetadata({ orientation }).jpeg({ quality: 95 }).toBuffer();
      const img = await decodeImage(tagged);
      expect(img.orientation).toBe(orientation);
      // the size it reports is the displayed one: turned for 5-8
      expect([img.width, img.height]).toEqual(orientation >= 5 ? [32, 64] : [64, 32]);
    }
  });

  it('flattens alpha onto white and converts gray, CMYK and 16-bit to 8-bit sRGB', async () => {
    const transparent = await sharp({
      create: { width: 8, height: 8, channels: 4, background: { r: 0, g: 0, b: 0, alpha: 0 } },
    })
      .png()
      .toBuffer();
    const a = await decodeImage(transparent);
    expect(pixel(a, 4, 4)).toEqual([255, 255, 255]);

    const gray = await (await pattern()).greyscale().png().toBuffer();
    const g = await decodeImage(gray);
    expect(g.data.length).toBe(g.width * g.height * 3);
    const [r0, g0, b0] = pixel(g, 5, 20);
    expect(r0).toBe(g0);
    expect(g0).toBe(b0);

    const cmyk = await (await pattern()).toColourspace('cmyk').jpeg().toBuffer();
    expect((await sharp(cmyk).metadata()).space).toBe('cmyk');
    const c = await decodeImage(cmyk);
    expect(c.data.length).toBe(c.width * c.height * 3);
    expect(pixel(c, 5, 20)[0]).toBeGreaterThan(180);

    const sixteen = await (await pattern()).toColourspace('rgb16').png().toBuffer();
    expect((await sharp(sixteen).metadata()).depth).toBe('ushort');
    const s = await decodeImage(sixteen);
    expect(s.data.length).toBe(s.width * s.height * 3);
    expect(pixel(s, 5, 20)[0]).toBeGreaterThan(240);
  });

  it('reads WebP and TIFF', async () => {
    const webp = await (await pattern()).webp().toBuffer();
    expect((await decodeImage(webp)).format).toBe('webp');
    const tiff = await (await pattern()).tiff().toBuffer();
    expect((await decodeImage(tiff)).format).toBe('tiff');
  });

  it('reads HEIF (AVIF) where this sharp build supports it', async () => {
    if (!sharp.format.heif.input.buffer) return;
    const avif = await (await pattern()).avif().toBuffer();
    const img = await decodeImage(avif);
    expect(img.format).toBe('heif');
    expect([img.width, img.height]).toEqual([64, 32]);
  });
});
