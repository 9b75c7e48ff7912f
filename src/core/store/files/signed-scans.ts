/**
 * Reads a folder of signed consent form scans and the code printed on each (jsQR on the pixels sharp
 * decodes). A photo or scan (JPEG, PNG, TIFF) is read as it is, turned upright by its EXIF
 * orientation and tried at a few sizes, since a phone photo of a sheet is large and a little skewed;
 * a PDF scan gives up its embedded page images (JPEG, or 8-bit deflated pixels) to the same reader.
 * One bad file is one report line: nothing here throws for a single file.
 */
import { createHash } from 'node:crypto';
import { lstat, readdir, readFile } from 'node:fs/promises';
import { extname, join } from 'node:path';
import { inflateSync } from 'node:zlib';
import jsQRModule from 'jsqr';
import { PDFArray, PDFDocument, PDFName, PDFNumber, PDFRawStream } from 'pdf-lib';
import sharp, { type Sharp } from 'sharp';
import { SitterError } from '../../domain/errors.js';
import { decodeFormCode, type FormCode } from '../../domain/consent-form.js';
import { type ScanRead, UNSIGNED_FORM_MESSAGE } from '../../services/signed-scan-service.js';

const IMAGE_TYPES = new Set(['.jpg', '.jpeg', '.png', '.tif', '.tiff']);
const MAX_SCAN_BYTES = 64 * 1024 * 1024;
/** A 24-megapixel phone photo is 6000 px wide: these sizes find a code of a few centimetres on an A4 sheet. */
const TRY_WIDTHS = [1600, 2400, 1000, 3200];

// jsqr is CommonJS: its typings put the function on `default`, which Node's ESM import also carries.
const jsQR = jsQRModule.default;

type Problem = NonNullable<ScanRead['problem']>;
class ScanProblem extends Error {
  constructor(readonly problem: Problem) {
    super(problem.message);
  }
}

/** The first Sitter code in an image, or null; codes of other kinds (a URL on the page) are skipped. */
async function codeInImage(input: Sharp): Promise<FormCode | null> {
  const meta = await input.metadata();
  const width = meta.autoOrient?.width ?? meta.width ?? 0;
  for (const target of TRY_WIDTHS) {
    if (target > width * 1.5 && target !== TRY_WIDTHS[0]) continue;
    const { data, info } = await input
      .clone()
      .rotate()
      .resize({ width: Math.min(target, Math.max(width, 1)), withoutEnlargement: true })
      .ensureAlpha()
      .raw()
      .toBuffer({ resolveWithObject: true });
    const found = jsQR(new Uint8ClampedArray(data.buffer, data.byteOffset, data.length), info.width, info.height, {
      inversionAttempts: 'attemptBoth',
    });
    const code = found ? decodeFormCode(found.data) : null;
    if (code) return code;
  }
  return null;
}

function pdfNumber(v: unknown): number | null {
  return v instanceof PDFNumber ? v.asNumber() : null;
}

/** The page images of a PDF that sharp can read: JPEG streams, and deflated 8-bit grey or RGB pixels. */
async function pdfImages(bytes: Uint8Array): Promise<{ images: Sharp[]; skipped: string[]; doc: PDFDocument }> {
  const doc = await PDFDocument.load(bytes, { updateMetadata: false });
  const images: Sharp[] = [];
  const skipped: string[] = [];
  for (const [, obj] of doc.context.enumerateIndirectObjects()) {
    if (!(obj instanceof PDFRawStream) || obj.dict.get(PDFName.of('Subtype')) !== PDFName.of('Image')) continue;
    const filterObj = obj.dict.lookup(PDFName.of('Filter'));
    const filters =
      filterObj instanceof PDFArray ? filterObj.asArray().map(String) : filterObj ? [String(filterObj)] : [];
    const filter = filters.join(' ');
    if (filter === '/DCTDecode') {
      images.push(sharp(Buffer.from(obj.contents)));
      continue;
    }
    const width = pdfNumber(obj.dict.lookup(PDFName.of('Width')));
    const height = pdfNumber(obj.dict.lookup(PDFName.of('Height')));
    const bits = pdfNumber(obj.dict.lookup(PDFName.of('BitsPerComponent')));
    const space = String(obj.dict.lookup(PDFName.of('ColorSpace')));
    const channels = space === '/DeviceRGB' ? 3 : space === '/DeviceGray' ? 1 : 0;
    if (
      filter === '/FlateDecode' &&
      width &&
      height &&
      bits === 8 &&
      channels &&
      !obj.dict.has(PDFName.of('DecodeParms'))
    ) {
      const pixels = inflateSync(obj.contents);
      if (pixels.length === width * height * channels) {
        images.push(sharp(pixels, { raw: { width, height, channels } }));
        continue;
      }
    }
    skipped.push(filter || 'uncompressed');
  }
  return { images, skipped, doc };
}

