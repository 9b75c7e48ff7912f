import { describe, expect, it } from 'vitest';
import type { Key } from 'ink';
import { picturePixels } from '../../src/tui/app/review/review-layout.js';
import {
  initialReviewState,
  queuePosition,
  reviewReducer,
  type ReviewState,
} from '../../src/tui/app/review/review-state.js';
import { cellPixels, detectCaps } from '../../src/tui/app/terminal/capabilities.js';
import { cubeIndex, cubePercent, sixelImage } from '../../src/tui/app/terminal/sixel.js';
import { KeyRouter, type KeyListener } from '../../src/tui/app/widgets/key-router.js';
import { NO_KEY, splitKeys } from '../../src/tui/app/widgets/use-keys.js';
import type { Pixels } from '../../src/tui/app/terminal/pixels.js';
import type { QueueSnapshot } from '../../src/tui/app/gateway.js';

const NONE: Key = NO_KEY;

describe('splitting an input chunk into keys', () => {
  it('gives each character of a chunk, in order, with the key Ink gives it alone', () => {
    const keys = splitKeys('jjyG', NONE).map(([input, key]) => [input, key.shift]);
    expect(keys).toEqual([
      ['j', false],
      ['j', false],
      ['y', false],
      ['G', true],
    ]);
  });
  it('turns Enter, Backspace, Tab and Ctrl+letter inside a chunk into their keys', () => {
    const keys = splitKeys('ben\r\u007f\t\u0003', NONE);
    expect(keys.map(([i]) => i)).toEqual(['b', 'e', 'n', '', '', '', 'c']);
    expect(keys[3]![1].return).toBe(true);
    expect(keys[4]![1].backspace).toBe(true);
    expect(keys[5]![1].tab).toBe(true);
    expect(keys[6]![1].ctrl).toBe(true);
  });
  it('leaves a single key, an escape sequence and a non-BMP character alone', () => {
    expect(splitKeys('y', NONE)).toEqual([['y', NONE]]);
    const up = { ...NONE, upArrow: true };
    expect(splitKeys('', up)).toEqual([['', up]]);
    const meta = { ...NONE, meta: true };
    expect(splitKeys('[A', meta)).toEqual([['[A', meta]]);
    expect(splitKeys('😀', NONE)).toHaveLength(1);
  });
});

describe("the app's key router: one listener that outlives the screens", () => {
  const listener = (got: string[], name: string): KeyListener => ({
    handle: (input) => void got.push(`${name}:${input}`),
    active: false,
  });

  it('hands each key of a chunk, in order, to the active screen only', () => {
    const router = new KeyRouter();
    const got: string[] = [];
    const home = listener(got, 'home');
    const picker = listener(got, 'picker');
    router.add(home);
    router.add(picker);
    router.setActive(home, true);
    router.dispatch('jk', NONE);
    expect(got).toEqual(['home:j', 'home:k']);
  });

  it('keeps a key typed between one screen leaving and the next one committing, for the next screen', () => {
    const router = new KeyRouter();
    const got: string[] = [];
    const home = listener(got, 'home');
    const removeHome = router.add(home);
    router.setActive(home, true);
    router.dispatch('', { ...NONE, return: true }); // Enter opens the shoot: home unmounts
    removeHome();
    router.dispatch('?', NONE); // typed at once, before the shoot screen has committed
    router.dispatch('x', NONE);
    const shoot = listener(got, 'shoot');
    router.add(shoot);
    expect(got).toEqual(['home:']); // an inactive listener is handed nothing
    router.setActive(shoot, true);
    expect(got).toEqual(['home:', 'shoot:?', 'shoot:x']);
  });
});

function snapshot(items: { participant: string; name: string; file: string }[]): QueueSnapshot {
  return {
    shoot: { id: 's', reviewersRequired: 1 },
    items: items.map((it, i) => ({
      asset: { file: it.file, assetRef: it.file, faces: [] },
      face: { face: i + 1, participant: it.participant, participantName: it.name, state: 'proposed', confirmedBy: [] },
      certainty: i,
    })),
    participants: {},
    eligible: [],
  } as unknown as QueueSnapshot;
}

