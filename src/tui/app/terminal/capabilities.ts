/**
 * What the terminal can draw, read from the environment only (no probing escape sequences, which
 * would race with key input). Colour: truecolor when COLORTERM says so, 256 colours when TERM does,
 * else plain characters; NO_COLOR always wins (https://no-color.org). Image protocols (kitty, iTerm2,
 * sixel) only when the terminal names itself, and never inside tmux/screen (they would need
 * passthrough, which tmux leaves off by default). Sixel: foot (TERM=foot*), WezTerm
 * (TERM_PROGRAM=WezTerm), mlterm (TERM=mlterm or MLTERM set) and xterm (XTERM_VERSION, which xterm
 * sets; its sixel support needs `-ti vt340`, so SITTER_IMAGES=halfblock turns it off).
 */

export type ColourDepth = 'truecolor' | '256' | 'plain';
export type ImageProtocol = 'kitty' | 'iterm2' | 'sixel' | 'none';

export interface TerminalCaps {
  colour: ColourDepth;
  protocol: ImageProtocol;
  /** pixels per cell, for the protocols that draw pixels (see cellPixels) */
  cell?: { w: number; h: number };
}

type Env = Record<string, string | undefined>;

/**
 * Reads the capabilities from `env`. `SITTER_IMAGES` forces a mode for people whose terminal
 * under-reports (or over-reports) itself: `truecolor`, `256`, `plain`, `kitty`, `iterm2`, `sixel`, or
 * `halfblock` (colour as detected, no image protocol).
 */
export function detectCaps(env: Env): TerminalCaps {
  const noColour = env.NO_COLOR !== undefined && env.NO_COLOR !== '';
  const forced = env.SITTER_IMAGES?.toLowerCase();
  if (forced === 'plain' || forced === 'none') return { colour: 'plain', protocol: 'none' };
  if (forced === 'truecolor' || forced === '256') return { colour: noColour ? 'plain' : forced, protocol: 'none' };
  if (forced === 'kitty' || forced === 'iterm2' || forced === 'sixel')
    return { colour: noColour ? 'plain' : 'truecolor', protocol: noColour ? 'none' : forced };

  const term = (env.TERM ?? '').toLowerCase();
  if (noColour || term === 'dumb') return { colour: 'plain', protocol: 'none' };
  const colourterm = (env.COLORTERM ?? '').toLowerCase();
  const colour: ColourDepth =
    colourterm === 'truecolor' || colourterm === '24bit' ? 'truecolor' : term.includes('256color') ? '256' : 'plain';
  const multiplexed = Boolean(env.TMUX) || term.startsWith('screen') || term.startsWith('tmux');
  let protocol: ImageProtocol = 'none';
  if (!multiplexed) {
    if (term === 'xterm-kitty' || env.KITTY_WINDOW_ID) protocol = 'kitty';
    else if (env.TERM_PROGRAM === 'iTerm.app' || env.LC_TERMINAL === 'iTerm2') protocol = 'iterm2';
    else if (speaksSixel(env, term)) protocol = 'sixel';
  }
  if (forced === 'halfblock') protocol = 'none';
  return { colour: protocol === 'none' ? colour : 'truecolor', protocol };
}

function speaksSixel(env: Env, term: string): boolean {
  return (
    term.startsWith('foot') ||
    term.startsWith('mlterm') ||
    Boolean(env.MLTERM) ||
    env.TERM_PROGRAM === 'WezTerm' ||
    Boolean(env.XTERM_VERSION)
  );
}

/** Pixels per character cell, for the protocols that draw pixels (a common 8x16 unless SITTER_CELL=WxH says). */
export function cellPixels(env: Env): { w: number; h: number } {
  const m = /^(\d{1,2})x(\d{1,3})$/.exec(env.SITTER_CELL ?? '');
  return m ? { w: Math.max(1, Number(m[1])), h: Math.max(2, Number(m[2])) } : { w: 8, h: 16 };
}
