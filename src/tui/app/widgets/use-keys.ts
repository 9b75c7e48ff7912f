import { useInput } from 'ink';
import { useContext, useLayoutEffect, useRef } from 'react';
import { KeyRouterContext, type KeyHandler, type KeyListener } from './key-router.js';
import { splitKeys } from './split-keys.js';

export type { Key } from 'ink';
export { NO_KEY, splitKeys } from './split-keys.js';

/**
 * A screen's keys, one call per key of each chunk, in order. Handlers must read state that the
 * previous key already changed (see use-synced-reducer.ts), not the last render's.
 *
 * Inside the app (`KeyRouterProvider`), the handler registers with the app's one input listener while
 * the screen commits, so a key typed the instant a new screen shows reaches it; Ink's own `useInput`
 * attaches only in an effect after the screen's first frame, and a key read before that is lost. A
 * screen rendered alone (the screen tests) listens through `useInput` itself.
 */
export function useKeys(handler: KeyHandler, options: { isActive?: boolean } = {}): void {
  const router = useContext(KeyRouterContext);
  const isActive = options.isActive ?? true;
  const latest = useRef(handler);
  const listener = useRef<KeyListener | null>(null);
  useLayoutEffect(() => {
    latest.current = handler;
  });
  useLayoutEffect(() => {
    if (!router) return;
    const mine: KeyListener = { handle: (input, key) => latest.current(input, key), active: false };
    listener.current = mine;
    const remove = router.add(mine);
    return () => {
      listener.current = null;
      remove();
    };
  }, [router]);
  useLayoutEffect(() => {
    if (router && listener.current) router.setActive(listener.current, isActive);
  }, [router, isActive]);
  useInput(
    (input, key) => {
      for (const [ch, k] of splitKeys(input, key)) handler(ch, k);
    },
    { isActive: router === null && isActive },
  );
}
