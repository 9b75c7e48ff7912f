/**
 * Decoding with sharp: EXIF orientation applied, alpha flattened onto white, grayscale / CMYK /
 * 16-bit converted to 8-bit sRGB, first page only, and a pixel limit against decompression bombs.
 * The result is the full-resolution RGB raster; detection works on downscaled copies of it and
 * embedding crops come from it.
 */
import sharp, { type Metadata, type Sharp } from 'sharp';
import { SitterError } from '../domain/errors.js';
import { type ExifOrientation, exifOrientationOf } from '../domain/orientation.js';
import { RAW_SNIFF_BYTES, rawFormatOf, type RawFormat } from '../domain/raw-format.js';
import { choosePreview } from '../domain/raw-preview.js';
import { decodeHeicPixels, isHeic } from './heic.js';
import { readRawPreviews } from './raw-preview-reader.js';

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
  /**
   * A RAW file: the embedded preview that was analysed, and the RAW's displayed size, the frame its
   * boxes are relative to (the same aspect as `data`, checked by domain/raw-preview.ts).
   */
  rawPreview?: { tag: string; width: number; height: number; frameWidth: number; frameHeight: number };
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

/** A HEIF/HEIC photo neither heic-decode nor sharp can read (damaged, or a coding neither knows). */
function heifUnreadable(cause: unknown): SitterError {
  return new SitterError(
    'IMAGE_UNREADABLE',
    `This HEIF/HEIC image cannot be decoded (${decoderMessage(cause)}).`,
    'Convert it to JPEG (for example with Preview, Photos, or `heif-convert IN.heic OUT.jpg`), put the JPEG in the shoot folder, and scan again.',
    undefined,
    { cause },
  );
}

function assertPixelLimit(w: number, h: number, maxPixels: number): void {
  if (w * h > maxPixels) {
    throw new SitterError(
      'IMAGE_TOO_LARGE',
      `The image is ${w}x${h} (${((w * h) / 1e6).toFixed(1)} megapixels), above the limit of ${(maxPixels / 1e6).toFixed(0)} megapixels.`,
      'Downscale the image before scanning, or raise the engine pixel limit if such images are expected.',
      { width: w, height: h, maxPixels },
    );
  }
}

/** The common tail of every decode: 8-bit sRGB, alpha flattened onto white, 3 channels. */
async function toRgb(pipeline: Sharp): Promise<{ data: Buffer; width: number; height: number }> {
  const { data, info } = await pipeline
    .flatten({ background: { r: 255, g: 255, b: 255 } })
    .toColourspace('srgb')
    .removeAlpha()
    .raw({ depth: 'uchar' })
    .toBuffer({ resolveWithObject: true });
  if (info.channels !== 3 || data.byteLength !== info.width * info.height * 3) {
    throw badImage(`Unexpected decoded layout: ${info.channels} channels, ${data.byteLength} bytes.`);
  }
  return { data, width: info.width, height: info.height };
}

/**
 * Turns stored pixels by an EXIF orientation (sharp mirrors after it rotates). Used for a RAW's
 * preview, whose pixels are stored as the sensor saw them while the orientation is the RAW's.
 */
export function orient(pipeline: Sharp, orientation: ExifOrientation): Sharp {
  const steps: Record<ExifOrientation, [number, boolean]> = {
    1: [0, false],
    2: [0, true],
    3: [180, false],
    4: [180, true],
    5: [270, true],
    6: [90, false],
    7: [90, true],
    8: [270, false],
  };
  const [angle, mirror] = steps[orientation];
  const turned = angle ? pipeline.rotate(angle) : pipeline;
  return mirror ? turned.flop() : turned;
}

/** A RAW file: its largest embedded preview that shows the whole frame, turned by the RAW's orientation. */
async function decodeRaw(input: Buffer, format: RawFormat, maxPixels: number): Promise<RgbImage> {
  const { frame, candidates } = await readRawPreviews(input, format);
  const plan = choosePreview(format, frame, candidates);
  const chosen = candidates.find((c) => c.tag === plan.preview.tag);
  if (!chosen) throw badImage('The chosen RAW preview is gone.');
  assertPixelLimit(chosen.width, chosen.height, maxPixels);
  try {
    const pipeline = sharp(chosen.bytes, { limitInputPixels: maxPixels, failOn: 'error' });
    const rgb = await toRgb(orient(pipeline, plan.orientation));
    return {
      ...rgb,
      format,
      orientation: plan.orientation,
      rawPreview: {
        tag: chosen.tag,
        width: chosen.width,
        height: chosen.height,
        frameWidth: plan.displayedWidth,
        frameHeight: plan.displayedHeight,
      },
    };
  } catch (e) {
    throw badImage(`The ${chosen.tag} preview of this RAW file cannot be decoded: ${decoderMessage(e)}`, e);
  }
}

/** HEVC-coded HEIF through heic-decode; null when it is not HEVC after all (AVIF in a `mif1` file). */
async function decodeHeic(input: Buffer, maxPixels: number): Promise<RgbImage | null> {
  let pixels;
  try {
    pixels = await decodeHeicPixels(input, (w, h) => assertPixelLimit(w, h, maxPixels));
  } catch (e) {
    if (e instanceof SitterError) throw e;
    const meta = await sharp(input)
      .metadata()
      .catch(() => null);
    if (meta?.compression === 'av1') return null;
    throw heifUnreadable(e);
  }
  const { width, height, data } = pixels;
  const rgb = await toRgb(sharp(data, { raw: { width, height, channels: 4 }, limitInputPixels: false }));
  return { ...rgb, format: 'heif', orientation: 1 };
}

export async function decodeImage(bytes: Uint8Array, options: DecodeOptions = {}): Promise<RgbImage> {
  const maxPixels = options.maxPixels ?? DEFAULT_MAX_PIXELS;
  if (bytes.byteLength === 0) throw badImage('The image is empty (0 bytes).');
  const input = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const raw = rawFormatOf(input.subarray(0, RAW_SNIFF_BYTES));
  return (
    (raw ? await decodeRaw(input, raw, maxPixels) : null) ??
    (isHeic(input) ? await decodeHeic(input, maxPixels) : null) ??
    (await decodeWithSharp(input, maxPixels))
  );
}

async function decodeWithSharp(input: Buffer, maxPixels: number): Promise<RgbImage> {
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
  assertPixelLimit(w, h, maxPixels);
  try {
    const rgb = await toRgb(sharp(input, { limitInputPixels: maxPixels, failOn: 'error', pages: 1 }).rotate());
    return {
      ...rgb,
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
