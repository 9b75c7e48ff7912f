import { useCallback, useRef, useState, type MutableRefObject } from 'react';

/**
 * A reducer whose latest state is readable at once through `ref`: dispatch applies the reducer to
 * the ref synchronously, then schedules the render. Several keys of one input chunk (or a key and a
 * service answer) each see the state the previous one left, where `useReducer`'s state would only
 * change on the next render (two `y` in one chunk would decide the same face twice).
 */
export function useSyncedReducer<S, E, I>(
  reducer: (s: S, e: E) => S,
  initialArg: I,
  init: (arg: I) => S,
): [S, (e: E) => void, MutableRefObject<S>] {
  const [state, setState] = useState<S>(() => init(initialArg));
  const ref = useRef(state);
  const dispatch = useCallback(
    (e: E) => {
      ref.current = reducer(ref.current, e);
      setState(ref.current);
    },
    [reducer],
  );
  return [state, dispatch, ref];
}
