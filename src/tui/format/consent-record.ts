/** How a consent record version is shown next to a confirmed face: `#17`, or `#17 (since replaced)`. */
export function consentRecordLabel(id: number | null | undefined, current: boolean | null | undefined): string {
  if (id === null || id === undefined) return '-';
  return `#${id}${current === false ? ' (since replaced)' : ''}`;
}
