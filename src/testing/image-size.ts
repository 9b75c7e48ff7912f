/**
 * The pixel size of an image from its header alone (JPEG, PNG, WebP, GIF), without decoding it: what
 * the contract suite needs to check that a rendition is no larger than asked, with no image library
 * in a plugin author's project. As stored: EXIF orientation is not applied.
 */

export interface ImageSize {
  format: 'jpeg' | 'png' | 'webp' | 'gif';
  width: number;
  height: number;
}

function ascii(bytes: Uint8Array, at: number, length: number): string {
  return String.fromCharCode(...bytes.subarray(at, at + length));
}

/** JPEG: the first start-of-frame segment (SOF0-SOF15 except DHT, JPG and DAC) holds height, width. */
function jpegSize(b: Uint8Array, view: DataView): ImageSize | null {
  let at = 2;
  while (at + 9 < b.length) {
    if (b[at] !== 0xff) return null;
    const marker = b[at + 1]!;
    if (marker === 0xff) {
      at += 1; // fill byte
      continue;
    }
    const length = view.getUint16(at + 2);
    if (marker >= 0xc0 && marker <= 0xcf && marker !== 0xc4 && marker !== 0xc8 && marker !== 0xcc)
      return { format: 'jpeg', height: view.getUint16(at + 5), width: view.getUint16(at + 7) };
    at += 2 + length;
  }
  return null;
}

function webpSize(b: Uint8Array, view: DataView): ImageSize | null {
  const chunk = ascii(b, 12, 4);
  if (chunk === 'VP8 ' && b.length >= 30)
    return { format: 'webp', width: view.getUint16(26, true) & 0x3fff, height: view.getUint16(28, true) & 0x3fff };
  if (chunk === 'VP8L' && b.length >= 25) {
    const bits = view.getUint32(21, true);
    return { format: 'webp', width: (bits & 0x3fff) + 1, height: ((bits >> 14) & 0x3fff) + 1 };
  }
  if (chunk === 'VP8X' && b.length >= 30) {
    const w = b[24]! | (b[25]! << 8) | (b[26]! << 16);
    const h = b[27]! | (b[28]! << 8) | (b[29]! << 16);
    return { format: 'webp', width: w + 1, height: h + 1 };
  }
  return null;
}

/** The size an image's header states, or null for bytes it does not recognise. */
export function imageSize(bytes: Uint8Array): ImageSize | null {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  if (bytes.length >= 4 && bytes[0] === 0xff && bytes[1] === 0xd8) return jpegSize(bytes, view);
  if (bytes.length >= 24 && ascii(bytes, 1, 3) === 'PNG' && ascii(bytes, 12, 4) === 'IHDR')
    return { format: 'png', width: view.getUint32(16), height: view.getUint32(20) };
  if (bytes.length >= 16 && ascii(bytes, 0, 4) === 'RIFF' && ascii(bytes, 8, 4) === 'WEBP')
    return webpSize(bytes, view);
  if (bytes.length >= 10 && ascii(bytes, 0, 4) === 'GIF8')
    return { format: 'gif', width: view.getUint16(6, true), height: view.getUint16(8, true) };
  return null;
}
