/**
 * Content sniffing: is this file an image Sitter can decode? The extension is not trusted (a `.jpg`
 * may be a text file, a `.dat` may be a JPEG). Accepted: what the engine decodes (sharp's formats, HEIC
 * through heic-decode) and camera RAW files (the engine analyses their embedded preview). A RAW is told
 * apart before TIFF: most RAW formats are TIFF underneath (domain/raw-format.ts).
 */
import { RAW_SNIFF_BYTES, rawFormatOf, rawMediaType } from '../../core/domain/raw-format.js';

/** Bytes to read from the start of a file to sniff it (enough for a RAW's first image directory). */
export const SNIFF_BYTES = RAW_SNIFF_BYTES;

function ascii(b: Uint8Array, at: number, s: string): boolean {
  if (b.length < at + s.length) return false;
  for (let i = 0; i < s.length; i++) if (b[at + i] !== s.charCodeAt(i)) return false;
  return true;
}

const HEIF_BRANDS: Record<string, string> = {
  avif: 'image/avif',
  avis: 'image/avif',
  heic: 'image/heic',
  heix: 'image/heic',
  heim: 'image/heic',
  heis: 'image/heic',
  mif1: 'image/heif',
  msf1: 'image/heif',
};

/** The media type of an image's first bytes, or null when it is not an image Sitter decodes. */
export function sniffImage(head: Uint8Array): string | null {
  const raw = rawFormatOf(head);
  if (raw) return rawMediaType(raw);
  if (head.length >= 3 && head[0] === 0xff && head[1] === 0xd8 && head[2] === 0xff) return 'image/jpeg';
  if (
    head.length >= 8 &&
    head[0] === 0x89 &&
    ascii(head, 1, 'PNG') &&
    head[4] === 0x0d &&
    head[5] === 0x0a &&
    head[6] === 0x1a &&
    head[7] === 0x0a
  )
    return 'image/png';
  if (ascii(head, 0, 'GIF87a') || ascii(head, 0, 'GIF89a')) return 'image/gif';
  if (ascii(head, 0, 'RIFF') && ascii(head, 8, 'WEBP')) return 'image/webp';
  if (
    head.length >= 4 &&
    ((head[0] === 0x49 && head[1] === 0x49 && head[2] === 0x2a && head[3] === 0x00) ||
      (head[0] === 0x4d && head[1] === 0x4d && head[2] === 0x00 && head[3] === 0x2a))
  )
    return 'image/tiff';
  if (ascii(head, 4, 'ftyp') && head.length >= 12) {
    const brand = String.fromCharCode(...head.subarray(8, 12));
    return HEIF_BRANDS[brand] ?? null;
  }
  return null;
}
