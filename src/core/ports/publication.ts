/**
 * What `sitter publish` needs besides the store and the shoot's connector: something that paints
 * masks over an image without touching anything else, and a folder to put the copies in. Type-only.
 */
import type { RelativeBox } from '../domain/geometry.js';
import type { ExifOrientation } from '../domain/orientation.js';

export interface MaskRequest {
  /** the original file's bytes, as the connector fetched them (never changed) */
  bytes: Uint8Array;
  /** the EXIF orientation the scan recorded; null: the masker reads the file's own */
  orientation: ExifOrientation | null;
  /** the areas to mask, in the displayed frame (fractions of the image, as face boxes are) */
  areas: readonly RelativeBox[];
  /** blocks across the longer side of each area (`MASK_BLOCKS_ACROSS`) */
  blocksAcross: number;
}

export interface MaskedImage {
  bytes: Uint8Array;
  /** the format written, always the input's (`jpeg`, `png`, ...) */
  format: string;
}

export interface FaceMasker {
  /**
   * A copy with each area pixelated; the same format, the EXIF orientation and ICC colour profile
   * kept, every other piece of metadata (EXIF, XMP, IPTC: face regions, names) left out. Throws a
   * `SitterError` for a format it cannot write back as itself.
   */
  mask(request: MaskRequest): Promise<MaskedImage>;
}

/** The folder the copies go to; names are relative, `/`-separated. */
export interface PublicationFolder {
  /** writes one file owner-only; returns its `sha256` (hex) */
  write(name: string, bytes: Uint8Array | string): Promise<string>;
  /** removes files this run wrote (when the run cannot be recorded, nothing it wrote is left) */
  remove(names: readonly string[]): Promise<void>;
}
