import sharp from 'sharp';

export interface PixelBox {
  x: number;
  y: number;
  w: number;
  h: number;
}

/** The pixels of a relative box of an image as displayed (EXIF orientation applied), RGB. */
export async function displayedRegion(image: Buffer | string, box: PixelBox): Promise<Buffer> {
  const rotated = await sharp(image).rotate().removeAlpha().png().toBuffer();
  const { width = 0, height = 0 } = await sharp(rotated).metadata();
  return sharp(rotated)
    .extract({
      left: Math.round(box.x * width),
      top: Math.round(box.y * height),
      width: Math.round(box.w * width),
      height: Math.round(box.h * height),
    })
    .raw()
    .toBuffer();
}

/** Mean absolute difference of two equally sized pixel buffers (0..255). */
export function meanAbsDiff(a: Buffer, b: Buffer): number {
  let sum = 0;
  for (let i = 0; i < a.length; i++) sum += Math.abs(a[i]! - b[i]!);
  return sum / a.length;
}

/** Standard deviation of the values of a pixel buffer: near 0 for a flat patch of colour. */
export function spread(a: Buffer): number {
  let mean = 0;
  for (const v of a) mean += v;
  mean /= a.length;
  let sq = 0;
  for (const v of a) sq += (v - mean) ** 2;
  return Math.sqrt(sq / a.length);
}