describe('review queue: filter, first / last, position', () => {
  const loaded = (): ReviewState =>
    reviewReducer(initialReviewState('A'), {
      type: 'loaded',
      snapshot: snapshot([
        { participant: 'P1', name: 'Ada Model', file: 'day1/a.jpg' },
        { participant: 'P2', name: 'Ben Stand-in', file: 'day1/b.jpg' },
        { participant: 'P1', name: 'Ada Model', file: 'day2/c.jpg' },
        { participant: 'P2', name: 'Ben Stand-in', file: 'day2/d.jpg' },
      ]),
    });

  it('says where the face on screen stands among those left ("2 / 4")', () => {
    let s = loaded();
    expect(queuePosition(s)).toEqual({ at: 1, of: 4 });
    s = reviewReducer(s, { type: 'move', by: 1 });
    expect(queuePosition(s)).toEqual({ at: 2, of: 4 });
    s = reviewReducer(s, { type: 'decide', face: 2 });
    expect(queuePosition(s)).toEqual({ at: 2, of: 3 });
  });

  it('g / G go to the first / last face still to decide', () => {
    let s = reviewReducer(loaded(), { type: 'jump', to: 'last' });
    expect(s.cursor).toBe(3);
    s = reviewReducer(s, { type: 'decide', face: 4 });
    s = reviewReducer(s, { type: 'jump', to: 'last' });
    expect(s.cursor).toBe(2);
    s = reviewReducer(s, { type: 'jump', to: 'first' });
    expect(s.cursor).toBe(0);
  });

  it('/ filters by participant name or id, file and state; moves stay inside; clearing shows all', () => {
    let s = reviewReducer(loaded(), { type: 'filter', query: 'ben' });
    expect(s.cursor).toBe(1);
    expect(queuePosition(s)).toEqual({ at: 1, of: 2 });
    s = reviewReducer(s, { type: 'move', by: 1 });
    expect(s.cursor).toBe(3);
    s = reviewReducer(s, { type: 'move', by: 1 });
    expect(s.cursor).toBe(1);
    expect(reviewReducer(s, { type: 'filter', query: 'day2 p1' }).cursor).toBe(2);
    expect(queuePosition(reviewReducer(s, { type: 'filter', query: 'proposed' })).of).toBe(4);
    const none = reviewReducer(s, { type: 'filter', query: 'nobody' });
    expect(none.cursor).toBe(-1);
    expect(queuePosition(none)).toEqual({ at: 0, of: 0 });
    s = reviewReducer(s, { type: 'decide', face: 2 }); // the next face shown is the next Ben
    expect(s.cursor).toBe(3);
    s = reviewReducer(s, { type: 'filter', query: '' });
    expect(s.shown).toBeNull();
    expect(queuePosition(s)).toEqual({ at: 3, of: 3 });
  });
});

describe('picture size', () => {
  it('two pixels a cell for half blocks, the cell pixels for image protocols (square either way)', () => {
    expect(picturePixels(82, 41, 'none')).toEqual({ w: 82, h: 82 });
    expect(picturePixels(22, 11, 'sixel')).toEqual({ w: 176, h: 176 });
    expect(picturePixels(22, 11, 'kitty', { w: 10, h: 20 })).toEqual({ w: 220, h: 220 });
    // capped: a huge box is drawn smaller, never past its border
    expect(picturePixels(96, 48, 'sixel')).toEqual({ w: 768, h: 768 });
  });
  it('reads the cell size from SITTER_CELL, else 8x16', () => {
    expect(cellPixels({})).toEqual({ w: 8, h: 16 });
    expect(cellPixels({ SITTER_CELL: '10x20' })).toEqual({ w: 10, h: 20 });
    expect(cellPixels({ SITTER_CELL: 'big' })).toEqual({ w: 8, h: 16 });
  });
});

