import { useKeys } from './use-keys.js';
import { useSyncedReducer } from './use-synced-reducer.js';
import {
  initialPickerState,
  pickedOption,
  pickerReducer,
  type PickerOption,
  type PickerState,
} from './picker-state.js';

export interface UsePickerProps {
  options: readonly PickerOption[];
  onPick: (option: PickerOption) => void;
  onCancel: () => void;
  /** @default true */
  isActive?: boolean;
}

/** Keys of the picker: type to filter, Backspace, up/down, Enter to choose, ? help, Esc to cancel. */
export function usePicker({ options, onPick, onCancel, isActive = true }: UsePickerProps): PickerState {
  // "ben⏎" in one chunk: Enter must pick from the list the typed letters left
  const [state, dispatch, latest] = useSyncedReducer(pickerReducer, options, initialPickerState);
  useKeys(
    (input, key) => {
      if (latest.current.help) {
        if (key.escape || input === '?') dispatch({ type: 'help' });
        return;
      }
      if (key.escape) return onCancel();
      if (input === '?') return dispatch({ type: 'help' });
      if (key.return) {
        const picked = pickedOption(latest.current);
        if (picked) onPick(picked);
        return;
      }
      if (key.upArrow) return dispatch({ type: 'move', by: -1 });
      if (key.downArrow) return dispatch({ type: 'move', by: 1 });
      if (key.pageUp) return dispatch({ type: 'move', by: -5 });
      if (key.pageDown) return dispatch({ type: 'move', by: 5 });
      if (key.backspace || key.delete) return dispatch({ type: 'erase' });
      if (input && !key.ctrl && !key.meta) dispatch({ type: 'type', text: input });
    },
    { isActive },
  );
  return state;
}
