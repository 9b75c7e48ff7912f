import { useInput } from 'ink';
import { type ReactNode, useMemo } from 'react';
import { KeyRouter, KeyRouterContext } from './key-router.js';

/** The app's root input listener (key-router.ts): mounted once, around every screen. */
export function KeyRouterProvider({ children }: { children: ReactNode }) {
  const router = useMemo(() => new KeyRouter(), []);
  useInput((input, key) => router.dispatch(input, key));
  return <KeyRouterContext.Provider value={router}>{children}</KeyRouterContext.Provider>;
}
