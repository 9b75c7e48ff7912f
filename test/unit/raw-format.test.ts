/**
 * Sniffing camera RAW files: magic numbers, and for the TIFF-based ones the first image directory
 * (DNGVersion, the CR2 marker, a reduced-resolution IFD0 with SubIFDs and the maker's name). The
 * DNG and NEF are written by test/helpers/raw-files.ts and read back by ExifTool as DNG and NEF with
 * their previews, so the sniffing is checked against files a RAW reader accepts, not hand-made bytes only.
 */
import { exiftool } from 'exiftool-vendored';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import sharp from 'sharp';
import { afterAll, describe, expect, it } from 'vitest';
import { sniffImage } from '../../src/connectors/local/sniff.js';
import { RAW_SNIFF_BYTES, rawFormatOf } from '../../src/core/domain/raw-format.js';
import { makeDng, makeNef } from '../helpers/raw-files.js';
import { tempDir } from '../helpers/workspace.js';

const picture = () =>
  sharp({ create: { width: 300, height: 200, channels: 3, background: { r: 90, g: 120, b: 200 } } })
    .png()
    .toBuffer();
const head = (b: Buffer) => b.subarray(0, RAW_SNIFF_BYTES);
const bytes = (...parts: (string | number[])[]) =>
  Buffer.concat(parts.map((p) => (typeof p === 'string' ? Buffer.from(p, 'latin1') : Buffer.from(p))));

describe('RAW sniffing', () => {
  const tmp = tempDir('sitter-raw-sniff-');
  afterAll(async () => {
    await exiftool.end();
    tmp.cleanup();
  });

  it('a DNG and a NEF are told apart from TIFF by their first image directory, and ExifTool agrees', async () => {
    const dng = await makeDng({ picture: await picture(), sensor: { width: 600, height: 400 } });
    const nef = await makeNef({ picture: await picture(), sensor: { width: 600, height: 400 } });
    expect(rawFormatOf(head(dng))).toBe('dng');
    expect(rawFormatOf(head(nef))).toBe('nef');
    expect(sniffImage(head(dng))).toBe('image/x-adobe-dng');
    expect(sniffImage(head(nef))).toBe('image/x-raw-nef');
    for (const [name, file, type, tag] of [
      ['a.dng', dng, 'DNG', 'PreviewImage'],
      ['a.nef', nef, 'NEF', 'JpgFromRaw'],
    ] as const) {
      writeFileSync(join(tmp.dir, name), file);
      const tags = (await exiftool.read(join(tmp.dir, name))) as unknown as Record<string, unknown>;
      expect(tags.FileType).toBe(type);
      expect(tags[tag]).toBeDefined();
    }
  });

  it('an ordinary TIFF (even one a camera maker wrote) stays a TIFF', async () => {
    const tiff = await sharp(await picture())
      .withExif({ IFD0: { Make: 'NIKON CORPORATION' } })
      .tiff()
      .toBuffer();
    expect(rawFormatOf(head(tiff))).toBeNull();
    expect(sniffImage(head(tiff))).toBe('image/tiff');
  });

  it('CR3 (ISO-BMFF crx), ORF, RW2, RAF and CR2 by their magic numbers; HEIC and AVIF are not RAW', () => {
    expect(rawFormatOf(bytes([0, 0, 0, 24], 'ftypcrx ', [0, 0, 0, 1]))).toBe('cr3');
    expect(rawFormatOf(bytes('IIRO', [8, 0, 0, 0, 0, 0]))).toBe('orf');
    expect(rawFormatOf(bytes('IIU', [0, 8, 0, 0, 0, 0, 0]))).toBe('rw2');
    expect(rawFormatOf(bytes('FUJIFILMCCD-RAW 0201'))).toBe('raf');
    expect(rawFormatOf(bytes('II*', [0, 16, 0, 0, 0], 'CR', [2, 0, 0, 0, 0, 0, 0, 0]))).toBe('cr2');
    expect(sniffImage(bytes([0, 0, 0, 24], 'ftypcrx '))).toBe('image/x-raw-cr3');
    expect(sniffImage(bytes('IIRO', [8, 0, 0, 0]))).toBe('image/x-raw-orf');
    expect(rawFormatOf(bytes([0, 0, 0, 24], 'ftypheic'))).toBeNull();
    expect(sniffImage(bytes([0, 0, 0, 24], 'ftypheic'))).toBe('image/heic');
    expect(rawFormatOf(bytes([0, 0, 0, 24], 'ftypavif'))).toBeNull();
  });

  it('a truncated or hostile directory is no RAW and throws nothing', () => {
    expect(rawFormatOf(bytes('II*', [0, 0xff, 0xff, 0xff, 0xff]))).toBeNull();
    expect(rawFormatOf(bytes('MM', [0, 42, 0, 0, 0, 8, 0xff, 0xff]))).toBeNull();
    expect(rawFormatOf(new Uint8Array())).toBeNull();
  });
});
