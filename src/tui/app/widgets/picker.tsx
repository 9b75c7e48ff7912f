import { Box, Text } from 'ink';
import type { PickerState } from './picker-state.js';
import { visibleWindow } from './picker-state.js';
import { safeText } from '../../format/safe-text.js';
import { KeyHelp, type KeyRow } from './key-help.js';

/** Every key of the picker, as its `?` help lists them (letters are typed into the filter). */
export const PICKER_KEYS: KeyRow[] = [
  ['letters', 'filter (all words)'],
  ['Backspace', 'erase'],
  ['↑ / ↓', 'up / down'],
  ['PgUp/PgDn', 'five up / down'],
  ['Enter', 'choose'],
  ['?', 'this help'],
  ['Esc', 'close help, cancel'],
  ['Ctrl-C', 'quit'],
];

export interface PickerProps {
  state: PickerState;
  /** what the list is of, e.g. "Assign to (eligible participants only)" */
  title: string;
  /** lines available for the list */
  height: number;
  width: number;
}

/** The picker's view: the query, then the matching options, the highlighted one marked. */
export function Picker({ state, title, height, width }: PickerProps) {
  const { start, items } = visibleWindow(state, Math.max(1, height - 3));
  if (state.help) return <KeyHelp keys={PICKER_KEYS} width={width} title="Picker keys" />;
  return (
    <Box flexDirection="column" width={width}>
      <Text bold wrap="truncate-end">
        {title}
      </Text>
      <Text wrap="truncate-end">
        {'> '}
        {state.query}
        <Text inverse> </Text>
      </Text>
      {items.length === 0 ? (
        <Text dimColor wrap="truncate-end">
          nobody eligible matches "{state.query}"
        </Text>
      ) : (
        items.map((o, i) => (
          <Text key={o.value} wrap="truncate-end" {...(start + i === state.highlighted ? { inverse: true } : {})}>
            {start + i === state.highlighted ? '› ' : '  '}
            {safeText(o.label)} ({safeText(o.value)})
          </Text>
        ))
      )}
      <Text dimColor wrap="truncate-end">
        {state.matches.length} of {state.options.length} · Enter choose · ? help · Esc cancel
      </Text>
    </Box>
  );
}
