import sharp, { type Metadata } from 'sharp';
import { RAW_SNIFF_BYTES, rawFormatOf } from '../../core/domain/raw-format.js';
import type { CaptureTime } from '../../core/domain/shoot-dates.js';

const EXIF_IFD_POINTER = 0x8769;
const DATE_TIME_ORIGINAL = 0x9003;
const OFFSET_TIME_ORIGINAL = 0x9011;
const ASCII = 2;

/** The ASCII value of one IFD entry, or null when the entry is not ASCII or points outside the buffer. */
function asciiAt(tiff: Buffer, entry: number, little: boolean): string | null {
  const u16 = (o: number) => (little ? tiff.readUInt16LE(o) : tiff.readUInt16BE(o));
  const u32 = (o: number) => (little ? tiff.readUInt32LE(o) : tiff.readUInt32BE(o));
  if (u16(entry + 2) !== ASCII) return null;
  const count = u32(entry + 4);
  const start = count <= 4 ? entry + 8 : u32(entry + 8);
  if (start + count > tiff.length) return null;
  return tiff
    .subarray(start, start + count)
    .toString('latin1')
    .replace(/\0.*$/s, '')
    .trim();
}

/** The entries of the IFD at `offset`, as tag → entry offset. */
function ifdEntries(tiff: Buffer, offset: number, little: boolean): Map<number, number> {
  const entries = new Map<number, number>();
  if (offset + 2 > tiff.length) return entries;
  const count = little ? tiff.readUInt16LE(offset) : tiff.readUInt16BE(offset);
  for (let i = 0; i < count; i++) {
    const entry = offset + 2 + i * 12;
    if (entry + 12 > tiff.length) break;
    entries.set(little ? tiff.readUInt16LE(entry) : tiff.readUInt16BE(entry), entry);
  }
  return entries;
}

/**
 * EXIF `DateTimeOriginal` and `OffsetTimeOriginal` from the raw EXIF block sharp hands over (a TIFF
 * structure after "Exif\0\0"). Read by hand: two tags do not justify a metadata library per asset.
 * Only the original capture time counts; a modification date (`DateTime`) says nothing about when
 * the photo was taken. Null when absent, malformed or zeroed ("0000:00:00 00:00:00").
 */
export function parseExifCaptureTime(exif: Buffer): CaptureTime | null {
  try {
    const tiff = exif.subarray(0, 6).toString('latin1') === 'Exif\0\0' ? exif.subarray(6) : exif;
    const order = tiff.subarray(0, 2).toString('latin1');
    if (order !== 'II' && order !== 'MM') return null;
    const little = order === 'II';
    const ifd0 = ifdEntries(tiff, little ? tiff.readUInt32LE(4) : tiff.readUInt32BE(4), little);
    const pointer = ifd0.get(EXIF_IFD_POINTER);
    if (pointer === undefined) return null;
    const exifIfd = ifdEntries(tiff, little ? tiff.readUInt32LE(pointer + 8) : tiff.readUInt32BE(pointer + 8), little);
    const dateEntry = exifIfd.get(DATE_TIME_ORIGINAL);
    const date = dateEntry === undefined ? null : asciiAt(tiff, dateEntry, little);
    const m = date ? /^(\d{4}):(\d{2}):(\d{2})[ T](\d{2}):(\d{2}):(\d{2})/.exec(date) : null;
    if (!m || m[1] === '0000') return null;
    const offsetEntry = exifIfd.get(OFFSET_TIME_ORIGINAL);
    const offset = offsetEntry === undefined ? null : asciiAt(tiff, offsetEntry, little);
    return {
      local: `${m[1]}-${m[2]}-${m[3]}T${m[4]}:${m[5]}:${m[6]}`,
      offset: offset && /^[+-]\d{2}:\d{2}$/.test(offset) ? offset : null,
    };
  } catch {
    return null; // a truncated EXIF block is the same as none: a person decides
  }
}

/** What an image's header says of it: its capture time, or why the header cannot be read at all. */
export type ImageHeader = { capturedAt: CaptureTime | null } | { unreadable: string };

/**
 * The capture time of an image's bytes; sharp reads only the header, not the pixels. A header sharp
 * cannot read is said (`unreadable`), not taken for a photo without a date: such a file would be
 * held for a person's decision only to fail when analysed.
 */
export async function readImageHeader(bytes: Uint8Array): Promise<ImageHeader> {
  // TIFF-based RAW files (NEF, DNG, CR2, ARW, ORF, RW2) keep EXIF in their own TIFF structure; sharp
  // cannot open some of them (ORF, RW2 have magics of their own). CR3 and RAF are read by no one here.
  if (rawFormatOf(bytes.subarray(0, RAW_SNIFF_BYTES)) !== null)
    return { capturedAt: parseExifCaptureTime(Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength)) };
  let meta: Metadata;
  try {
    meta = await sharp(bytes, { limitInputPixels: false }).metadata();
  } catch (error) {
    return { unreadable: firstLine(error) };
  }
  if (meta.exif) return { capturedAt: parseExifCaptureTime(meta.exif) };
  // A TIFF file is itself the TIFF structure EXIF uses, and sharp hands no separate block for it.
  return {
    capturedAt:
      meta.format === 'tiff'
        ? parseExifCaptureTime(Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength))
        : null,
  };
}

/** The capture time of an image's bytes; null when it carries none or its header cannot be read. */
export async function captureTimeOf(bytes: Uint8Array): Promise<CaptureTime | null> {
  const header = await readImageHeader(bytes);
  return 'capturedAt' in header ? header.capturedAt : null;
}

function firstLine(error: unknown): string {
  const line = String(error instanceof Error ? error.message : error).split(/\r?\n/)[0] ?? '';
  return line.length > 160 ? `${line.slice(0, 157)}...` : line;
}
