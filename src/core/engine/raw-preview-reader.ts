/**
 * Reads a RAW file's embedded JPEG previews with ExifTool (JpgFromRaw, PreviewImage, OtherImage: the
 * tags where NEF, CR2, CR3, DNG, ARW, ORF, RW2 and RAF keep them) and the RAW's own size and
 * orientation; `domain/raw-preview.ts` decides which preview may stand for the photo. ExifTool reads
 * files, so the bytes go to a private temporary file for the call. One ExifTool process per RAW,
 * ended after it: the engine's workers are terminated, not closed, and a long-lived Perl process
 * per worker would outlive them.
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import sharp from 'sharp';
import { ExifTool } from 'exiftool-vendored';
import { exifOrientationOf, isExifOrientation } from '../domain/orientation.js';
import type { RawFormat } from '../domain/raw-format.js';
import type { PreviewCandidate, RawFrame } from '../domain/raw-preview.js';

const PREVIEW_TAGS = ['JpgFromRaw', 'PreviewImage', 'OtherImage'] as const;

export interface RawPreviews {
  frame: RawFrame | null;
  candidates: (PreviewCandidate & { bytes: Buffer })[];
}

function frameOf(tags: Record<string, unknown>): RawFrame | null {
  const size = typeof tags.ImageSize === 'string' ? /^(\d+)[x ](\d+)$/.exec(tags.ImageSize) : null;
  if (!size) return null;
  return { width: Number(size[1]), height: Number(size[2]), orientation: exifOrientationOf(tags.Orientation) };
}

async function candidateOf(tag: string, bytes: Buffer): Promise<(PreviewCandidate & { bytes: Buffer }) | null> {
  try {
    const meta = await sharp(bytes, { failOn: 'error' }).metadata();
    if (meta.format !== 'jpeg' || !meta.width || !meta.height) return null;
    const orientation = isExifOrientation(meta.orientation) ? meta.orientation : null;
    return { tag, width: meta.width, height: meta.height, orientation, bytes };
  } catch {
    return null; // a damaged preview is no candidate; the others may still serve
  }
}

export async function readRawPreviews(bytes: Uint8Array, format: RawFormat): Promise<RawPreviews> {
  const dir = await mkdtemp(join(tmpdir(), 'sitter-raw-'));
  // ExifTool reads a file by its extension first (".raw" is Panasonic's format): name it by its content.
  const file = join(dir, `photo.${format === 'raw' ? 'tif' : format}`);
  const exiftool = new ExifTool({ maxProcs: 1, taskTimeoutMillis: 60_000 });
  try {
    await writeFile(file, bytes, { mode: 0o600 });
    const tags = (await exiftool.read(file, { numericTags: ['Orientation'] })) as unknown as Record<string, unknown>;
    const candidates: (PreviewCandidate & { bytes: Buffer })[] = [];
    for (const tag of PREVIEW_TAGS) {
      if (tags[tag] === undefined) continue;
      const c = await candidateOf(tag, await exiftool.extractBinaryTagToBuffer(tag, file));
      if (c) candidates.push(c);
    }
    return { frame: frameOf(tags), candidates };
  } finally {
    await exiftool.end();
    await rm(dir, { recursive: true, force: true });
  }
}
