/**
 * The kitty and iTerm2 inline-image protocols (sixel: sixel.ts). Ink keeps only colour codes in its text, so these
 * sequences are written beside Ink's frame (see images/overlay.ts), at a cell position the layout knows.
 */

/** Kitty graphics: a PNG sent in 4096-byte base64 chunks, shown over `cols` x `rows` cells. */
export function kittyImage(png: Uint8Array, cols: number, rows: number, id: number): string {
  const b64 = Buffer.from(png).toString('base64');
  const chunks: string[] = [];
  for (let i = 0; i < b64.length; i += 4096) chunks.push(b64.slice(i, i + 4096));
  if (chunks.length === 0) chunks.push('');
  return chunks
    .map((chunk, i) => {
      const more = i < chunks.length - 1 ? 1 : 0;
      const head = i === 0 ? `a=T,f=100,i=${id},c=${cols},r=${rows},C=1,q=2,m=${more}` : `m=${more}`;
      return `\u001b_G${head};${chunk}\u001b\\`;
    })
    .join('');
}

/** Kitty: delete every image this program placed (before a redraw). */
export function kittyDeleteAll(): string {
  return '\u001b_Ga=d,q=2\u001b\\';
}

/** iTerm2 inline image (OSC 1337), sized in cells. */
export function itermImage(png: Uint8Array, cols: number, rows: number): string {
  const b64 = Buffer.from(png).toString('base64');
  return `\u001b]1337;File=inline=1;size=${png.byteLength};width=${cols};height=${rows};preserveAspectRatio=1:${b64}\u0007`;
}

/** Moves to a 0-based cell, draws, and returns the cursor where it was (so Ink's bookkeeping holds). */
export function atCell(row: number, col: number, sequence: string): string {
  return `\u001b7\u001b[${row + 1};${col + 1}H${sequence}\u001b8`;
}
