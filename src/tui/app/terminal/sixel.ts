import type { Pixels } from './pixels.js';

/**
 * A small sixel encoder (DEC VT340 graphics, drawn by xterm, foot, WezTerm, mlterm): the picture is
 * quantised to a fixed 6x6x6 colour cube (216 registers: enough to judge a face, and no palette
 * search per frame), then written band by band, six pixel rows per band, one pass per colour
 * present in the band, runs compressed with `!n`. Pure; the tests decode its output back.
 */

const LEVELS = 6;

/** The cube index (0-215) of a colour: the nearest of six levels per channel. */
export function cubeIndex(r: number, g: number, b: number): number {
  const q = (v: number) => Math.min(LEVELS - 1, Math.round((v / 255) * (LEVELS - 1)));
  return q(r) * 36 + q(g) * 6 + q(b);
}

/** A register's colour as sixel's percentages (0-100). */
export function cubePercent(index: number): [number, number, number] {
  const level = (i: number) => Math.round((i / (LEVELS - 1)) * 100);
  return [level(Math.floor(index / 36)), level(Math.floor(index / 6) % 6), level(index % 6)];
}

function run(char: string, n: number): string {
  return n > 3 ? `!${n}${char}` : char.repeat(n);
}

export function sixelImage(p: Pixels): string {
  const { width, height, data } = p;
  const colours = new Uint8Array(width * height);
  const used = new Set<number>();
  for (let i = 0; i < width * height; i++) {
    const c = cubeIndex(data[i * 3] ?? 0, data[i * 3 + 1] ?? 0, data[i * 3 + 2] ?? 0);
    colours[i] = c;
    used.add(c);
  }
  // DCS P1=0 (aspect 2:1 as set by raster attributes), P2=1 (unset pixels keep the background), q
  let out = `\u001bP0;1;0q"1;1;${width};${height}`;
  for (const c of [...used].sort((a, b) => a - b)) out += `#${c};2;${cubePercent(c).join(';')}`;
  for (let top = 0; top < height; top += 6) {
    const rows = Math.min(6, height - top);
    const bands = new Map<number, Uint8Array>();
    for (let dy = 0; dy < rows; dy++)
      for (let x = 0; x < width; x++) {
        const c = colours[(top + dy) * width + x]!;
        let bits = bands.get(c);
        if (!bits) bands.set(c, (bits = new Uint8Array(width)));
        bits[x]! |= 1 << dy;
      }
    const passes: string[] = [];
    for (const [c, bits] of bands) {
      let line = `#${c}`;
      let prev = -1;
      let count = 0;
      for (let x = 0; x <= width; x++) {
        const v = x < width ? bits[x]! : -1;
        if (v === prev) count += 1;
        else {
          if (count) line += run(String.fromCharCode(63 + prev), count);
          prev = v;
          count = 1;
        }
      }
      passes.push(line);
    }
    out += passes.join('$') + '-';
  }
  return `${out}\u001b\\`;
}
