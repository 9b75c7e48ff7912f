/**
 * What the terminal can draw, read from the environment only (no probing escape sequences, which
 * would race with key input). Colour: truecolor when COLORTERM says so, 256 colours when TERM does,
 * else plain characters; NO_COLOR always wins (https://no-color.org). Image protocols (kitty, iTerm2)
 * only when the terminal names itself, and never inside tmux/screen (they would need passthrough).
 */

export type ColourDepth = 'truecolor' | '256' | 'plain';
export type ImageProtocol = 'kitty' | 'iterm2' | 'none';

export interface TerminalCaps {
  colour: ColourDepth;
  protocol: ImageProtocol;
}

type Env = Record<string, string | undefined>;

/**
 * Reads the capabilities from `env`. `SITTER_IMAGES` forces a mode for people whose terminal
 * under-reports itself: `truecolor`, `256`, `plain`, `kitty` or `iterm2`.
 */
export function detectCaps(env: Env): TerminalCaps {
  const noColour = env.NO_COLOR !== undefined && env.NO_COLOR !== '';
  const forced = env.SITTER_IMAGES?.toLowerCase();
  if (forced === 'plain' || forced === 'none') return { colour: 'plain', protocol: 'none' };
  if (forced === 'truecolor' || forced === '256') return { colour: noColour ? 'plain' : forced, protocol: 'none' };
  if (forced === 'kitty' || forced === 'iterm2')
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
  }
  return { colour: protocol === 'none' ? colour : 'truecolor', protocol };
}
