/**
 * A consent file in CSV to raw records: the delimiter guessed, the header checked, each record's
 * first line kept for messages.
 */
import { parse as parseCsv } from 'csv-parse/sync';
import { LineIndex } from './lines.js';
import type { Problems } from './problems.js';
import { unknownColumn, type RawRecord } from './raw-record.js';
import { CONSENT_COLUMNS, OPTIONAL_COLUMNS, isConsentColumn, type ConsentColumn } from './values.js';

const CSV_ERRORS: Record<string, string> = {
  CSV_QUOTE_NOT_CLOSED: 'a quoted value is never closed (a closing " is missing)',
  CSV_INVALID_CLOSING_QUOTE:
    'a quoted value is followed by more text before the next separator (write "" for a quote inside quotes)',
  INVALID_OPENING_QUOTE: 'a " appears inside an unquoted value (quote the whole value and write "" for the quote)',
};

export function readCsv(text: string, problems: Problems): RawRecord[] | null {
  const bytes = new TextEncoder().encode(text);
  const lines = LineIndex.ofBytes(bytes);
  // The line a record starts on: skip the line breaks (empty lines) and the BOM before it.
  const startLine = (offset: number): number => {
    let i = offset;
    if (i === 0 && bytes[0] === 0xef && bytes[1] === 0xbb && bytes[2] === 0xbf) i = 3;
    while (i < bytes.length && (bytes[i] === 0x0a || bytes[i] === 0x0d)) i++;
    return lines.lineAt(Math.min(i, Math.max(bytes.length - 1, 0)));
  };

  // Each record becomes a RawRecord as the parser hands it over, so the parser's own per-record
  // objects die young instead of all being kept until the end (a 100,000-row roster's peak memory).
  let header: { fields: string[]; columns: (ConsentColumn | null)[]; skip: Set<ConsentColumn> } | undefined;
  let previousEnd = 0;
  const toRecord = (fields: string[], info: { bytes: number }): RawRecord | null => {
    const line = startLine(previousEnd);
    previousEnd = info.bytes;
    if (!header) {
      header = { fields, ...readHeader(fields, line, problems) };
      return null;
    }
    if (fields.every((f) => f.trim() === '')) return null; // a row of empty cells, as spreadsheets write
    if (fields.length !== header.fields.length) {
      problems.add(line, null, `has ${fields.length} values but the header has ${header.fields.length} columns`);
      return null;
    }
    const values: RawRecord['values'] = {};
    header.columns.forEach((c, i) => {
      if (c !== null) values[c] = fields[i] ?? '';
    });
    return { line, values, cellLines: SAME_LINE, skip: header.skip };
  };

  const records: RawRecord[] = [];
  try {
    parseCsv(bytes, {
      bom: true,
      delimiter: guessDelimiter(text),
      relax_column_count: true,
      skip_empty_lines: true,
      // Kept here, not by the parser: it is told to keep nothing.
      on_record: (fields: string[], info: { bytes: number }) => {
        const record = toRecord(fields, info);
        if (record) records.push(record);
        return null;
      },
    });
    return records;
  } catch (e) {
    const err = e as { code?: unknown; bytes?: unknown; message?: unknown };
    if (typeof err.code !== 'string') throw e;
    const line = typeof err.bytes === 'number' ? startLine(err.bytes) : 1;
    problems.add(line, null, `CSV syntax error: ${CSV_ERRORS[err.code] ?? String(err.message)}`);
    return null;
  }
}

const SAME_LINE: RawRecord['cellLines'] = Object.freeze({});

/** Comma, unless the header line has more semicolons or tabs (as European spreadsheets write). */
function guessDelimiter(text: string): string {
  const first = text.split(/\r\n|\r|\n/, 1)[0] ?? '';
  const count = (ch: string): number => first.split(ch).length - 1;
  const [best] = [',', ';', '\t'].map((d) => ({ d, n: count(d) })).sort((a, b) => b.n - a.n);
  return best && best.n > count(',') ? best.d : ',';
}

function readHeader(
  names: string[],
  line: number,
  problems: Problems,
): { columns: (ConsentColumn | null)[]; skip: Set<ConsentColumn> } {
  const seen = new Set<ConsentColumn>();
  const columns = names.map((raw, i): ConsentColumn | null => {
    const name = raw
      .replace(/^\uFEFF/, '')
      .trim()
      .toLowerCase();
    if (name === '') {
      problems.add(line, null, `empty column name in the header (column ${i + 1})`);
      return null;
    }
    if (!isConsentColumn(name)) {
      problems.add(line, name, unknownColumn(name));
      return null;
    }
    if (seen.has(name)) {
      problems.add(line, name, 'column appears twice in the header');
      return null;
    }
    seen.add(name);
    return name;
  });
  const skip = new Set<ConsentColumn>();
  for (const c of CONSENT_COLUMNS) {
    if (seen.has(c) || OPTIONAL_COLUMNS.has(c)) continue;
    problems.add(line, c, 'missing column');
    skip.add(c);
  }
  return { columns, skip };
}
