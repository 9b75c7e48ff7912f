import { useInput } from 'ink';
import { useReducer } from 'react';
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

/** Keys of the picker: type to filter, Backspace, up/down, Enter to choose, Esc to cancel. */
export function usePicker({ options, onPick, onCancel, isActive = true }: UsePickerProps): PickerState {
  const [state, dispatch] = useReducer(pickerReducer, options, initialPickerState);
  useInput(
    (input, key) => {
      if (key.escape) return onCancel();
      if (key.return) {
        const picked = pickedOption(state);
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
