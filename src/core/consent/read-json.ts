/**
 * A consent file in JSON to raw records: an array of participant objects or {"participants": [...]},
 * each value on the line of its key.
 */
import { BugError } from '../domain/errors.js';
import { firstTooDeep, LineIndex, locateJson, type JsonLocation } from './lines.js';
import type { Problems } from './problems.js';
import { unknownColumn, type RawRecord } from './raw-record.js';
import { CONSENT_COLUMNS, isConsentColumn, type ConsentColumn, type Parsed } from './values.js';

/**
 * A consent file nests four levels at most ({"participants": [{"publication_scopes": [...]}]});
 * anything far deeper is refused before parsing, as deep nesting would exhaust the stack.
 */
const MAX_JSON_DEPTH = 32;

const JSON_SHAPE = 'expected an array of participant records, or {"participants": [...]}';

export function readJson(text: string, problems: Problems): RawRecord[] | null {
  const body = text.replace(/^\uFEFF/, '');
  const lines = LineIndex.ofString(body);
  const tooDeep = firstTooDeep(body, MAX_JSON_DEPTH);
  if (tooDeep >= 0) {
    problems.add(lines.lineAt(tooDeep), null, `nested more than ${MAX_JSON_DEPTH} levels deep (${JSON_SHAPE})`);
    return null;
  }
  let data: unknown;
  try {
    data = JSON.parse(body);
  } catch (e) {
    const message = e instanceof Error ? e.message : String(e);
    const at = /position (\d+)/.exec(message);
    problems.add(at ? lines.lineAt(Number(at[1])) : 1, null, `not valid JSON: ${message}`);
    return null;
  }
  const root = locateJson(body);
  let items: unknown[];
  let itemLocs: JsonLocation[];
  if (Array.isArray(data)) {
    items = data;
    itemLocs = root.items ?? [];
  } else if (isPlainObject(data) && Array.isArray(data.participants)) {
    items = data.participants;
    itemLocs = [];
    for (const m of root.members ?? []) {
      if (m.key === 'participants') itemLocs = m.value.items ?? [];
      else problems.add(lines.lineAt(m.keyOffset), m.key, `unknown key ${JSON.stringify(m.key)} (${JSON_SHAPE})`);
    }
  } else {
    problems.add(lines.lineAt(root.offset), null, JSON_SHAPE);
    return null;
  }

  const records: RawRecord[] = [];
  items.forEach((item, i) => {
    const loc = itemLocs[i];
    if (!loc) throw new BugError('JSON locator and JSON.parse disagree on the number of records');
    const line = lines.lineAt(loc.offset);
    if (!isPlainObject(item)) {
      problems.add(line, null, 'record is not an object');
      return;
    }
    const values: RawRecord['values'] = {};
    const cellLines: Partial<Record<ConsentColumn, number>> = {};
    const skip = new Set<ConsentColumn>();
    const seen = new Set<string>();
    for (const m of loc.members ?? []) {
      const keyLine = lines.lineAt(m.keyOffset);
      if (seen.has(m.key)) {
        problems.add(keyLine, m.key, 'key appears twice in this record');
        continue;
      }
      seen.add(m.key);
      if (!isConsentColumn(m.key)) {
        problems.add(keyLine, m.key, unknownColumn(m.key));
        continue;
      }
      const value = jsonCell(m.key, item[m.key]);
      if (value.ok) {
        values[m.key] = value.value;
        cellLines[m.key] = keyLine;
      } else {
        problems.add(keyLine, m.key, value.problem);
        skip.add(m.key);
      }
    }
    // An omitted key is an empty value, reported on the line the record opens.
    for (const c of CONSENT_COLUMNS) if (values[c] === undefined && !skip.has(c)) values[c] = '';
    records.push({ line, values, cellLines, skip });
  });
  return records;
}

function isPlainObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** A JSON value as the text a CSV cell would hold (or a list, for publication_scopes). */
function jsonCell(column: ConsentColumn, v: unknown): Parsed<string | string[]> {
  const yesNo = column === 'biometric_consent' || column === 'minor';
  if (v === null) return { ok: true, value: '' };
  if (typeof v === 'string') return { ok: true, value: v };
  if (typeof v === 'boolean' && yesNo) return { ok: true, value: v ? 'yes' : 'no' };
  if (
    typeof v === 'number' &&
    (column === 'participant_id' ? Number.isSafeInteger(v) : yesNo && (v === 0 || v === 1))
  ) {
    return { ok: true, value: String(v) };
  }
  if (Array.isArray(v) && column === 'publication_scopes' && v.every((s) => typeof s === 'string')) {
    return { ok: true, value: v as string[] };
  }
  const kind = Array.isArray(v) ? 'a list' : typeof v === 'object' ? 'an object' : `${JSON.stringify(v)}`;
  const expected =
    column === 'publication_scopes' ? 'text such as "web;print" or a list of strings' : yesNo ? 'yes or no' : 'text';
  return { ok: false, problem: `expected ${expected}, got ${kind}` };
}
