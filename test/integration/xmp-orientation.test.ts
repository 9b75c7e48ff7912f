/**
 * Face boxes come relative to the displayed image; regions are written in the stored frame. This
 * checks the mapping for all eight EXIF orientations against sharp's own rotation: draw a mark in a
 * stored image, let sharp apply the orientation, find the mark in what it displays, map it back.
 */
import sharp from 'sharp';
import { describe, expect, it } from 'vitest';
import { storedSize, toStoredBox } from '../../src/core/domain/orientation.js';

const W = 60;
const H = 40;
const mark = { x: 6, y: 8, w: 18, h: 12 };

async function storedWithMark(orientation: number): Promise<Buffer> {
  const white = await sharp({
    create: { width: mark.w, height: mark.h, channels: 3, background: { r: 255, g: 255, b: 255 } },
  })
    .png()
    .toBuffer();
  return sharp({ create: { width: W, height: H, channels: 3, background: { r: 0, g: 0, b: 0 } } })
    .composite([{ input: white, left: mark.x, top: mark.y }])
    .jpeg({ quality: 100 })
    .withMetadata({ orientation })
    .toBuffer();
}

async function displayedMark(
  buf: Buffer,
): Promise<{ box: { x: number; y: number; w: number; h: number }; width: number; height: number }> {
  const { data, info } = await sharp(buf).rotate().greyscale().raw().toBuffer({ resolveWithObject: true });
  let x0 = Infinity,
    y0 = Infinity,
    x1 = -1,
    y1 = -1;
  for (let y = 0; y < info.height; y++) {
    for (let x = 0; x < info.width; x++) {
      if ((data[y * info.width + x] ?? 0) > 128) {
        x0 = Math.min(x0, x);
        y0 = Math.min(y0, y);
        x1 = Math.max(x1, x);
        y1 = Math.max(y1, y);
      }
    }
  }
  return {
    box: { x: x0 / info.width, y: y0 / info.height, w: (x1 + 1 - x0) / info.width, h: (y1 + 1 - y0) / info.height },
    width: info.width,
    height: info.height,
  };
}

describe('regions in the stored frame', () => {
  for (const orientation of [1, 2, 3, 4, 5, 6, 7, 8] as const) {
    it(`maps a displayed box back to the stored image for orientation ${orientation}`, async () => {
      const shown = await displayedMark(await storedWithMark(orientation));
      expect(storedSize(shown.width, shown.height, orientation)).toEqual({ width: W, height: H });
      const back = toStoredBox(shown.box, orientation);
      const tol = 1.5 / H;
      expect(back.x).toBeCloseTo(mark.x / W, 1);
      expect(Math.abs(back.x - mark.x / W)).toBeLessThan(tol);
      expect(Math.abs(back.y - mark.y / H)).toBeLessThan(tol);
      expect(Math.abs(back.w - mark.w / W)).toBeLessThan(tol);
      expect(Math.abs(back.h - mark.h / H)).toBeLessThan(tol);
    });
  }
});
