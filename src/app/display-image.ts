/**
 * Pictures for a person to look at (the review app's face crops and reference photos) from any photo
 * the scan can analyse. sharp alone reads a camera RAW's first image directory (a 160-256 px
 * thumbnail) and cannot read HEVC HEIC at all, so those go through the engine's own decoder, which
 * takes the RAW's full-size embedded preview and decodes HEIC with its rotation: the reviewer sees
 * the same picture, in the same frame, as the detector did.
 */
import sharp from 'sharp';
import { RAW_SNIFF_BYTES, rawFormatOf } from '../core/domain/raw-format.js';
import { decodeImage } from '../core/engine/decode.js';
import { isHeic } from '../core/engine/heic.js';

/** `bytes` as sharp can show them: unchanged for ordinary images, an upright JPEG for RAW and HEIC. */
export async function displayableBytes(bytes: Uint8Array): Promise<Uint8Array> {
  if (rawFormatOf(bytes.subarray(0, RAW_SNIFF_BYTES)) === null && !isHeic(bytes)) return bytes;
  const image = await decodeImage(bytes);
  // Already upright (orientation applied by the decoder): a JPEG without EXIF, so no second turn.
  const jpeg = await sharp(image.data, { raw: { width: image.width, height: image.height, channels: 3 } })
    .jpeg({ quality: 90 })
    .toBuffer();
  return new Uint8Array(jpeg);
}
