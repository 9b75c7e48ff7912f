/**
 * `/rest/assets/{id}/transform?width=&height=&extension=`: a resized copy, never upscaled, EXIF
 * orientation applied (what a browser would show). Deterministic by default: the same asset and size
 * always give the same bytes, which the connector's push guard relies on (design §2.5, ⚠ unconfirmed
 * for the real server: `byteStable: false` makes every answer differ, to test the safe refusal).
 */
import { createHash } from 'node:crypto';
import sharp from 'sharp';

export type TransformExtension = 'jpg' | 'png' | 'gif' | 'webp';

const MEDIA_TYPE: Record<TransformExtension, string> = {
  jpg: 'image/jpeg',
  png: 'image/png',
  gif: 'image/gif',
  webp: 'image/webp',
};

export function isTransformExtension(s: string): s is TransformExtension {
  return s in MEDIA_TYPE;
}

let unstableCounter = 0;

export async function transformImage(
  bytes: Uint8Array,
  size: { width: number; height: number; extension: TransformExtension },
  byteStable = true,
): Promise<{ bytes: Uint8Array; mediaType: string }> {
  const resized = sharp(bytes).rotate().resize(size.width, size.height, { fit: 'inside', withoutEnlargement: true });
  let out: Buffer;
  switch (size.extension) {
    case 'jpg':
      // A changing quality makes an unstable transform, the way a re-encoding server would.
      out = await resized.jpeg({ quality: byteStable ? 85 : 80 + (unstableCounter++ % 10) }).toBuffer();
      break;
    case 'png':
      out = await resized.png().toBuffer();
      break;
    case 'gif':
      out = await resized.gif().toBuffer();
      break;
    case 'webp':
      out = await resized.webp({ quality: 80 }).toBuffer();
      break;
  }
  return { bytes: new Uint8Array(out), mediaType: MEDIA_TYPE[size.extension] };
}

/**
 * A key for a JPEG's image, blind to its comment (COM) segments: copies of one photo that differ only
 * in a comment (the benchmark's unique assets) share their transforms, as a caching server's would.
 */
export function imageKey(bytes: Uint8Array): string {
  const hash = createHash('sha256');
  let at = 2;
  // Marker segments up to the start of scan; the entropy-coded rest is hashed whole.
  while (bytes[0] === 0xff && bytes[1] === 0xd8 && at + 4 <= bytes.length && bytes[at] === 0xff) {
    const marker = bytes[at + 1]!;
    if (marker === 0xda) break;
    const end = at + 2 + ((bytes[at + 2]! << 8) | bytes[at + 3]!);
    if (marker !== 0xfe) hash.update(bytes.subarray(at, end));
    at = end;
  }
  return hash.update(bytes.subarray(at)).digest('hex');
}
