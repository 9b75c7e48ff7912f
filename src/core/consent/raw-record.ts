/**
 * What the CSV and JSON readers hand to the record checks: each record's values by column, as read.
 */
import { suggestColumn, type ConsentColumn } from './values.js';

/**
 * One record as read. Plain objects, not a Map of cell objects per record: a 100,000-row roster
 * made millions of those, and collecting them was most of the parse.
 */
export interface RawRecord {
  line: number;
  /** each column's value: text, or a list (a JSON publication_scopes) */
  values: Partial<Record<ConsentColumn, string | string[]>>;
  /** the cells on another line than the record's first (JSON keys); a CSV record's cells are all on its first */
  cellLines: Readonly<Partial<Record<ConsentColumn, number>>>;
  /** columns already reported (missing from the header, or of the wrong JSON type): not checked again */
  skip: ReadonlySet<ConsentColumn>;
}

/** Both formats name an unknown column the same way, with the nearest known one. */
export function unknownColumn(name: string): string {
  const s = suggestColumn(name);
  return `unknown column ${JSON.stringify(name)}${s ? ` (did you mean ${JSON.stringify(s)}?)` : ''}`;
}
