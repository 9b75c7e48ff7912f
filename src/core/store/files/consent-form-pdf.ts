/**
 * A consent form as a printable A4 PDF (pdf-lib: pure JavaScript, no native module or font file).
 * Every page carries the code and the ids, so any page of a scan comes back to its record. The
 * standard PDF fonts cover Western European text only: a character outside them prints as "?" here,
 * and the HTML form, which has them all, is the one to print for such names.
 */
import { PDFDocument, type PDFFont, type PDFImage, type PDFPage, rgb, StandardFonts } from 'pdf-lib';
import QRCode from 'qrcode';
import type { ConsentFormText } from '../../domain/consent-form.js';
import type { FormToPrint } from '../../services/consent-form-service.js';

const A4: [number, number] = [595.28, 841.89];
const MARGIN = 50;
const CODE_SIZE = 84;
const BODY = 9.5;
const LEAD = 13;

class Writer {
  private page!: PDFPage;
  private y = 0;
  private readonly width = A4[0] - 2 * MARGIN;

  constructor(
    private readonly doc: PDFDocument,
    private readonly fonts: { regular: PDFFont; bold: PDFFont },
    private readonly code: PDFImage,
    private readonly ids: string[],
    private readonly title: string,
  ) {
    this.newPage();
  }

  /** Text the standard fonts can draw: anything else becomes "?" rather than failing the form. */
  private safe(text: string, font: PDFFont): string {
    const known = new Set(font.getCharacterSet());
    return [...text.replace(/\s+/g, ' ')].map((c) => (known.has(c.codePointAt(0) ?? 0) ? c : '?')).join('');
  }

  private newPage(): void {
    this.page = this.doc.addPage(A4);
    const top = A4[1] - MARGIN;
    this.page.drawImage(this.code, {
      x: A4[0] - MARGIN - CODE_SIZE,
      y: top - CODE_SIZE,
      width: CODE_SIZE,
      height: CODE_SIZE,
    });
    this.ids.forEach((line, i) =>
      this.page.drawText(this.safe(line, this.fonts.regular), {
        x: A4[0] - MARGIN - 150,
        y: top - CODE_SIZE - 10 - i * 9,
        size: 7,
        font: this.fonts.regular,
      }),
    );
    // A long shoot name wraps beside the code (three lines at most), never under it.
    this.lines(this.title, this.fonts.bold, 15, this.width - CODE_SIZE - 20)
      .slice(0, 3)
      .forEach((line, i) =>
        this.page.drawText(line, { x: MARGIN, y: top - 16 - i * 19, size: 15, font: this.fonts.bold }),
      );
    this.y = top - CODE_SIZE - 10 - this.ids.length * 9 - 8;
  }

  private room(height: number): void {
    if (this.y - height < MARGIN) this.newPage();
  }

  private lines(text: string, font: PDFFont, size: number, width: number): string[] {
    const out: string[] = [];
    let line = '';
    for (const word of this.safe(text, font).split(' ')) {
      const next = line ? `${line} ${word}` : word;
      if (line && font.widthOfTextAtSize(next, size) > width) {
        out.push(line);
        line = word;
      } else line = next;
    }
    if (line) out.push(line);
    return out;
  }

  paragraph(text: string, opts: { bold?: boolean; size?: number; indent?: number } = {}): void {
    const font = opts.bold ? this.fonts.bold : this.fonts.regular;
    const size = opts.size ?? BODY;
    const indent = opts.indent ?? 0;
    for (const line of this.lines(text, font, size, this.width - indent)) {
      this.room(LEAD);
      this.page.drawText(line, { x: MARGIN + indent, y: this.y - size, size, font });
      this.y -= LEAD * (size / BODY);
    }
    this.y -= 4;
  }

  heading(text: string): void {
    this.room(LEAD * 3);
    this.y -= 4;
    this.paragraph(text, { bold: true, size: 11 });
  }

  /** A box to tick, then its label: "no" is drawn exactly like "yes". */
  tick(label: string): void {
    this.room(LEAD + 4);
    this.page.drawRectangle({
      x: MARGIN + 10,
      y: this.y - 11,
      width: 10,
      height: 10,
      borderWidth: 1,
      borderColor: rgb(0, 0, 0),
    });
    this.page.drawText(this.safe(label, this.fonts.regular), {
      x: MARGIN + 28,
      y: this.y - 10,
      size: BODY,
      font: this.fonts.regular,
    });
    this.y -= LEAD + 4;
  }

  /** A line to write on, with its label and an optional pre-filled value. */
  field(label: string, value: string | null = null): void {
    this.room(LEAD * 2 + 4);
    const size = BODY;
    this.page.drawText(this.safe(`${label}:`, this.fonts.regular), {
      x: MARGIN,
      y: this.y - 18,
      size,
      font: this.fonts.regular,
    });
    if (value)
      this.page.drawText(this.safe(value, this.fonts.bold), {
        x: MARGIN + 150,
        y: this.y - 18,
        size,
        font: this.fonts.bold,
      });
    this.page.drawLine({
      start: { x: MARGIN + 145, y: this.y - 21 },
      end: { x: A4[0] - MARGIN, y: this.y - 21 },
      thickness: 0.7,
    });
    this.y -= LEAD * 2 + 4;
  }
}

export async function consentFormPdf(text: ConsentFormText, form: FormToPrint): Promise<Uint8Array> {
  const doc = await PDFDocument.create();
  const p = form.participant;
  const ids = [
    `shoot: ${text.shoot.id}`,
    `participant: ${p?.externalRef ?? '(blank form)'}`,
    `form version: ${text.version}`,
  ];
  doc.setTitle(text.title);
  doc.setSubject(ids.join('; '));
  // The code as keywords also marks the file as the unsigned form (signed-scans.ts `isGeneratedForm`).
  doc.setKeywords([form.code]);
  doc.setProducer('Sitter');
  doc.setCreator('sitter consent form');
  const png = await QRCode.toBuffer(form.code, { type: 'png', errorCorrectionLevel: 'M', margin: 4, scale: 6 });
  const fonts = {
    regular: await doc.embedFont(StandardFonts.Helvetica),
    bold: await doc.embedFont(StandardFonts.HelveticaBold),
  };
  const w = new Writer(doc, fonts, await doc.embedPng(png), ids, text.title);
  w.paragraph(text.controller, { bold: true });
  w.paragraph(text.intro);
  w.field('Name', p?.displayName ?? null);
  w.field('Participant id', p?.externalRef ?? null);
  for (const c of text.choices) {
    w.heading(c.question);
    w.tick(c.yes);
    w.tick(c.no);
  }
  w.heading('Publication');
  w.paragraph(text.scopesNote);
  for (const s of text.scopes) w.tick(s);
  for (const s of text.sections) {
    w.heading(s.heading);
    for (const para of s.paragraphs) w.paragraph(para);
  }
  w.heading('Signature');
  for (const l of text.signature) w.field(l);
  w.paragraph(`${text.guardian}${p?.minor ? ` (${p.displayName} is recorded as a minor)` : ''}:`);
  w.field('Parent or guardian', p?.minor ? p.guardian : null);
  w.field('Signature of parent or guardian');
  return doc.save();
}
