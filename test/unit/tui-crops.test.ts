import sharp from 'sharp';
import { describe, expect, it } from 'vitest';
import { cropFace, fitPhoto } from '../../src/tui/app/images/crops.js';
import type { Pixels } from '../../src/tui/app/terminal/pixels.js';

/** A grey 200x100 picture with a red block where the "face" is (x 100-140, y 20-60). */
async function withRedFace(orientation?: number): Promise<Buffer> {
  const red = await sharp({ create: { width: 40, height: 40, channels: 3, background: { r: 255, g: 0, b: 0 } } })
    .png()
    .toBuffer();
  let img = sharp({
    create: { width: 200, height: 100, channels: 3, background: { r: 128, g: 128, b: 128 } },
  }).composite([{ input: red, left: 100, top: 20 }]);
  if (orientation) {
    // store the picture turned, with the EXIF tag that turns it back on display
    const upright = await img.png().toBuffer();
    img = sharp(upright)
      .rotate(orientation === 6 ? -90 : 90)
      .withMetadata({ orientation });
  }
  return img.jpeg({ quality: 95 }).toBuffer();
}

const at = (p: Pixels, x: number, y: number) =>
  Array.from(p.data.subarray((y * p.width + x) * 3, (y * p.width + x) * 3 + 3));
const isRed = ([r, g, b]: number[]) => r! > 200 && g! < 60 && b! < 60;

describe('face crops (in memory)', () => {
  it('cuts the padded square around the box, at the asked size', async () => {
    const { pixels } = await cropFace(await withRedFace(), { x: 0.5, y: 0.2, w: 0.2, h: 0.4 }, 20, 20);
    expect([pixels.width, pixels.height, pixels.data.length]).toEqual([20, 20, 1200]);
    expect(isRed(at(pixels, 10, 10))).toBe(true);
    expect(isRed(at(pixels, 0, 0))).toBe(false);
    expect(isRed(at(pixels, 19, 19))).toBe(false);
  });

  it('reads boxes in the displayed (EXIF-oriented) frame', async () => {
    const { pixels } = await cropFace(await withRedFace(6), { x: 0.5, y: 0.2, w: 0.2, h: 0.4 }, 20, 20);
    expect(isRed(at(pixels, 10, 10))).toBe(true);
  });

  it("crops in the frame the asset record gives (the scan's displayed size), for a rotated photo too", async () => {
    // stored 100x200 with orientation 6; displayed 200x100, the size the engine reported at scan
    const photo = await withRedFace(6);
    const { pixels } = await cropFace(photo, { x: 0.5, y: 0.2, w: 0.2, h: 0.4 }, 20, 20, {
      displayed: { width: 200, height: 100 },
    });
    expect(isRed(at(pixels, 10, 10))).toBe(true);
    expect(isRed(at(pixels, 0, 0))).toBe(false);
    expect(isRed(at(pixels, 19, 19))).toBe(false);
  });

  it('keeps boxes at the edge inside the picture', async () => {
    const { pixels } = await cropFace(await withRedFace(), { x: 0.9, y: 0.8, w: 0.2, h: 0.4 }, 10, 10);
    expect(pixels.width).toBe(10);
  });

  it('refuses bytes that are not a picture, with a reason', async () => {
    await expect(cropFace(Buffer.from('not an image'), { x: 0, y: 0, w: 1, h: 1 }, 10, 10)).rejects.toMatchObject({
      code: 'IMAGE_UNDECODABLE',
    });
    await expect(fitPhoto(Buffer.from('x'), 10, 10)).rejects.toMatchObject({ code: 'IMAGE_UNDECODABLE' });
  });

  it('fits a reference photo and can encode it as PNG for the image protocols', async () => {
    const pic = await fitPhoto(await withRedFace(), 12, 24, true);
    expect([pic.pixels.width, pic.pixels.height]).toEqual([12, 24]);
    expect(Buffer.from(pic.png!).subarray(1, 4).toString()).toBe('PNG');
  });
});
