/**
 * Whether a RAW file's embedded JPEG preview may stand for the photo, and how its boxes land on the
 * RAW's displayed frame. Sitter never develops RAW sensor data: it analyses the preview the camera
 * (or the DNG writer) rendered. Face boxes are relative to the analysed raster; they are relative to
 * the RAW's displayed frame too only when the preview shows the same frame (same aspect, so no crop)
 * turned the same way. A preview that does not is refused, never mapped by guesswork.
 */
import { SitterError } from './errors.js';
import { swapsAxes, type ExifOrientation } from './orientation.js';

/** Sensor borders make a preview's aspect differ slightly (6048x4024 raw, 6000x4000 preview): 2% passes. */
export const PREVIEW_ASPECT_TOLERANCE = 0.02;

/**
 * A preview must be as large as the detector's whole-image pass (its long side is brought to 1024 px):
 * smaller ones (the 160-256 px thumbnails of IFD0) lose the small faces of a group photo silently.
 * A RAW smaller than that needs only a preview of its own size.
 */
export const MIN_PREVIEW_LONG_SIDE = 1024;

export interface PreviewCandidate {
  /** the ExifTool tag it was read from: JpgFromRaw, PreviewImage, OtherImage */
  tag: string;
  /** stored (unrotated) pixel size of the JPEG */
  width: number;
  height: number;
  /** the preview JPEG's own EXIF orientation, null when it carries none */
  orientation: ExifOrientation | null;
}

export interface RawFrame {
  /** the RAW image's stored size (sensor orientation), as ExifTool reports it */
  width: number;
  height: number;
  /** the RAW's orientation (IFD0): how every viewer turns it */
  orientation: ExifOrientation;
}

export interface PreviewPlan {
  preview: PreviewCandidate;
  /** the orientation to apply to the preview's stored pixels: the RAW's */
  orientation: ExifOrientation;
  /** the RAW's displayed size: the frame every box is relative to */
  displayedWidth: number;
  displayedHeight: number;
}

function refusal(code: string, message: string, hint: string, details: unknown): SitterError {
  return new SitterError(code, message, hint, details);
}

const EXPORT_HINT =
  'Export a JPEG or TIFF of this photo from your RAW developer (Lightroom, darktable, Capture One) into the shoot folder and scan again; or re-save the RAW with a full-size preview (Adobe DNG Converter: "JPEG preview: full size").';

/** Why one candidate cannot stand for the RAW, or null when it can. */
function unfitness(c: PreviewCandidate, raw: RawFrame): string | null {
  const minLong = Math.min(MIN_PREVIEW_LONG_SIDE, Math.max(raw.width, raw.height));
  if (Math.max(c.width, c.height) < minLong)
    return `${c.tag} is ${c.width}x${c.height}, below ${minLong} px on its long side`;
  const aspect = c.width / c.height;
  const rawAspect = raw.width / raw.height;
  if (Math.abs(aspect - rawAspect) / rawAspect > PREVIEW_ASPECT_TOLERANCE)
    return `${c.tag} (${c.width}x${c.height}) does not show the RAW's ${raw.width}x${raw.height} frame (cropped or padded)`;
  if (c.orientation !== null && c.orientation !== 1 && c.orientation !== raw.orientation)
    return `${c.tag} is turned by its own orientation ${c.orientation}, the RAW by ${raw.orientation}`;
  return null;
}

/**
 * The largest preview that shows the RAW's whole frame, turned by the RAW's orientation (a preview
 * that carries the same orientation is turned once, not twice). Throws `RAW_PREVIEW_MISSING` when
 * the file has none and `RAW_PREVIEW_UNUSABLE` with each candidate's reason otherwise.
 */
export function choosePreview(format: string, raw: RawFrame | null, candidates: PreviewCandidate[]): PreviewPlan {
  if (candidates.length === 0)
    throw refusal(
      'RAW_PREVIEW_MISSING',
      `This ${format.toUpperCase()} RAW file has no embedded JPEG preview, and Sitter does not develop RAW sensor data.`,
      EXPORT_HINT,
      { format },
    );
  if (!raw || raw.width <= 0 || raw.height <= 0)
    throw refusal(
      'RAW_PREVIEW_UNUSABLE',
      `The size of this ${format.toUpperCase()} RAW's image is not recorded, so its preview cannot be shown to cover the whole photo.`,
      EXPORT_HINT,
      { format },
    );
  const bySize = [...candidates].sort((a, b) => b.width * b.height - a.width * a.height);
  const reasons: string[] = [];
  for (const c of bySize) {
    const why = unfitness(c, raw);
    if (why) {
      reasons.push(why);
      continue;
    }
    const swap = swapsAxes(raw.orientation);
    return {
      preview: c,
      orientation: raw.orientation,
      displayedWidth: swap ? raw.height : raw.width,
      displayedHeight: swap ? raw.width : raw.height,
    };
  }
  throw refusal(
    'RAW_PREVIEW_UNUSABLE',
    `No embedded preview of this ${format.toUpperCase()} RAW can stand for the photo: ${reasons.join('; ')}.`,
    EXPORT_HINT,
    { format, reasons },
  );
}