describe('sixel', () => {
  it('is detected on foot, WezTerm, mlterm and xterm, never inside tmux, and can be forced or turned off', () => {
    expect(detectCaps({ TERM: 'foot' }).protocol).toBe('sixel');
    expect(detectCaps({ TERM: 'xterm-256color', TERM_PROGRAM: 'WezTerm' }).protocol).toBe('sixel');
    expect(detectCaps({ TERM: 'mlterm' }).protocol).toBe('sixel');
    expect(detectCaps({ TERM: 'xterm', XTERM_VERSION: 'XTerm(390)' }).protocol).toBe('sixel');
    expect(detectCaps({ TERM: 'foot', TMUX: '/tmp/tmux-0/default,1,0' }).protocol).toBe('none');
    expect(detectCaps({ TERM: 'screen-256color', TERM_PROGRAM: 'WezTerm' }).protocol).toBe('none');
    expect(detectCaps({ TERM: 'xterm-256color' }).protocol).toBe('none');
    expect(detectCaps({ SITTER_IMAGES: 'sixel' })).toEqual({ colour: 'truecolor', protocol: 'sixel' });
    expect(detectCaps({ TERM: 'foot', COLORTERM: 'truecolor', SITTER_IMAGES: 'halfblock' })).toEqual({
      colour: 'truecolor',
      protocol: 'none',
    });
  });

  /** A minimal sixel decoder (DCS … q, raster attributes, #n;2;r;g;b, #n, !n, $, -) for the test. */
  function decode(seq: string): { width: number; height: number; px: Map<string, number> } {
    expect(seq.startsWith('\u001bP0;1;0q')).toBe(true);
    expect(seq.endsWith('\u001b\\')).toBe(true);
    const body = seq.slice('\u001bP0;1;0q'.length, -2);
    const raster = /^"1;1;(\d+);(\d+)/.exec(body)!;
    let i = raster[0].length;
    const palette = new Map<number, [number, number, number]>();
    const px = new Map<string, number>();
    let colour = 0;
    let x = 0;
    let band = 0;
    const num = () => {
      const m = /^\d+/.exec(body.slice(i))!;
      i += m[0].length;
      return Number(m[0]);
    };
    while (i < body.length) {
      const c = body[i]!;
      if (c === '#') {
        i += 1;
        const n = num();
        if (body[i] === ';') {
          i += 3; // ";2;"
          const r = num();
          i += 1;
          const g = num();
          i += 1;
          const b = num();
          palette.set(n, [r, g, b]);
        }
        colour = n;
      } else if (c === '$') {
        x = 0;
        i += 1;
      } else if (c === '-') {
        x = 0;
        band += 1;
        i += 1;
      } else {
        let count = 1;
        if (c === '!') {
          i += 1;
          count = num();
        }
        const bits = body.charCodeAt(i) - 63;
        i += 1;
        for (let k = 0; k < count; k++, x++)
          for (let dy = 0; dy < 6; dy++) if (bits & (1 << dy)) px.set(`${x},${band * 6 + dy}`, colour);
      }
    }
    expect([...palette.keys()].every((k) => k >= 0 && k < 216)).toBe(true);
    return { width: Number(raster[1]), height: Number(raster[2]), px };
  }

  it('encodes a picture that decodes back to every pixel in its colour register', () => {
    const width = 13;
    const height = 9; // not a multiple of six: the last band is partial
    const data = new Uint8Array(width * height * 3);
    const colourAt = (x: number, y: number): [number, number, number] =>
      x < 5 ? [255, 0, 0] : y < 4 ? [0, 0, 255] : [(x * 20) % 256, (y * 30) % 256, 128];
    for (let y = 0; y < height; y++) for (let x = 0; x < width; x++) data.set(colourAt(x, y), (y * width + x) * 3);
    const p: Pixels = { width, height, data };
    const out = decode(sixelImage(p));
    expect(out).toMatchObject({ width, height });
    expect(out.px.size).toBe(width * height);
    for (let y = 0; y < height; y++)
      for (let x = 0; x < width; x++) expect(out.px.get(`${x},${y}`)).toBe(cubeIndex(...colourAt(x, y)));
    expect(cubePercent(cubeIndex(255, 0, 0))).toEqual([100, 0, 0]);
    // runs are compressed: a row of 5 red pixels is "!5" in the first band
    expect(sixelImage(p)).toContain(`#${cubeIndex(255, 0, 0)}!5~`);
  });
});
