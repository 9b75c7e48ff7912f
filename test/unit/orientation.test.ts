/**
 * The one orientation module (src/core/domain/orientation.ts): every EXIF orientation maps the
 * displayed frame back to the stored one as the EXIF specification draws it. Checked here on the
 * corners of the image, pure; test/integration/xmp-orientation.test.ts checks the same mapping
 * against sharp's own rotation of real pixels.
 */
import { describe, expect, it } from 'vitest';
import {
  displayedSize,
  type ExifOrientation,
  exifOrientationOf,
  isExifOrientation,
  storedSize,
  swapsAxes,
  toStoredBox,
  toStoredPoint,
} from '../../src/core/domain/orientation.js';

/**
 * Where the displayed image's top-left corner (0,0) and top-right corner (1,0) sit in the stored image,
 * per orientation: EXIF's own definition of the eight values (the stored row 0 / column 0 is at ...).
 */
const CORNERS: Record<ExifOrientation, { topLeft: [number, number]; topRight: [number, number] }> = {
  1: { topLeft: [0, 0], topRight: [1, 0] }, // as stored
  2: { topLeft: [1, 0], topRight: [0, 0] }, // mirrored left-right
  3: { topLeft: [1, 1], topRight: [0, 1] }, // turned 180
  4: { topLeft: [0, 1], topRight: [1, 1] }, // mirrored top-bottom
  5: { topLeft: [0, 0], topRight: [0, 1] }, // transposed
  6: { topLeft: [0, 1], topRight: [0, 0] }, // stored turned 90 counter-clockwise: display turns it clockwise
  7: { topLeft: [1, 1], topRight: [1, 0] }, // transversed
  8: { topLeft: [1, 0], topRight: [1, 1] }, // stored turned 90 clockwise: display turns it counter-clockwise
};

const ALL = [1, 2, 3, 4, 5, 6, 7, 8] as const;

describe('EXIF orientation, the one module', () => {
  for (const o of ALL) {
    it(`orientation ${o}: corners, a box and the sizes map to the stored frame`, () => {
      expect(toStoredPoint(0, 0, o)).toEqual(CORNERS[o].topLeft);
      expect(toStoredPoint(1, 0, o)).toEqual(CORNERS[o].topRight);
      // The whole image stays the whole image, in any orientation.
      expect(toStoredBox({ x: 0, y: 0, w: 1, h: 1 }, o)).toEqual({ x: 0, y: 0, w: 1, h: 1 });
      // A box in the displayed top-left corner lands at the stored corner the table names, with
      // its sides swapped exactly when the orientation turns the picture by a quarter.
      const box = toStoredBox({ x: 0, y: 0, w: 0.2, h: 0.1 }, o);
      const [cx, cy] = CORNERS[o].topLeft;
      const [w, h] = swapsAxes(o) ? [0.1, 0.2] : [0.2, 0.1];
      expect(box.w).toBeCloseTo(w, 12);
      expect(box.h).toBeCloseTo(h, 12);
      expect(box.x).toBeCloseTo(cx === 0 ? 0 : 1 - w, 12);
      expect(box.y).toBeCloseTo(cy === 0 ? 0 : 1 - h, 12);
      expect(swapsAxes(o)).toBe(o >= 5);
      expect(storedSize(40, 60, o)).toEqual(o >= 5 ? { width: 60, height: 40 } : { width: 40, height: 60 });
      expect(displayedSize(60, 40, o)).toEqual(o >= 5 ? { width: 40, height: 60 } : { width: 60, height: 40 });
    });
  }

  it('a box mapped to the stored frame keeps its area, and no box leaves the image', () => {
    for (const o of ALL) {
      const b = toStoredBox({ x: 0.3, y: 0.55, w: 0.25, h: 0.4 }, o);
      expect(b.w * b.h).toBeCloseTo(0.25 * 0.4, 12);
      const edge = toStoredBox({ x: 0.9, y: 0.9, w: 0.3, h: 0.3 }, o);
      for (const v of [edge.x, edge.y, edge.x + edge.w, edge.y + edge.h]) {
        expect(v).toBeGreaterThanOrEqual(0);
        expect(v).toBeLessThanOrEqual(1);
      }
    }
  });

  it('reads what a decoder or a file reports: 1-8 kept, anything else is 1, as viewers treat it', () => {
    for (const o of ALL) expect(exifOrientationOf(o)).toBe(o);
    for (const bad of [undefined, null, 0, 9, 2.5, -1, '6', Number.NaN]) {
      expect(exifOrientationOf(bad)).toBe(1);
      expect(isExifOrientation(bad)).toBe(false);
    }
  });
});
