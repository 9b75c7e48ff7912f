/**
 * Face boxes arrive relative to the image as displayed (EXIF orientation applied, as the face engine
 * saw it). MWG says region metadata applies to the *stored* image ("When applying a rotation by
 * applying Exif Orientation, the rotation must be applied to the regions as well", MWG Guidelines 2.0,
 * 5.9), and ExifTool's convert_regions.config maps MWG to IPTC regions one to one, so both are written
 * in the stored frame, with AppliedToDimensions = the stored pixel size.
 */
import type { RelativeBox } from '../../core/ports/face-engine.js';

/** Maps a point of the displayed image (u, v in 0..1) back to the stored image, per EXIF orientation. */
function toStoredPoint(u: number, v: number, orientation: number): [number, number] {
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

/** True for orientations that swap width and height. */
export function swapsAxes(orientation: number): boolean {
  return orientation >= 5 && orientation <= 8;
}

/** The displayed box in the stored image's frame (top-left based, relative). */
export function toStoredBox(box: RelativeBox, orientation = 1): RelativeBox {
  const [x1, y1] = toStoredPoint(box.x, box.y, orientation);
  const [x2, y2] = toStoredPoint(box.x + box.w, box.y + box.h, orientation);
  const x = clamp01(Math.min(x1, x2));
  const y = clamp01(Math.min(y1, y2));
  return { x, y, w: clamp01(Math.max(x1, x2)) - x, h: clamp01(Math.max(y1, y2)) - y };
}

/** The stored pixel size from the displayed one. */
export function storedSize(width: number, height: number, orientation = 1): { width: number; height: number } {
  return swapsAxes(orientation) ? { width: height, height: width } : { width, height };
}

function clamp01(n: number): number {
  return Math.min(1, Math.max(0, n));
}

/**
 * Relative coordinates as text: at most 6 decimals (a micro-fraction: sub-pixel even at 100 MP),
 * trailing zeros trimmed. Deterministic, so pushing twice writes the same bytes.
 */
export function fmt(n: number): string {
  const s = clamp01(n).toFixed(6).replace(/0+$/, '').replace(/\.$/, '');
  return s === '-0' ? '0' : s;
}
