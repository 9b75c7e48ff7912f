/**
 * Per-face measures the match rule's quality bands use (docs/engine.md, "Open-set safety"), computed
 * from what detection and alignment already produced, so no second pass over the image is needed.
 */
import { CHIP_SIZE, type FaceLandmarks } from './align.js';

/** Roll of the eye line in degrees (0 level; the chip is not rotated, so a tilted head stays tilted). */
export function rollOf(l: FaceLandmarks): number {
  return (Math.atan2(l.rightEye.y - l.leftEye.y, l.rightEye.x - l.leftEye.x) * 180) / Math.PI;
}

/**
 * Sharpness of the aligned 150x150 chip the network sees: the variance of the 4-neighbour Laplacian
 * of its luma, on the inner 80% (the chip's edges can be black padding). A small face upsampled to
 * the chip or a blurred one scores low; it is what the embedding was computed from that matters.
 */
export function chipSharpness(chip: Uint8Array, side: number = CHIP_SIZE): number {
  const luma = (x: number, y: number) => {
    const i = (y * side + x) * 3;
    return 0.299 * (chip[i] ?? 0) + 0.587 * (chip[i + 1] ?? 0) + 0.114 * (chip[i + 2] ?? 0);
  };
  const from = Math.round(side * 0.1);
  const to = side - from;
  let n = 0;
  let sum = 0;
  let sq = 0;
  for (let y = Math.max(1, from); y < Math.min(side - 1, to); y++)
    for (let x = Math.max(1, from); x < Math.min(side - 1, to); x++) {
      const lap = luma(x - 1, y) + luma(x + 1, y) + luma(x, y - 1) + luma(x, y + 1) - 4 * luma(x, y);
      n++;
      sum += lap;
      sq += lap * lap;
    }
  if (n === 0) return 0;
  const mean = sum / n;
  return sq / n - mean * mean;
}
