import { safeText } from './safe-text.js';

/**
 * A plain, aligned text table: readable in any terminal, greppable, no box-drawing characters.
 * A cell is one line whatever it holds: a line break in a name is shown, not obeyed.
 */
export function table(headers: string[], rows: (string | number | null | undefined)[][]): string {
  const cells = [
    headers,
    ...rows.map((r) => r.map((c) => (c === null || c === undefined ? '-' : safeText(String(c))))),
  ];
  const widths = headers.map((_, i) => Math.max(...cells.map((r) => (r[i] ?? '').length)));
  return cells
    .map((r) =>
      r
        .map((c, i) => (i === r.length - 1 ? c : c.padEnd(widths[i] ?? 0)))
        .join('  ')
        .trimEnd(),
    )
    .join('\n');
}

export function isoOrDash(d: Date | null | undefined): string {
  return d ? d.toISOString() : '-';
}
