import sharp from 'sharp';
import { type ExifOrientation, exifOrientationOf } from '../../core/domain/orientation.js';

/**
 * The EXIF orientation of an image file, read from its header; 1 when it has none or cannot be read.
 *
 * Only for payloads without `image.orientation`: assets scanned before Sitter stored the orientation
 * the engine applied (asset column `orientation` null). Every asset scanned since carries it in the
 * payload and the file is not decoded at push. The file has already been checked to be the content
 * that was scanned (`expectedContentHash`), so its header says what the engine saw.
 */
export async function orientationOfUnrecordedAsset(file: string): Promise<ExifOrientation> {
  try {
    return exifOrientationOf((await sharp(file, { limitInputPixels: false }).metadata()).orientation);
  } catch {
    return 1;
  }
}
