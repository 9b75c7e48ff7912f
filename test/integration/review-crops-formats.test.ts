/**
 * The review app shows a RAW's face from its full-size embedded preview and a HEIC at all: sharp
 * alone would crop a RAW's 160 px thumbnail (a smear no reviewer can judge identity from) and fail on
 * HEVC. The photos are real DNG and HEIC files made here (test/helpers/raw-files.ts, heif-enc).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import sharp from 'sharp';
import { afterAll, describe, expect, it } from 'vitest';
import { cropFace } from '../../src/tui/app/images/crops.js';
import { heifEnc } from '../helpers/heic-files.js';
import { makeDng } from '../helpers/raw-files.js';

const dir = mkdtempSync(join(tmpdir(), 'sitter-crops-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** A 1600x1200 picture of 4 px black and white squares: fine detail only a full-size image keeps. */
async function checkerboard(): Promise<Buffer> {
  const w = 1600;
  const h = 1200;
  const data = Buffer.alloc(w * h * 3);
  for (let y = 0; y < h; y++)
    for (let x = 0; x < w; x++)
      data.fill(((x >> 2) + (y >> 2)) % 2 === 0 ? 0 : 255, (y * w + x) * 3, (y * w + x) * 3 + 3);
  return sharp(data, { raw: { width: w, height: h, channels: 3 } })
    .png()
    .toBuffer();
}

/** Standard deviation of the crop's pixel values: high when the squares are seen, low when smeared. */
function contrast(pixels: Uint8Array): number {
  const mean = pixels.reduce((a, v) => a + v, 0) / pixels.length;
  return Math.sqrt(pixels.reduce((a, v) => a + (v - mean) ** 2, 0) / pixels.length);
}

const box = { x: 0.475, y: 0.475, w: 0.05, h: 0.05 };

describe('review crops of RAW and HEIC photos', () => {
  it("crops a DNG's face from its full-size preview, not its 160 px thumbnail", async () => {
    const picture = await checkerboard();
    const dng = await makeDng({ picture, sensor: { width: 1600, height: 1200 } });
    const fromDng = await cropFace(dng, box, 256, 256);
    const fromJpeg = await cropFace(await sharp(picture).jpeg({ quality: 90 }).toBuffer(), box, 256, 256);
    // the squares survive as they do from the full picture; a thumbnail would leave grey (contrast ~0)
    expect(contrast(fromDng.pixels.data)).toBeGreaterThan(80);
    expect(contrast(fromDng.pixels.data)).toBeGreaterThan(contrast(fromJpeg.pixels.data) * 0.8);
  });

  it('crops a HEIC photo instead of failing on it', async () => {
    const picture = await checkerboard();
    const heic = heifEnc(await sharp(picture).jpeg({ quality: 90 }).toBuffer(), dir, 'board');
    const crop = await cropFace(heic, box, 128, 128);
    expect(crop.pixels.width).toBe(128);
    expect(contrast(crop.pixels.data)).toBeGreaterThan(60);
  });
});
