import { inflateSync } from 'node:zlib';
import { PDFDocument, PDFName, PDFRawStream } from 'pdf-lib';
import sharp from 'sharp';

/** The inline SVG code of a consent form's HTML: the very image Sitter printed. */
export function codeSvgOf(html: string): Buffer {
  const svg = /<svg[\s\S]*?<\/svg>/.exec(html)?.[0];
  if (!svg) throw new Error('no code in the form');
  return Buffer.from(svg);
}

/**
 * A phone photo of a signed sheet: the form's code printed at the top right of a white page with
 * some lines of "handwriting", the sheet a little rotated on a grey desk, shot at phone size, JPEG.
 */
export async function phoneScanOf(code: Buffer, opts: { angle?: number; width?: number } = {}): Promise<Buffer> {
  const codePng = await sharp(code).resize(260, 260).png().toBuffer();
  const scribbles = Buffer.from(
    `<svg xmlns="http://www.w3.org/2000/svg" width="1240" height="1754">` +
      Array.from(
        { length: 30 },
        (_, i) => `<rect x="120" y="${420 + i * 40}" width="${600 + ((i * 97) % 400)}" height="6" fill="#333"/>`,
      ).join('') +
      `<path d="M200 1600 C 300 1500, 400 1700, 520 1580" stroke="#03c" stroke-width="5" fill="none"/></svg>`,
  );
  const page = await sharp({ create: { width: 1240, height: 1754, channels: 3, background: '#fbfbf7' } })
    .composite([
      { input: scribbles, left: 0, top: 0 },
      { input: codePng, left: 900, top: 80 },
    ])
    .png()
    .toBuffer();
  return sharp(page)
    .rotate(opts.angle ?? 4, { background: '#8a8a8a' })
    .resize({ width: opts.width ?? 2600 })
    .jpeg({ quality: 85 })
    .toBuffer();
}

/** A scanner's PDF: the scan as the JPEG image of one page. */
export async function pdfScanOf(jpeg: Buffer): Promise<Uint8Array> {
  const doc = await PDFDocument.create();
  const image = await doc.embedJpg(jpeg);
  const page = doc.addPage([595, 842]);
  page.drawImage(image, { x: 0, y: 0, width: 595, height: 842 });
  return doc.save();
}

/** The text a pdf-lib page draws (`<hex> Tj` in its deflated content streams), in drawing order. */
export async function pdfTextOf(bytes: Uint8Array): Promise<string> {
  const doc = await PDFDocument.load(bytes);
  const out: string[] = [];
  for (const [, obj] of doc.context.enumerateIndirectObjects()) {
    if (!(obj instanceof PDFRawStream) || obj.dict.has(PDFName.of('Subtype'))) continue;
    let content: string;
    try {
      content = inflateSync(obj.contents).toString('latin1');
    } catch {
      continue;
    }
    for (const m of content.matchAll(/<([0-9A-Fa-f]*)> Tj/g))
      out.push(Buffer.from(m[1] ?? '', 'hex').toString('latin1'));
  }
  return out.join('\n');
}
