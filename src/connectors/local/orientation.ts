import sharp from 'sharp';

/** The EXIF orientation (1-8) of an image file; 1 when it has none or cannot be read. */
export async function exifOrientation(file: string): Promise<number> {
  try {
    const meta = await sharp(file, { limitInputPixels: false }).metadata();
    const o = meta.orientation ?? 1;
    return o >= 1 && o <= 8 ? o : 1;
  } catch {
    return 1;
  }
}
