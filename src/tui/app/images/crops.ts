import { SitterError } from '../../../core/domain/errors.js';
import type { RelativeBox } from '../../../core/domain/geometry.js';
import { displayedSize, exifOrientationOf, type Size } from '../../../core/domain/orientation.js';
import type { Pixels } from '../terminal/pixels.js';
import type { default as sharpDefault, Sharp as SharpPipeline } from 'sharp';

/**
 * Face crops and reference photos, made in memory with sharp and never written anywhere (rule 4,
 * minimisation: Sitter stores no face crops). sharp loads on first use, not at start-up.
 */

type Sharp = typeof sharpDefault;
let sharpModule: Promise<Sharp> | undefined;
const loadSharp = (): Promise<Sharp> => (sharpModule ??= import('sharp').then((m) => m.default));

/** A camera RAW or a HEIC as a picture sharp can crop (app/display-image.ts); loaded on first use. */
async function displayable(bytes: Uint8Array): Promise<Uint8Array> {
  const { displayableBytes } = await import('../../../app/display-image.js');
  return displayableBytes(bytes);
}

/** Decoded pictures and (for the image protocols) the same picture as PNG. */
export interface Picture {
  pixels: Pixels;
  png?: Uint8Array;
}

/** How much room around the detected box a reviewer sees: hair, ears, chin. */
const PADDING = 0.35;

function undecodable(what: string, error: unknown): SitterError {
  const why = error instanceof Error ? error.message.split('\n')[0] : String(error);
  return new SitterError(
    'IMAGE_UNDECODABLE',
    `${what} cannot be decoded: ${why}`,
    'The file may be damaged or not an image; review goes on without the picture.',
  );
}

export interface CropOptions {
  /** also encode the crop as PNG (for the terminal image protocols) */
  png?: boolean;
  /**
   * The photo's displayed size as the scan recorded it (the asset record's width and height, EXIF
   * orientation applied), which the box is relative to. Null for an asset scanned before Sitter
   * recorded it: the file's header is read instead.
   */
  displayed?: Size | null;
}

/**
 * The face at `box` (relative to the EXIF-oriented image), padded and squared, as a `width` x
 * `height` pixel image. Large images are shrunk while decoding (JPEG shrink-on-load) before the cut,
 * so a 24-megapixel photo costs about as much as a small one.
 */
export async function cropFace(
  bytes: Uint8Array,
  box: RelativeBox,
  width: number,
  height: number,
  options: CropOptions = {},
): Promise<Picture> {
  const sharp = await loadSharp();
  try {
    bytes = await displayable(bytes);
    const { width: W, height: H } = options.displayed ?? (await displayedSizeOf(sharp, bytes));
    // The padded square around the face, in oriented pixels, kept inside the image.
    const side = Math.max(box.w * W, box.h * H) * (1 + 2 * PADDING);
    const cx = (box.x + box.w / 2) * W;
    const cy = (box.y + box.h / 2) * H;
    // Shrink first when the crop is far larger than what the terminal shows (4x headroom): a
    // first pass decodes the photo already shrunk (JPEG shrink-on-load), the second cuts from that.
    const scale = Math.min(1, (Math.max(width, height) * 4) / Math.max(1, side));
    let source = sharp(bytes, { failOn: 'error' }).rotate();
    let sw = W;
    let sh = H;
    if (scale < 1) {
      const small = await source
        .resize(Math.max(1, Math.round(W * scale)), Math.max(1, Math.round(H * scale)), { fit: 'fill' })
        .removeAlpha()
        .raw()
        .toBuffer({ resolveWithObject: true });
      sw = small.info.width;
      sh = small.info.height;
      source = sharp(small.data, { raw: { width: sw, height: sh, channels: small.info.channels } });
    }
    const k = sw / W;
    const s = side * k;
    const left = clamp(Math.round(cx * k - s / 2), 0, sw - 1);
    const top = clamp(Math.round(cy * k - s / 2), 0, sh - 1);
    const w = clamp(Math.round(s), 1, sw - left);
    const h = clamp(Math.round(s), 1, sh - top);
    const cut = source
      .extract({ left, top, width: w, height: h })
      .resize(width, height, { fit: 'cover' })
      .removeAlpha();
    return await toPicture(cut, options.png === true);
  } catch (error) {
    throw undecodable('The photo', error);
  }
}

/** The displayed size from the file's header, for assets whose record does not carry it. */
async function displayedSizeOf(sharp: Sharp, bytes: Uint8Array): Promise<Size> {
  const meta = await sharp(bytes).metadata();
  if (!meta.width || !meta.height) throw new Error('no image size');
  return displayedSize(meta.width, meta.height, exifOrientationOf(meta.orientation));
}

/** A whole photo (a participant's reference photo) fitted to `width` x `height`, centred on what draws the eye. */
export async function fitPhoto(bytes: Uint8Array, width: number, height: number, withPng = false): Promise<Picture> {
  const sharp = await loadSharp();
  try {
    bytes = await displayable(bytes);
    const pipeline = sharp(bytes, { failOn: 'error' })
      .rotate()
      .resize(width, height, { fit: 'cover', position: sharp.strategy.attention })
      .removeAlpha();
    return await toPicture(pipeline, withPng);
  } catch (error) {
    throw undecodable('The reference photo', error);
  }
}

async function toPicture(pipeline: SharpPipeline, withPng: boolean): Promise<Picture> {
  const { data, info } = await pipeline.clone().raw().toBuffer({ resolveWithObject: true });
  const rgb = info.channels === 3 ? new Uint8Array(data) : toRgb(data, info.channels);
  const pixels = { width: info.width, height: info.height, data: rgb };
  if (!withPng) return { pixels };
  return { pixels, png: new Uint8Array(await pipeline.png().toBuffer()) };
}

function toRgb(data: Uint8Array, channels: number): Uint8Array {
  const n = data.length / channels;
  const out = new Uint8Array(n * 3);
  for (let i = 0; i < n; i++) {
    const v = data[i * channels] ?? 0;
    out[i * 3] = v;
    out[i * 3 + 1] = channels >= 3 ? (data[i * channels + 1] ?? v) : v;
    out[i * 3 + 2] = channels >= 3 ? (data[i * channels + 2] ?? v) : v;
  }
  return out;
}

function clamp(v: number, lo: number, hi: number): number {
  return Math.max(lo, Math.min(hi, v));
}
