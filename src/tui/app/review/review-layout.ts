import type { ImageProtocol } from '../terminal/capabilities.js';

/**
 * Where things go on the review screen for a terminal size (pure). Pictures keep square pixels:
 * a cell shows two pixels stacked, so a picture `cols` wide is `cols / 2` rows tall. The face and
 * the reference photo always share one size (the same scale), as large as the terminal allows: a
 * reviewer judges identity, which a 32-pixel face does not show. The frame stays one row shorter
 * than the terminal so that Ink never scrolls it.
 */
export interface ReviewLayout {
  /** inner size of each picture box in cells; 0 when the terminal is too small for pictures */
  pictureCols: number;
  pictureRows: number;
  showReference: boolean;
  /** width of the text column beside the pictures */
  detailsWidth: number;
  /** lines available in the body (between header and footer) */
  bodyRows: number;
  width: number;
}

const DETAILS_MIN = 28;
/** Beyond this (a 96x96 face in half blocks, 100 KB of colour codes a frame) bigger is only slower. */
const MAX_PICTURE_ROWS = 48;

export function reviewLayout(columns: number, rows: number): ReviewLayout {
  const width = Math.max(20, columns);
  const bodyRows = Math.max(3, rows - 5); // header, notice (2), footer, one spare row
  const maxRows = Math.min(MAX_PICTURE_ROWS, bodyRows - 3); // border (2) + caption (1)
  const fit = (pictures: number) => {
    const room = width - DETAILS_MIN - pictures * 3; // border (2) + gap (1) per picture
    const cols = Math.floor(room / pictures / 2) * 2;
    return Math.min(cols / 2, maxRows);
  };
  let showReference = true;
  let pictureRows = fit(2);
  if (pictureRows < 7) {
    showReference = false;
    pictureRows = fit(1);
  }
  if (pictureRows < 3)
    return { pictureCols: 0, pictureRows: 0, showReference: false, detailsWidth: width, bodyRows, width };
  const pictureCols = pictureRows * 2;
  const used = (showReference ? 2 : 1) * (pictureCols + 3);
  return { pictureCols, pictureRows, showReference, detailsWidth: width - used, bodyRows, width };
}

/**
 * The pixel size to cut a picture at for a box of `cols` x `rows` cells: two pixels a cell for half
 * blocks; for the image protocols, the cell's pixels (kitty and iTerm2 scale the PNG to the box,
 * sixel draws pixel for pixel), capped so that a crop stays cheap to make.
 */
export function picturePixels(
  cols: number,
  rows: number,
  protocol: ImageProtocol,
  cell: { w: number; h: number } = { w: 8, h: 16 },
): { w: number; h: number } {
  if (protocol === 'none') return { w: cols, h: rows * 2 };
  const scale = Math.min(1, 768 / Math.max(cols * cell.w, rows * cell.h));
  return { w: Math.max(1, Math.floor(cols * cell.w * scale)), h: Math.max(1, Math.floor(rows * cell.h * scale)) };
}
