import { stripVTControlCharacters } from 'node:util';
import { describe, expect, it } from 'vitest';
import { navReducer } from '../../src/tui/app/app-state.js';
import { attentionOf, homeReducer, initialHomeState } from '../../src/tui/app/home/home-state.js';
import { reviewLayout } from '../../src/tui/app/review/review-layout.js';
import { duration, initialShootState, scanRate, shootReducer } from '../../src/tui/app/shoot/shoot-state.js';
import { detectCaps } from '../../src/tui/app/terminal/capabilities.js';
import { drawImage, xterm256 } from '../../src/tui/app/terminal/halfblock.js';
import { atCell, itermImage, kittyImage } from '../../src/tui/app/terminal/protocols.js';
import {
  filterOptions,
  initialPickerState,
  pickedOption,
  pickerReducer,
  visibleWindow,
} from '../../src/tui/app/widgets/picker-state.js';
import { flat } from './tui-fixtures.js';

describe('terminal capabilities', () => {
  it('reads colour depth from COLORTERM and TERM; NO_COLOR wins', () => {
    expect(detectCaps({ COLORTERM: 'truecolor', TERM: 'xterm-256color' })).toEqual({
      colour: 'truecolor',
      protocol: 'none',
    });
    expect(detectCaps({ COLORTERM: '24bit' }).colour).toBe('truecolor');
    expect(detectCaps({ TERM: 'xterm-256color' }).colour).toBe('256');
    expect(detectCaps({ TERM: 'xterm' }).colour).toBe('plain');
    expect(detectCaps({ TERM: 'dumb', COLORTERM: 'truecolor' }).colour).toBe('plain');
    expect(detectCaps({ COLORTERM: 'truecolor', NO_COLOR: '1' })).toEqual({ colour: 'plain', protocol: 'none' });
    expect(detectCaps({ COLORTERM: 'truecolor', NO_COLOR: '' }).colour).toBe('truecolor');
  });
  it('uses kitty or iTerm2 images only where the terminal says so, never inside tmux', () => {
    expect(detectCaps({ TERM: 'xterm-kitty' }).protocol).toBe('kitty');
    expect(detectCaps({ KITTY_WINDOW_ID: '3', TERM: 'xterm-256color' }).protocol).toBe('kitty');
    expect(detectCaps({ TERM_PROGRAM: 'iTerm.app' }).protocol).toBe('iterm2');
    expect(detectCaps({ LC_TERMINAL: 'iTerm2' }).protocol).toBe('iterm2');
    expect(detectCaps({ TERM: 'xterm-kitty', TMUX: '/tmp/x' }).protocol).toBe('none');
    expect(detectCaps({ TERM: 'screen-256color', TERM_PROGRAM: 'iTerm.app' }).protocol).toBe('none');
    expect(detectCaps({ TERM_PROGRAM: 'iTerm.app', NO_COLOR: '1' }).protocol).toBe('none');
  });
  it('lets SITTER_IMAGES force a mode', () => {
    expect(detectCaps({ SITTER_IMAGES: '256', COLORTERM: 'truecolor' }).colour).toBe('256');
    expect(detectCaps({ SITTER_IMAGES: 'plain', COLORTERM: 'truecolor' }).colour).toBe('plain');
    expect(detectCaps({ SITTER_IMAGES: 'kitty' })).toEqual({ colour: 'truecolor', protocol: 'kitty' });
  });
});

