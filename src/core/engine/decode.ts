/**
 * Decoding with sharp: EXIF orientation applied, alpha flattened onto white, grayscale / CMYK /
 * 16-bit converted to 8-bit sRGB, first page only, and a pixel limit against decompression bombs.
 * The result is the full-resolution RGB raster; detection works on downscaled copies of it and
 * embedding crops come from it.
 */
import sharp, { type Metadata } from 'sharp';
import { SitterError } from '../domain/errors.js';
import { type ExifOrientation, exifOrientationOf } from '../domain/orientation.js';

/** 24 MP photos are normal; 100 MP allows panoramas and medium format. Above that: refused. */
export const DEFAULT_MAX_PIXELS = 100_000_000;

export interface RgbImage {
  /** width * height * 3 bytes, 8-bit sRGB, row-major, EXIF orientation applied */
  data: Buffer;
  width: number;
  height: number;
  /** the container format sharp found (jpeg, png, webp, tiff, heif, gif, ...) */
  format: string;
  /** the EXIF orientation applied to the stored pixels to give `data` (1 when none) */
  orientation: ExifOrientation;
}

export interface DecodeOptions {
  maxPixels?: number;
}

function badImage(message: string, cause?: unknown): SitterError {
  return new SitterError(
    'IMAGE_UNREADABLE',
    message,
    'Check that the file is a complete JPEG, PNG, WebP, TIFF or HEIF image; re-export it if it is damaged.',
    undefined,
    cause === undefined ? undefined : { cause },
  );
}

/**
 * libvips can report a failure as dozens of lines (a HEIC it cannot read prints "bad seek" over and
 * over): one line for the user, the full text stays on the error's cause.
 */
function decoderMessage(e: unknown): string {
  const lines = String(e instanceof Error ? e.message : e)
    .split(/\r?\n/)
    .map((l) => l.trim())
    .filter(Boolean);
  const first = lines[0] ?? 'unknown error';
  return first.length > 160 ? `${first.slice(0, 157)}...` : first;
}

/** A HEIF/HEIC photo the bundled decoder cannot read (its HEVC codec is not part of sharp's build). */
function heifUnreadable(cause: unknown): SitterError {
  return new SitterError(
    'IMAGE_UNREADABLE',
    `This HEIF/HEIC image cannot be decoded by the image library bundled with Sitter (${decoderMessage(cause)}).`,
    'Convert it to JPEG (for example with Preview, Photos, or `heif-convert IN.heic OUT.jpg`), put the JPEG in the shoot folder, and scan again.',
    undefined,
    { cause },
  );
}

const HEIC_BRANDS = new Set(['heic', 'heix', 'hevc', 'hevx', 'heim', 'heis', 'mif1', 'msf1']);
function isHeic(bytes: Buffer): boolean {
  return (
    bytes.length >= 12 && bytes.toString('latin1', 4, 8) === 'ftyp' && HEIC_BRANDS.has(bytes.toString('latin1', 8, 12))
  );
}

