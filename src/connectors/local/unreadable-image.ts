/**
 * A file whose first bytes look like an image but whose header no decoder can read: refused when it
 * is fetched, before a capture time is looked for, so it is never held for a person's decision only
 * to fail when analysed. A file named like a camera RAW is judged by its content like any other:
 * the message says so, since the name promises otherwise.
 */
import { SitterError } from '../../core/domain/errors.js';
import { hasRawExtension } from '../../core/domain/raw-format.js';

/** sharp's name for the formats the sniffed media types stand for, as a person knows them. */
const KIND: Record<string, string> = {
  'image/jpeg': 'JPEG',
  'image/png': 'PNG',
  'image/gif': 'GIF',
  'image/webp': 'WebP',
  'image/tiff': 'TIFF',
};

/** Formats whose header sharp may not read though another decoder can (HEIF through heic-decode). */
export function headerSaysEnough(mediaType: string): boolean {
  return KIND[mediaType] !== undefined;
}

export function unreadableImage(assetId: string, mediaType: string, reason: string): SitterError {
  const kind = KIND[mediaType] ?? mediaType;
  const name = assetId.slice(assetId.lastIndexOf('/') + 1);
  const notRaw = hasRawExtension(name)
    ? ` It is named like a camera RAW, but its content is not one (Sitter recognises RAW files by content).`
    : '';
  return new SitterError(
    'IMAGE_UNREADABLE',
    `"${assetId}" cannot be read: it starts like a ${kind} image but its header is damaged (${reason}).${notRaw}`,
    'Replace it with a complete copy from the camera card or the original export, or move it out of the shoot folder; then scan again.',
    { assetId, mediaType },
  );
}
