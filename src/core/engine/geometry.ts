/** Pure geometry: rectangles, tiles, overlap, and merging detections found more than once. */
import { boxIou, intersectionArea } from '../domain/geometry.js';

export interface Rect {
  x: number;
  y: number;
  w: number;
  h: number;
}

/** Intersection over union: the same measure the core uses for boxes in relative coordinates. */
export const iou: (a: Rect, b: Rect) => number = boxIou;

/** The share of the smaller rectangle covered by the other (catches a face box nested in a bigger one). */
export function overlapOfSmaller(a: Rect, b: Rect): number {
  const inter = intersectionArea(a, b);
  const smaller = Math.min(a.w * a.h, b.w * b.h);
  return smaller > 0 ? inter / smaller : 0;
}

/** Positions of `count` windows of `side` covering 0..length, evenly spread, first at 0, last at the end. */
function positions(length: number, side: number, stride: number): number[] {
  if (side >= length) return [0];
  const count = Math.ceil((length - side) / stride) + 1;
  const step = (length - side) / (count - 1);
  return Array.from({ length: count }, (_, i) => Math.round(i * step));
}

/**
 * Square tiles of `side` pixels over a width x height image, neighbours overlapping by at least
 * `overlap` (a fraction of side), so that every face smaller than overlap * side lies wholly inside
 * at least one tile.
 */
export function tileGrid(width: number, height: number, side: number, overlap: number): Rect[] {
  const s = Math.round(Math.min(side, Math.max(width, height)));
  const stride = Math.max(1, Math.floor(s * (1 - overlap)));
  const tw = Math.min(s, width);
  const th = Math.min(s, height);
  const xs = positions(width, tw, stride);
  const ys = positions(height, th, stride);
  const tiles: Rect[] = [];
  for (const y of ys) for (const x of xs) tiles.push({ x, y, w: tw, h: th });
  return tiles;
}

/**
 * Greedy non-maximum suppression: keep the best-ranked item, drop any other that overlaps it
 * (IoU above `iouThreshold`, or mostly nested inside it).
 */
export function suppress<T>(
  items: T[],
  rect: (t: T) => Rect,
  rank: (t: T) => number,
  iouThreshold = 0.3,
  nestedThreshold = 0.7,
): T[] {
  const sorted = [...items].sort((a, b) => rank(b) - rank(a));
  const kept: T[] = [];
  for (const item of sorted) {
    const r = rect(item);
    if (kept.every((k) => iou(rect(k), r) <= iouThreshold && overlapOfSmaller(rect(k), r) <= nestedThreshold))
      kept.push(item);
  }
  return kept;
}
