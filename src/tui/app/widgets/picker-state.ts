/** A type-to-filter list as a pure reducer (the ink-ui select pattern): no Ink import. */

export interface PickerOption {
  /** what is handed back when chosen (a participant_id) */
  value: string;
  /** what is shown and matched (a name) */
  label: string;
}

export interface PickerState {
  options: readonly PickerOption[];
  query: string;
  /** options matching the query, in the original order */
  matches: PickerOption[];
  /** index into `matches` */
  highlighted: number;
  /** the `?` help is open in place of the list */
  help: boolean;
}

export type PickerEvent =
  { type: 'type'; text: string } | { type: 'erase' } | { type: 'move'; by: number } | { type: 'help' };

/** Case-insensitive: every word of the query must appear in the label or the value. */
export function filterOptions(options: readonly PickerOption[], query: string): PickerOption[] {
  return options.filter((o) => matchesWords(`${o.label} ${o.value}`, query));
}

/** Case-insensitive: every word of `query` appears somewhere in `haystack` (an empty query matches all). */
export function matchesWords(haystack: string, query: string): boolean {
  const hay = haystack.toLowerCase();
  return query
    .toLowerCase()
    .split(/\s+/)
    .every((w) => !w || hay.includes(w));
}

export function initialPickerState(options: readonly PickerOption[]): PickerState {
  return { options, query: '', matches: [...options], highlighted: 0, help: false };
}

export function pickerReducer(s: PickerState, e: PickerEvent): PickerState {
  switch (e.type) {
    case 'type': {
      const text = e.text.replace(/[^\p{L}\p{N}\p{M} ._'-]/gu, '');
      if (!text) return s;
      const query = (s.query + text).slice(0, 40);
      return { ...s, query, matches: filterOptions(s.options, query), highlighted: 0 };
    }
    case 'erase': {
      const query = s.query.slice(0, -1);
      return { ...s, query, matches: filterOptions(s.options, query), highlighted: 0 };
    }
    case 'move': {
      if (s.matches.length === 0) return s;
      const highlighted = Math.max(0, Math.min(s.matches.length - 1, s.highlighted + e.by));
      return { ...s, highlighted };
    }
    case 'help':
      return { ...s, help: !s.help };
  }
}

/** The highlighted option, if any. */
export function pickedOption(s: PickerState): PickerOption | undefined {
  return s.matches[s.highlighted];
}

/** The slice of matches to show in `height` lines, keeping the highlighted one visible. */
export function visibleWindow(s: PickerState, height: number): { start: number; items: PickerOption[] } {
  const h = Math.max(1, height);
  const start = Math.max(0, Math.min(s.highlighted - Math.floor(h / 2), s.matches.length - h));
  return { start, items: s.matches.slice(start, start + h) };
}
