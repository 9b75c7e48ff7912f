/**
 * A synthetic group photo for the engine tests and bench, made with sharp at run time from face
 * images the caller reads (no photo is copied into the repository).
 */
import sharp, { type OverlayOptions } from 'sharp';

export interface PastedFace {
  file: string;
  /** box of the pasted face image in the canvas, pixels */
  x: number;
  y: number;
  side: number;
}

/**
 * A width x height JPEG on a smooth gray gradient with the given face images pasted as squares of
 * `faceFraction` of the width, spread over a grid with jitter.
 */
export async function syntheticGroup(
  faceImages: Buffer[],
  width = 6000,
  height = 4000,
  faceFraction = 0.03,
  names: string[] = [],
): Promise<{ jpeg: Buffer; faces: PastedFace[] }> {
  const side = Math.round(width * faceFraction);
  const n = faceImages.length;
  const cols = Math.ceil(Math.sqrt((n * width) / height));
  const rows = Math.ceil(n / cols);
  const cellW = width / cols;
  const cellH = height / rows;
  const faces: PastedFace[] = [];
  const composites: OverlayOptions[] = [];
  for (let i = 0; i < n; i++) {
    const c = i % cols;
    const r = Math.floor(i / cols);
    const jx = ((i * 37) % 17) / 17 - 0.5;
    const jy = ((i * 53) % 13) / 13 - 0.5;
    const x = Math.round(c * cellW + (cellW - side) / 2 + jx * (cellW - side) * 0.6);
    const y = Math.round(r * cellH + (cellH - side) / 2 + jy * (cellH - side) * 0.6);
    const face = await sharp(faceImages[i])
      .rotate()
      .removeAlpha()
      .resize(side, side, { fit: 'cover' })
      .toColourspace('srgb')
      .jpeg()
      .toBuffer();
    composites.push({ input: face, left: x, top: y });
    faces.push({ file: names[i] ?? String(i), x, y, side });
  }
  const gradient = Buffer.from(
    `<svg width="${width}" height="${height}"><defs><linearGradient id="g" x1="0" y1="0" x2="1" ` +
      `y2="1"><stop offset="0" stop-color="#8a8f96"/><stop offset="1" ` +
      `stop-color="#5d6168"/></linearGradient></defs><rect width="100%" height="100%" ` +
      `fill="url(#g)"/></svg>`,
  );
  const jpeg = await sharp(gradient, { limitInputPixels: false })
    .composite(composites)
    .jpeg({ quality: 90 })
    .toBuffer();
  return { jpeg, faces };
}
