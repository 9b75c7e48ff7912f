import type { ColourDepth } from './capabilities.js';
import type { Pixels } from './pixels.js';

/**
 * Draws an image as terminal text: each character cell shows two pixels stacked, the upper half
 * block "▀" painted with the top pixel as foreground and the bottom one as background. A cell is
 * about twice as tall as wide, so the pixels come out square. Every line is exactly `width`
 * columns wide and ends with a reset, so nothing bleeds into the next cell or wraps.
 */
export function drawImage(p: Pixels, colour: ColourDepth): string[] {
  const rows = Math.ceil(p.height / 2);
  const lines: string[] = [];
  for (let row = 0; row < rows; row++) {
    const top = row * 2;
    const bottom = Math.min(top + 1, p.height - 1);
    lines.push(colour === 'plain' ? plainLine(p, top, bottom) : colourLine(p, top, bottom, colour));
  }
  return lines;
}

function px(p: Pixels, x: number, y: number): [number, number, number] {
  const i = (y * p.width + x) * 3;
  return [p.data[i] ?? 0, p.data[i + 1] ?? 0, p.data[i + 2] ?? 0];
}

function colourLine(p: Pixels, top: number, bottom: number, colour: ColourDepth): string {
  let out = '';
  let lastFg = '';
  let lastBg = '';
  for (let x = 0; x < p.width; x++) {
    const fg = colour === 'truecolor' ? `38;2;${px(p, x, top).join(';')}` : `38;5;${xterm256(...px(p, x, top))}`;
    const bg = colour === 'truecolor' ? `48;2;${px(p, x, bottom).join(';')}` : `48;5;${xterm256(...px(p, x, bottom))}`;
    // Only emit what changed since the previous cell: a smaller frame draws faster.
    const codes = [fg !== lastFg ? fg : '', bg !== lastBg ? bg : ''].filter(Boolean).join(';');
    out += codes ? `\u001b[${codes}m▀` : '▀';
    lastFg = fg;
    lastBg = bg;
  }
  return `${out}\u001b[0m`;
}

/** Darkest to brightest; one character per cell (two pixels averaged), for NO_COLOR and dumb terminals. */
const RAMP = ' .:-=+*#%@';

function plainLine(p: Pixels, top: number, bottom: number): string {
  let out = '';
  for (let x = 0; x < p.width; x++) {
    const l = (luma(...px(p, x, top)) + luma(...px(p, x, bottom))) / 2;
    out += RAMP[Math.min(RAMP.length - 1, Math.floor((l / 256) * RAMP.length))];
  }
  return out;
}

function luma(r: number, g: number, b: number): number {
  return 0.2126 * r + 0.7152 * g + 0.0722 * b;
}

const CUBE = [0, 95, 135, 175, 215, 255];

function nearestCube(v: number): number {
  let best = 0;
  for (let i = 1; i < CUBE.length; i++) if (Math.abs(CUBE[i]! - v) < Math.abs(CUBE[best]! - v)) best = i;
  return best;
}

/** The nearest of the xterm 256-colour palette: the 6x6x6 cube or the 24-step grey ramp. */
export function xterm256(r: number, g: number, b: number): number {
  const ri = nearestCube(r);
  const gi = nearestCube(g);
  const bi = nearestCube(b);
  const cube = 16 + 36 * ri + 6 * gi + bi;
  const cubeErr = (CUBE[ri]! - r) ** 2 + (CUBE[gi]! - g) ** 2 + (CUBE[bi]! - b) ** 2;
  const avg = (r + g + b) / 3;
  const greyIndex = Math.max(0, Math.min(23, Math.round((avg - 8) / 10)));
  const grey = 8 + greyIndex * 10;
  const greyErr = (grey - r) ** 2 + (grey - g) ** 2 + (grey - b) ** 2;
  return greyErr < cubeErr ? 232 + greyIndex : cube;
}
