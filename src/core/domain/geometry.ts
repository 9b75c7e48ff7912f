/**
 * A rectangle relative to the image as displayed (EXIF orientation applied, as the face engine saw
 * it): every value in 0..1. The one box type of Sitter: the engine reports it, faces store it, the
 * connector contract carries it (ports import it from here: the domain depends on nothing above it).
 */
export interface RelativeBox {
  x: number;
  y: number;
  w: number;
  h: number;
}

/** The area two boxes share, in their own coordinates (0 when they do not touch). */
export function intersectionArea(a: RelativeBox, b: RelativeBox): number {
  const x1 = Math.max(a.x, b.x);
  const y1 = Math.max(a.y, b.y);
  const x2 = Math.min(a.x + a.w, b.x + b.w);
  const y2 = Math.min(a.y + a.h, b.y + b.h);
  return Math.max(0, x2 - x1) * Math.max(0, y2 - y1);
}

/** Intersection over union of two boxes in the same (relative) coordinates. */
export function boxIou(a: RelativeBox, b: RelativeBox): number {
  const inter = intersectionArea(a, b);
  const union = a.w * a.h + b.w * b.h - inter;
  return union > 0 ? inter / union : 0;
}

/** A rejected pair still applies to a re-detected face when their boxes overlap this much. */
export const SAME_FACE_IOU = 0.3;

/** A confirmed face carries over to a re-detected face of a changed photo at this overlap or more. */
export const SAME_FACE_CARRY_IOU = 0.5;

/** A relative coordinate kept inside the image. */
export function clamp01(n: number): number {
  return Math.min(1, Math.max(0, n));
}
