/**
 * The problems of a refused consent file: collected by line and column while the file is read and
 * checked, then sorted into one CONSENT_FILE_INVALID error that lists them all.
 */
import { SitterError } from '../domain/errors.js';
import { CONSENT_COLUMNS, isConsentColumn } from './values.js';

/** One problem of a refused file. `column` is a column name, or null for a whole line or file. */
export interface ConsentProblem {
  line: number;
  column: string | null;
  problem: string;
}

export const CONSENT_FILE_INVALID = 'CONSENT_FILE_INVALID';

/** How many problems the error message spells out; `details` always holds all of them. */
const MESSAGE_PROBLEM_LIMIT = 50;

export class Problems {
  private readonly list: ConsentProblem[] = [];
  add(line: number, column: string | null, problem: string): void {
    this.list.push({ line, column, problem });
  }
  get size(): number {
    return this.list.length;
  }
  /** By line, then in column order (whole-line problems first); stable otherwise. */
  sorted(): ConsentProblem[] {
    const rank = (c: string | null): number =>
      c === null ? -1 : isConsentColumn(c) ? CONSENT_COLUMNS.indexOf(c) : CONSENT_COLUMNS.length;
    return this.list
      .map((p, i) => ({ p, i }))
      .sort((a, b) => a.p.line - b.p.line || rank(a.p.column) - rank(b.p.column) || a.i - b.i)
      .map(({ p }) => p);
  }
}

export function invalid(fileName: string, details: ConsentProblem[]): SitterError {
  const n = details.length;
  const shown = details.slice(0, MESSAGE_PROBLEM_LIMIT).map(formatProblem);
  if (n > MESSAGE_PROBLEM_LIMIT)
    shown.push(`  ... and ${n - MESSAGE_PROBLEM_LIMIT} more (all of them are in the --json output)`);
  return new SitterError(
    CONSENT_FILE_INVALID,
    `${fileName}: ${n} problem${n === 1 ? '' : 's'}, nothing was imported:\n${shown.join('\n')}`,
    `Fix every listed problem in ${fileName} and import it again (the whole file is refused while any remains). ` +
      'The format is described in docs/consent-format.md.',
    details,
  );
}

export function formatProblem(p: ConsentProblem): string {
  return `  line ${p.line}${p.column === null ? '' : `, ${p.column}`}: ${p.problem}`;
}
