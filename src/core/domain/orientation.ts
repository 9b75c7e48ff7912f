/**
 * EXIF orientation, the one place Sitter reasons about it. The engine decodes every photo with the
 * orientation applied, so faces, boxes and sizes are in the *displayed* frame; the file stores its
 * pixels in the *stored* frame, and MWG regions are written there ("When applying a rotation by
 * applying Exif Orientation, the rotation must be applied to the regions as well", MWG Guidelines 2.0,
 * 5.9). Pure functions: the engine reports the orientation (it has the decoder), the scan stores it
 * on the asset, and the connector and the review app map with these.
 */
import { clamp01, type RelativeBox } from './geometry.js';

/** The eight EXIF orientations: 1 is as stored; 2-4 mirror or turn 180; 5-8 swap width and height. */
export type ExifOrientation = 1 | 2 | 3 | 4 | 5 | 6 | 7 | 8;

export function isExifOrientation(n: unknown): n is ExifOrientation {
  return typeof n === 'number' && Number.isInteger(n) && n >= 1 && n <= 8;
}

/** An orientation as a decoder or a file reports it: anything missing or out of range is 1, as viewers treat it. */
export function exifOrientationOf(n: unknown): ExifOrientation {
  return isExifOrientation(n) ? n : 1;
}

/** True for orientations that swap width and height (5-8: transposed, turned 90 or 270). */
export function swapsAxes(orientation: ExifOrientation): boolean {
  return orientation >= 5;
}

/** Maps a point of the displayed image (u, v in 0..1) back to the stored image. */
export function toStoredPoint(u: number, v: number, orientation: ExifOrientation): [number, number] {
  switch (orientation) {
    case 2:
      return [1 - u, v]; // mirrored horizontally
    case 3:
      return [1 - u, 1 - v]; // rotated 180
    case 4:
      return [u, 1 - v]; // mirrored vertically
    case 5:
      return [v, u]; // transposed
    case 6:
      return [v, 1 - u]; // displayed = stored rotated 90 CW
    case 7:
      return [1 - v, 1 - u]; // transversed
    case 8:
      return [1 - v, u]; // displayed = stored rotated 270 CW
    default:
      return [u, v];
  }
}

/** The displayed box in the stored image's frame (top-left based, relative, clamped to the image). */
export function toStoredBox(box: RelativeBox, orientation: ExifOrientation = 1): RelativeBox {
  const [x1, y1] = toStoredPoint(box.x, box.y, orientation);
  const [x2, y2] = toStoredPoint(box.x + box.w, box.y + box.h, orientation);
  const x = clamp01(Math.min(x1, x2));
  const y = clamp01(Math.min(y1, y2));
  return { x, y, w: clamp01(Math.max(x1, x2)) - x, h: clamp01(Math.max(y1, y2)) - y };
}

/** The stored pixel size of an image from its displayed size. */
export function storedSize(width: number, height: number, orientation: ExifOrientation = 1): Size {
  return swapped({ width, height }, orientation);
}

/** The displayed pixel size of an image from its stored size (what a decoder's header says). */
export function displayedSize(width: number, height: number, orientation: ExifOrientation = 1): Size {
  return swapped({ width, height }, orientation);
}

export interface Size {
  width: number;
  height: number;
}

/** Turning by 90 or 270 degrees swaps the sides, both ways: the same swap serves both frames. */
function swapped(size: Size, orientation: ExifOrientation): Size {
  return swapsAxes(orientation) ? { width: size.height, height: size.width } : size;
}
