/**
 * Where things go on the review screen for a terminal size (pure). Pictures keep square pixels:
 * a cell shows two pixels stacked, so a picture `cols` wide is `cols / 2` rows tall. The frame
 * stays one row shorter than the terminal so that Ink never scrolls it.
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
const MAX_PICTURE_ROWS = 16;

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
