import { resultOf, type CaseResult } from './case.js';

/** The campaign table: plain columns for a terminal, or Markdown for docs/reliability.md. */
export function renderTable(rows: CaseResult[], markdown: boolean): string {
  const cells = rows.map((r) => [r.case, String(r.runs), resultOf(r), r.notes.join('; ')]);
  const head = ['case', 'runs', 'result', 'notes'];
  if (markdown) {
    const esc = (s: string) => s.replace(/\|/g, '\\|').replace(/\n/g, ' ');
    return [
      `| ${head.join(' | ')} |`,
      '| --- | --- | --- | --- |',
      ...cells.map((c) => `| ${c.map(esc).join(' | ')} |`),
    ].join('\n');
  }
  const width = head.slice(0, 3).map((h, i) => Math.max(h.length, ...cells.map((c) => c[i]!.length)));
  const line = (c: string[]) => [...c.slice(0, 3).map((v, i) => v.padEnd(width[i]!)), c[3]].join('  ');
  return [line(head), ...cells.map(line)].join('\n');
}
