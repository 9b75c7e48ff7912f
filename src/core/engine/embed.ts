/**
 * Embedding: cut each aligned chip from the full-resolution raster with sharp and run face-api's
 * faceRecognitionNet (dlib ResNet, 128-d, compared by Euclidean distance; fused layers, recognition-net.ts)
 * on the batch.
 */
import sharp from 'sharp';
import { CHIP_SIZE, type ChipSpec } from './align.js';
import { paddedSquare, region, type RgbImage } from './decode.js';
import type { Runtime } from './runtime.js';

/** A square region of the raster, padded with black where it leaves the image. */
async function squareRegion(
  img: RgbImage,
  cx: number,
  cy: number,
  side: number,
): Promise<{ data: Buffer; side: number }> {
  const square = await paddedSquare(img, cx, cy, side, { r: 0, g: 0, b: 0 });
  if (square) return square;
  const s = Math.max(2, Math.round(side));
  return { data: Buffer.alloc(s * s * 3), side: s };
}

/** The 150x150 RGB chip of one face. */
export async function cutChip(img: RgbImage, chip: ChipSpec): Promise<Buffer> {
  if (Math.abs(chip.angle) < 1) {
    // inside the image (most faces): cut and resize in one sharp pipeline, the same pixels as the
    // two passes below, which a chip needs only where it must be padded with black
    const s = Math.max(2, Math.round(chip.side));
    const left = Math.round(chip.cx - s / 2);
    const top = Math.round(chip.cy - s / 2);
    if (left >= 0 && top >= 0 && left + s <= img.width && top + s <= img.height)
      return region(img, left, top, s, s, CHIP_SIZE, CHIP_SIZE);
    const r = await squareRegion(img, chip.cx, chip.cy, chip.side);
    return sharp(r.data, { raw: { width: r.side, height: r.side, channels: 3 } })
      .resize(CHIP_SIZE, CHIP_SIZE, { kernel: 'lanczos3', fit: 'fill' })
      .raw()
      .toBuffer();
  }
  // rotate a region big enough to hold the rotated chip, then take the centre
  const r = await squareRegion(img, chip.cx, chip.cy, chip.side * Math.SQRT2 + 4);
  const rotated = await sharp(r.data, { raw: { width: r.side, height: r.side, channels: 3 } })
    .rotate(-chip.angle, { background: { r: 0, g: 0, b: 0 } })
    .raw()
    .toBuffer({ resolveWithObject: true });
  const s = Math.max(2, Math.round(chip.side));
  const left = Math.max(0, Math.round((rotated.info.width - s) / 2));
  const top = Math.max(0, Math.round((rotated.info.height - s) / 2));
  return sharp(rotated.data, { raw: { width: rotated.info.width, height: rotated.info.height, channels: 3 } })
    .extract({
      left,
      top,
      width: Math.min(s, rotated.info.width - left),
      height: Math.min(s, rotated.info.height - top),
    })
    .resize(CHIP_SIZE, CHIP_SIZE, { kernel: 'lanczos3', fit: 'fill' })
    .raw()
    .toBuffer();
}

/** 128-d descriptors of the chips, in order (batches of 8 bound the activations' memory). */
export async function embedChips(rt: Runtime, chips: Buffer[]): Promise<Float32Array[]> {
  const out: Float32Array[] = [];
  const BATCH = 8;
  for (let i = 0; i < chips.length; i += BATCH) out.push(...(await rt.embedder.describe(chips.slice(i, i + BATCH))));
  return out;
}
