/**
 * The app's one way keys reach its screens: a single input listener at the root, which stays mounted
 * from the first frame to the last, hands each key to the screens' handlers (`useKeys`). Screens
 * come and go; the listener does not, so a key typed right after a screen switch is never read by
 * no one. A key that arrives while no handler is active (between one screen's unmounting and the
 * next one's commit) waits for the next handler that becomes active, in order.
 */
import type { Key } from 'ink';
import { createContext } from 'react';
import { splitKeys } from './split-keys.js';

export type KeyHandler = (input: string, key: Key) => void;

/** One `useKeys` of a mounted component. */
export interface KeyListener {
  handle: KeyHandler;
  active: boolean;
}

/** Keys kept while nobody listens: a burst typed during a switch, not a paste of a novel. */
const MAX_WAITING = 64;

export class KeyRouter {
  private readonly listeners: KeyListener[] = [];
  private readonly waiting: [string, Key][] = [];

  /** Registers a listener (inactive until `setActive`); returns its removal. */
  add(listener: KeyListener): () => void {
    this.listeners.push(listener);
    return () => {
      const i = this.listeners.indexOf(listener);
      if (i >= 0) this.listeners.splice(i, 1);
    };
  }

  setActive(listener: KeyListener, active: boolean): void {
    listener.active = active;
    if (active) this.deliverWaiting();
  }

  /** One chunk as Ink reports it: each of its keys, in order. */
  dispatch(input: string, key: Key): void {
    for (const one of splitKeys(input, key)) this.deliver(one);
  }

  private deliver([input, key]: [string, Key]): void {
    const active = this.listeners.filter((l) => l.active);
    if (active.length === 0) {
      if (this.waiting.length < MAX_WAITING) this.waiting.push([input, key]);
      return;
    }
    for (const l of active) l.handle(input, key);
  }

  private deliverWaiting(): void {
    while (this.waiting.length > 0 && this.listeners.some((l) => l.active)) this.deliver(this.waiting.shift()!);
  }
}

/** The app's router; null outside `KeyRouterProvider` (a screen rendered alone). */
export const KeyRouterContext = createContext<KeyRouter | null>(null);