export async function decodeImage(bytes: Uint8Array, options: DecodeOptions = {}): Promise<RgbImage> {
  const maxPixels = options.maxPixels ?? DEFAULT_MAX_PIXELS;
  if (bytes.byteLength === 0) throw badImage('The image is empty (0 bytes).');
  const input = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  let meta: Metadata;
  try {
    meta = await sharp(input, { limitInputPixels: false, failOn: 'error' }).metadata();
  } catch (e) {
    if (isHeic(input)) throw heifUnreadable(e);
    throw badImage(`The image cannot be decoded: ${decoderMessage(e)}`, e);
  }
  const w = meta.width ?? 0;
  const h = meta.height ?? 0;
  if (w <= 0 || h <= 0) throw badImage('The image has no dimensions.');
  if (w * h > maxPixels) {
    throw new SitterError(
      'IMAGE_TOO_LARGE',
      `The image is ${w}x${h} (${((w * h) / 1e6).toFixed(1)} megapixels), above the limit of ${(maxPixels / 1e6).toFixed(0)} megapixels.`,
      'Downscale the image before scanning, or raise the engine pixel limit if such images are expected.',
      { width: w, height: h, maxPixels },
    );
  }
  try {
    const { data, info } = await sharp(input, { limitInputPixels: maxPixels, failOn: 'error', pages: 1 })
      .rotate()
      .flatten({ background: { r: 255, g: 255, b: 255 } })
      .toColourspace('srgb')
      .removeAlpha()
      .raw({ depth: 'uchar' })
      .toBuffer({ resolveWithObject: true });
    if (info.channels !== 3 || data.byteLength !== info.width * info.height * 3) {
      throw badImage(`Unexpected decoded layout: ${info.channels} channels, ${data.byteLength} bytes.`);
    }
    return {
      data,
      width: info.width,
      height: info.height,
      format: meta.format ?? 'unknown',
      orientation: exifOrientationOf(meta.orientation),
    };
  } catch (e) {
    if (e instanceof SitterError) throw e;
    if (meta.format === 'heif') throw heifUnreadable(e);
    throw badImage(`The image cannot be decoded: ${decoderMessage(e)}`, e);
  }
}

/** A resized copy (long side at most maxSide) of a decoded raster, and the scale factor used. */
export async function downscale(
  img: RgbImage,
  maxSide: number,
): Promise<{ data: Buffer; width: number; height: number; scale: number }> {
  const long = Math.max(img.width, img.height);
  if (long <= maxSide) return { data: img.data, width: img.width, height: img.height, scale: 1 };
  const scale = maxSide / long;
  const width = Math.max(1, Math.round(img.width * scale));
  const height = Math.max(1, Math.round(img.height * scale));
  const data = await sharp(img.data, {
    raw: { width: img.width, height: img.height, channels: 3 },
    limitInputPixels: false,
  })
    .resize(width, height, { kernel: 'lanczos3', fit: 'fill' })
    .raw()
    .toBuffer();
  return { data, width, height, scale: width / img.width };
}

/** A region of the raster (in full-resolution pixels), resized to width x height (for tiles). */
export async function region(
  img: RgbImage,
  left: number,
  top: number,
  w: number,
  h: number,
  outW: number,
  outH: number,
): Promise<Buffer> {
  return sharp(img.data, { raw: { width: img.width, height: img.height, channels: 3 }, limitInputPixels: false })
    .extract({ left, top, width: w, height: h })
    .resize(outW, outH, { kernel: 'lanczos3', fit: 'fill' })
    .raw()
    .toBuffer();
}

/**
 * A square of side `side` centred on (cx, cy), cut from the raster and padded with `background`
 * where it leaves the image. Null when less than `minVisible` pixels of it lie inside the image.
 */
export async function paddedSquare(
  img: RgbImage,
  cx: number,
  cy: number,
  side: number,
  background: { r: number; g: number; b: number },
  minVisible = 1,
): Promise<{ data: Buffer; side: number; left: number; top: number } | null> {
  const s = Math.max(2, Math.round(side));
  const left = Math.round(cx - s / 2);
  const top = Math.round(cy - s / 2);
  const x1 = Math.max(0, left);
  const y1 = Math.max(0, top);
  const x2 = Math.min(img.width, left + s);
  const y2 = Math.min(img.height, top + s);
  if (x2 - x1 < minVisible || y2 - y1 < minVisible) return null;
  const data = await sharp(img.data, {
    raw: { width: img.width, height: img.height, channels: 3 },
    limitInputPixels: false,
  })
    .extract({ left: x1, top: y1, width: x2 - x1, height: y2 - y1 })
    .extend({ left: x1 - left, top: y1 - top, right: left + s - x2, bottom: top + s - y2, background })
    .raw()
    .toBuffer();
  return { data, side: s, left, top };
}