/**
 * The PDF `sitter consent form` wrote, not a scan of the signed sheet: it still carries the code as
 * its keywords, as the generator sets them, and no image but the printed code. A scanner or a phone
 * makes a new file of page images; a viewer that re-saves the form keeps its keywords (it may well
 * rewrite the producer and dates, so the file's sha256 alone does not find it).
 */
function isGeneratedForm(doc: PDFDocument, imageCount: number): boolean {
  const keywords = doc.getKeywords();
  return imageCount <= 1 && keywords !== undefined && decodeFormCode(keywords) !== null;
}

async function codeOf(file: string, bytes: Uint8Array): Promise<FormCode | null> {
  const ext = extname(file).toLowerCase();
  if (IMAGE_TYPES.has(ext)) {
    try {
      return await codeInImage(sharp(bytes, { limitInputPixels: 200_000_000 }));
    } catch (error) {
      throw new ScanProblem({ outcome: 'unreadable', message: `not a readable image: ${(error as Error).message}` });
    }
  }
  if (ext === '.pdf') {
    let found: Awaited<ReturnType<typeof pdfImages>>;
    try {
      found = await pdfImages(bytes);
    } catch (error) {
      throw new ScanProblem({ outcome: 'unreadable', message: `not a readable PDF: ${(error as Error).message}` });
    }
    if (isGeneratedForm(found.doc, found.images.length + found.skipped.length))
      throw new ScanProblem({ outcome: 'unsigned-form', message: UNSIGNED_FORM_MESSAGE });
    for (const image of found.images) {
      const code = await codeInImage(image).catch(() => null);
      if (code) return code;
    }
    if (found.images.length === 0)
      throw new ScanProblem({
        outcome: 'unsupported',
        message:
          `a PDF whose page images Sitter cannot read (${found.skipped.join(', ') || 'no images'}): ` +
          'scan to JPEG, PNG or TIFF instead, or save the PDF with JPEG images',
      });
    return null;
  }
  throw new ScanProblem({
    outcome: 'unsupported',
    message: `not a scan Sitter reads (${ext || 'no extension'}): JPEG, PNG, TIFF or PDF`,
  });
}

async function readOne(dir: string, file: string): Promise<ScanRead> {
  const path = join(dir, file);
  try {
    const info = await lstat(path);
    if (info.isSymbolicLink())
      return {
        file,
        sha256: null,
        code: null,
        problem: { outcome: 'unsupported', message: 'a symbolic link: give the scan itself' },
      };
    if (!info.isFile())
      return { file, sha256: null, code: null, problem: { outcome: 'unsupported', message: 'not a file' } };
    if (info.size > MAX_SCAN_BYTES)
      return { file, sha256: null, code: null, problem: { outcome: 'unsupported', message: 'larger than 64 MB' } };
    const bytes = await readFile(path);
    const sha256 = createHash('sha256').update(bytes).digest('hex');
    try {
      const code = await codeOf(file, bytes);
      return {
        file,
        sha256,
        code,
        problem: code ? null : { outcome: 'no-code', message: 'no consent form code found' },
      };
    } catch (error) {
      if (error instanceof ScanProblem) return { file, sha256, code: null, problem: error.problem };
      throw error;
    }
  } catch (error) {
    return {
      file,
      sha256: null,
      code: null,
      problem: {
        outcome: 'unreadable',
        message: `cannot read it (${(error as NodeJS.ErrnoException).code ?? 'error'})`,
      },
    };
  }
}

/** Every visible file of the folder (not its subfolders), in name order, with the code found on it. */
export async function readSignedScans(dir: string): Promise<ScanRead[]> {
  let names: string[];
  try {
    const info = await lstat(dir);
    if (!info.isDirectory()) throw Object.assign(new Error('not a folder'), { code: 'ENOTDIR' });
    names = (await readdir(dir)).filter((n) => !n.startsWith('.')).sort();
  } catch (error) {
    throw new SitterError(
      'SCANS_FOLDER_NOT_FOUND',
      `Cannot read the folder of signed scans ${dir} (${(error as NodeJS.ErrnoException).code ?? 'error'}).`,
      'Give the folder that holds the scanned forms (JPEG, PNG, TIFF or PDF).',
    );
  }
  const out: ScanRead[] = [];
  for (const name of names) out.push(await readOne(dir, name));
  return out;
}
