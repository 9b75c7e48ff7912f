/**
 * `/rest/assets/{id}/transform?width=&height=&extension=`: a resized copy, never upscaled, EXIF
 * orientation applied (what a browser would show). Deterministic by default: the same asset and size
 * always give the same bytes, which the connector's push guard relies on (design §2.5, ⚠ unconfirmed
 * for the real server: `byteStable: false` makes every answer differ, to test the safe refusal).
 */
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