describe('drawing pictures as text', () => {
  const two = { width: 2, height: 2, data: Uint8Array.from([255, 0, 0, 0, 255, 0, 0, 0, 255, 255, 255, 255]) };
  it('truecolor half blocks: top pixel as foreground, bottom as background', () => {
    const [line] = drawImage(two, 'truecolor');
    expect(line).toBe('\u001b[38;2;255;0;0;48;2;0;0;255m▀\u001b[38;2;0;255;0;48;2;255;255;255m▀\u001b[0m');
  });
  it('every line is exactly as wide as the picture, whatever the colour mode', () => {
    const p = flat(22, 22).pixels;
    for (const mode of ['truecolor', '256', 'plain'] as const) {
      const lines = drawImage(p, mode);
      expect(lines).toHaveLength(11);
      for (const l of lines) expect(stripVTControlCharacters(l)).toHaveLength(22);
    }
  });
  it('an odd height repeats the last row below', () => {
    expect(drawImage({ width: 1, height: 3, data: new Uint8Array(9) }, 'truecolor')).toHaveLength(2);
  });
  it('repeats no colour code for runs of the same colour', () => {
    const [line] = drawImage(flat(5, 2).pixels, 'truecolor');
    expect(line!.split('\u001b[')).toHaveLength(3);
  });
  it('256 colours: the cube and the grey ramp', () => {
    expect(xterm256(255, 0, 0)).toBe(196);
    expect(xterm256(0, 0, 0)).toBe(16);
    expect(xterm256(128, 128, 128)).toBe(244);
    expect(drawImage(two, '256')[0]).toContain('38;5;196');
  });
  it('plain: brightness as characters, no escape codes', () => {
    const lines = drawImage(
      { width: 2, height: 2, data: Uint8Array.from([0, 0, 0, 255, 255, 255, 0, 0, 0, 255, 255, 255]) },
      'plain',
    );
    expect(lines).toEqual([' @']);
  });
});

describe('image protocols', () => {
  it('kitty: chunks of base64, the first carrying the size in cells', () => {
    const seq = kittyImage(new Uint8Array(5000), 20, 10, 7);
    expect(seq.startsWith('\u001b_Ga=T,f=100,i=7,c=20,r=10,C=1,q=2,m=1;')).toBe(true);
    expect(seq.endsWith('\u001b\\')).toBe(true);
    expect(seq.split('\u001b_G')).toHaveLength(3);
  });
  it('iTerm2: one OSC 1337 sequence sized in cells; placed at a cell with the cursor restored', () => {
    expect(itermImage(Uint8Array.from([1, 2, 3]), 4, 2)).toBe(
      '\u001b]1337;File=inline=1;size=3;width=4;height=2;preserveAspectRatio=1:AQID\u0007',
    );
    expect(atCell(1, 2, 'X')).toBe('\u001b7\u001b[2;3HX\u001b8');
  });
});

describe('review layout', () => {
  it('fits two square pictures and the details at 80x24, one row short of the screen', () => {
    const l = reviewLayout(80, 24);
    expect(l).toMatchObject({ pictureCols: 22, pictureRows: 11, showReference: true, bodyRows: 19 });
    expect(2 * (l.pictureCols + 3) + l.detailsWidth).toBe(80);
  });
  it('drops the reference photo, then pictures altogether, as the terminal shrinks', () => {
    expect(reviewLayout(50, 16)).toMatchObject({ showReference: false, pictureRows: 8 });
    expect(reviewLayout(30, 10).pictureCols).toBe(0);
  });
  it('uses the room a big terminal has: 200x60 gives two 82x41-cell pictures (82x82 px), not 16 rows', () => {
    expect(reviewLayout(200, 60)).toMatchObject({ pictureCols: 82, pictureRows: 41, showReference: true });
    const l = reviewLayout(200, 60);
    expect(2 * (l.pictureCols + 3) + l.detailsWidth).toBe(200);
    // a very tall terminal: limited by the width left for the details, then by the cap
    expect(reviewLayout(400, 200).pictureRows).toBe(48);
    expect(reviewLayout(120, 80).pictureRows).toBe(21);
  });
});

