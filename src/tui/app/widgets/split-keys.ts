import type { Key } from 'ink';

/** A key with no flag set (what a plain character reports). */
export const NO_KEY: Key = {
  upArrow: false,
  downArrow: false,
  leftArrow: false,
  rightArrow: false,
  pageDown: false,
  pageUp: false,
  home: false,
  end: false,
  return: false,
  escape: false,
  ctrl: false,
  shift: false,
  tab: false,
  backspace: false,
  delete: false,
  meta: false,
  super: false,
  hyper: false,
  capsLock: false,
  numLock: false,
};

/** One character of a plain-text chunk as the key Ink would have reported had it come alone. */
function keyOf(ch: string): [string, Key] {
  if (ch === '\r' || ch === '\n') return ['', { ...NO_KEY, return: true }];
  if (ch === '\t') return ['', { ...NO_KEY, tab: true }];
  if (ch === '\u007f' || ch === '\b') return ['', { ...NO_KEY, backspace: true }];
  const code = ch.codePointAt(0) ?? 0;
  // Ctrl+letter arrives as 0x01-0x1a: Ink reports the letter with ctrl set.
  if (code >= 1 && code <= 26) return [String.fromCharCode(code + 96), { ...NO_KEY, ctrl: true }];
  return [ch, { ...NO_KEY, shift: /[A-Z]/.test(ch) }];
}

/**
 * Ink hands a handler the whole chunk the terminal delivered: keys typed faster than a frame, sent
 * together by tmux or over SSH, arrive as one string ("ll", "jjy", "ben\r"). Escape sequences
 * (arrows, Esc) already come one per event; plain text is split here into its characters, in order,
 * each with the key Ink would have given it alone. Pure, for the tests.
 */
export function splitKeys(input: string, key: Key): [string, Key][] {
  const chars = [...input];
  if (chars.length <= 1 || key.meta || key.escape) return [[input, key]];
  return chars.map(keyOf);
}
