/** commander's collector for a repeatable option (`--option a=1 --option b=2`). */
export function collect(value: string, previous: string[] = []): string[] {
  return [...previous, value];
}