describe('picker (type to filter)', () => {
  const options = [
    { value: 'P1', label: 'Ada Model' },
    { value: 'P2', label: 'Ben Stand-in' },
    { value: 'P4', label: 'Bea Other' },
  ];
  it('filters by every typed word, in the name or the id, ignoring case', () => {
    expect(filterOptions(options, 'be').map((o) => o.value)).toEqual(['P2', 'P4']);
    expect(filterOptions(options, 'BEN stand').map((o) => o.value)).toEqual(['P2']);
    expect(filterOptions(options, 'p4').map((o) => o.value)).toEqual(['P4']);
    expect(filterOptions(options, '').length).toBe(3);
  });
  it('types, erases and moves the highlight within the matches', () => {
    let s = initialPickerState(options);
    s = pickerReducer(s, { type: 'type', text: 'b' });
    expect(s.matches).toHaveLength(2);
    s = pickerReducer(s, { type: 'move', by: 5 });
    expect(pickedOption(s)?.value).toBe('P4');
    s = pickerReducer(s, { type: 'type', text: 'en' });
    expect(pickedOption(s)?.value).toBe('P2');
    // escape sequences and punctuation never reach the query
    expect(pickerReducer(s, { type: 'type', text: '\u001b[' }).query).toBe('ben');
    s = pickerReducer(initialPickerState(options), { type: 'type', text: 'zz' });
    expect(pickedOption(s)).toBeUndefined();
    expect(pickerReducer(s, { type: 'erase' }).query).toBe('z');
  });
  it('shows a window that keeps the highlight visible', () => {
    const many = Array.from({ length: 30 }, (_, i) => ({ value: `P${i}`, label: `Person ${i}` }));
    const s = pickerReducer(initialPickerState(many), { type: 'move', by: 20 });
    const w = visibleWindow(s, 5);
    expect(w.items.map((o) => o.value)).toContain('P20');
    expect(w.items).toHaveLength(5);
  });
});

describe('home, shoot and navigation state', () => {
  it('home keeps the selection inside the list', () => {
    const data = { shoots: [{}, {}] as never, audit: { ok: true as const, count: 1 } };
    let s = homeReducer(initialHomeState, { type: 'loaded', data });
    s = homeReducer(s, { type: 'move', by: 5 });
    expect(s.selected).toBe(1);
    s = homeReducer(s, { type: 'move', by: -9 });
    expect(s.selected).toBe(0);
  });
  it('lists what needs attention in a shoot', () => {
    const row = {
      shoot: { id: 's1' },
      attention: {
        retentionDue: true,
        retentionEndsAt: new Date('2026-05-01T00:00:00Z'),
        expiringConsents: [{ ref: 'P1', name: 'Ada', expiresAt: new Date('2026-06-10T00:00:00Z') }],
      },
      report: { assets: { failed: 2, withUnidentified: 1 } },
    } as never;
    expect(attentionOf(row)).toEqual([
      'retention ended 2026-05-01: close the shoot (sitter shoot close s1 --yes)',
      '1 consent expiring within 30 days: P1 2026-06-10',
      '2 assets failed to scan',
      '1 photo with an unidentified person: handle manually',
    ]);
  });
  it('the approval form types into the selected field and ignores control characters', () => {
    let s = shootReducer(initialShootState, { type: 'approve-open', approver: 'dana' });
    s = shootReducer(s, { type: 'approve-type', text: 'DPIA-7\u0007' });
    s = shootReducer(s, { type: 'approve-field' });
    s = shootReducer(s, { type: 'approve-erase' });
    expect(s.mode).toEqual({ kind: 'approve', field: 1, dpia: 'DPIA-7', approver: 'dan' });
    expect(shootReducer(s, { type: 'cancel' }).mode).toEqual({ kind: 'view' });
  });
  it('a running job cannot be cancelled away, only stopped', () => {
    let s = shootReducer(initialShootState, { type: 'job-start', job: 'scan', now: 0 });
    s = shootReducer(s, { type: 'cancel' });
    expect(s.mode.kind).toBe('running');
    s = shootReducer(s, { type: 'job-stopping' });
    expect(s.mode).toMatchObject({ kind: 'running', stopping: true });
  });
  it('scan rate and ETA from progress', () => {
    expect(scanRate({ total: 100, done: 8, skipped: 2, failed: 0 }, 0, 5000)).toEqual({ perSecond: 2, etaSeconds: 45 });
    expect(scanRate({ total: 100, done: 0, skipped: 0, failed: 0 }, 0, 5000)).toBeNull();
    expect(duration(45)).toBe('45s');
    expect(duration(125)).toBe('2m 05s');
    expect(duration(7260)).toBe('2h 01m');
  });
  it('navigation is a stack that never pops its first screen', () => {
    let s = navReducer([{ kind: 'home' }], { type: 'push', screen: { kind: 'review', shootId: 'x' } });
    expect(s.at(-1)).toEqual({ kind: 'review', shootId: 'x' });
    s = navReducer(navReducer(s, { type: 'pop' }), { type: 'pop' });
    expect(s).toEqual([{ kind: 'home' }]);
  });
});
