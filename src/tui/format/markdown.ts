/** Markdown text in a table cell or list item: a pipe or a line break in a name cannot break the layout. */
export function md(value: string | number | null | undefined): string {
  if (value === null || value === undefined || value === '') return '-';
  return String(value)
    .replace(/[\r\n]+/g, ' ')
    .replace(/([\\|*_`[\]<>#])/g, '\\$1');
}

/** A Markdown table, or "(none)" when there are no rows. */
export function rows(headers: string[], body: (string | number | null)[][]): string[] {
  if (body.length === 0) return ['(none)'];
  return [
    `| ${headers.join(' | ')} |`,
    `| ${headers.map(() => '---').join(' | ')} |`,
    ...body.map((r) => `| ${r.map(md).join(' | ')} |`),
  ];
}
