/**
 * Pixelates areas of a photo for a publication copy (the `FaceMasker` port) with sharp, in the file's
 * stored frame: the pixels are never turned, so the copy keeps the original's EXIF orientation and
 * looks the same in every viewer. Only the orientation tag and the ICC colour profile are carried
 * over; sharp writes no other metadata unless asked, so EXIF, XMP and IPTC (face regions, person
 * names, captions, GPS) are left behind. Memory: libvips streams the image; JavaScript holds only the
 * masked areas' pixels (`raw` tiles), never the whole image's.
 */
import sharp, { type OverlayOptions, type Sharp } from 'sharp';
import { SitterError } from '../domain/errors.js';
import type { RelativeBox } from '../domain/geometry.js';
import { exifOrientationOf, toStoredBox } from '../domain/orientation.js';
import type { FaceMasker, MaskedImage, MaskRequest } from '../ports/publication.js';

/** Formats written back as themselves, with how they are encoded. */
const ENCODERS: Record<string, (img: Sharp) => Sharp> = {
  // Quality 95 with full-resolution chroma: the untouched parts (covered faces) change as little as a
  // lossy re-encode allows. One-pass Huffman coding (`optimiseCoding: false`): the optimised two-pass
  // coding keeps every DCT coefficient of the image in memory (about 150 MiB more for 24 megapixels,
  // measured by `npm run bench:publish`) to save a few percent of file size.
  jpeg: (img) => img.jpeg({ quality: 95, chromaSubsampling: '4:4:4', optimiseCoding: false, mozjpeg: false }),
  png: (img) => img.png({ compressionLevel: 9 }),
  webp: (img) => img.webp({ quality: 95 }),
  tiff: (img) => img.tiff({ compression: 'lzw' }),
};

interface PixelRect {
  left: number;
  top: number;
  width: number;
  height: number;
}

/** The area in whole pixels of the stored image, grown outwards to whole pixels. */
function pixelRect(area: RelativeBox, width: number, height: number): PixelRect | null {
  const left = Math.max(0, Math.floor(area.x * width));
  const top = Math.max(0, Math.floor(area.y * height));
  const right = Math.min(width, Math.ceil((area.x + area.w) * width));
  const bottom = Math.min(height, Math.ceil((area.y + area.h) * height));
  return right > left && bottom > top ? { left, top, width: right - left, height: bottom - top } : null;
}

/** One pixelated tile: the area shrunk to a few blocks (each the average of its pixels), grown back square-edged. */
async function pixelTile(bytes: Uint8Array, rect: PixelRect, blocksAcross: number): Promise<OverlayOptions> {
  const block = Math.max(1, Math.ceil(Math.max(rect.width, rect.height) / blocksAcross));
  const small = await sharp(bytes, { failOn: 'none' })
    .extract(rect)
    .resize(Math.max(1, Math.ceil(rect.width / block)), Math.max(1, Math.ceil(rect.height / block)), {
      fit: 'fill',
      kernel: 'linear',
    })
    .raw()
    .toBuffer({ resolveWithObject: true });
  const { data, info } = await sharp(small.data, {
    raw: { width: small.info.width, height: small.info.height, channels: small.info.channels },
  })
    .resize(rect.width, rect.height, { fit: 'fill', kernel: 'nearest' })
    .raw()
    .toBuffer({ resolveWithObject: true });
  return {
    input: data,
    raw: { width: info.width, height: info.height, channels: info.channels },
    left: rect.left,
    top: rect.top,
  };
}

export class SharpFaceMasker implements FaceMasker {
  async mask(request: MaskRequest): Promise<MaskedImage> {
    const meta = await sharp(request.bytes, { failOn: 'none' }).metadata();
    const format = meta.format ?? 'unknown';
    const encode = ENCODERS[format];
    if (!encode || !meta.width || !meta.height || (meta.pages ?? 1) > 1)
      throw new SitterError(
        'IMAGE_FORMAT_NOT_PUBLISHABLE',
        `a ${format}${(meta.pages ?? 1) > 1 ? ` of ${meta.pages} pages` : ''} image cannot be written back as itself with masks`,
        'Publication copies are made of single-image JPEG, PNG, WebP and TIFF files; convert the photo and scan it again.',
      );
    const fileOrientation = exifOrientationOf(meta.orientation);
    const orientation = request.orientation ?? fileOrientation;
    const tiles: OverlayOptions[] = [];
    for (const area of request.areas) {
      const rect = pixelRect(toStoredBox(area, orientation), meta.width, meta.height);
      if (rect) tiles.push(await pixelTile(request.bytes, rect, request.blocksAcross));
    }
    let img = sharp(request.bytes, { failOn: 'none' }).composite(tiles).keepIccProfile();
    // Compositing adds an alpha channel; a photo without one gets none (same format, same channels).
    if (!meta.hasAlpha) img = img.removeAlpha();
    if (meta.orientation !== undefined) img = img.withExif({ IFD0: { Orientation: String(fileOrientation) } });
    const bytes = await encode(img).toBuffer();
    return { bytes, format };
  }
}
