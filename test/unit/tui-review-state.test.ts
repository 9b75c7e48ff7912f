import { describe, expect, it } from 'vitest';
import {
  bulkCount,
  currentItem,
  DONE,
  initialReviewState,
  nextOpen,
  OPEN,
  parseScore,
  reviewReducer,
  SKIPPED,
  upcoming,
  type ReviewEvent,
  type ReviewState,
} from '../../src/tui/app/review/review-state.js';
import { outcome, threeFaces } from './tui-fixtures.js';

const run = (events: ReviewEvent[], s: ReviewState = initialReviewState('A')) => events.reduce(reviewReducer, s);
const loaded = (reviewers: 1 | 2 = 1) => run([{ type: 'loaded', snapshot: threeFaces(reviewers) }]);
const faceOnScreen = (s: ReviewState) => currentItem(s)?.face.face;

describe('review queue state', () => {
  it('starts on the first (most uncertain) proposal with everything left', () => {
    const s = loaded();
    expect(faceOnScreen(s)).toBe(1);
    expect(s.left).toBe(3);
    expect(s.loading).toBe(false);
  });

  it('moves on at once when a decision is sent, and counts it pending until the service answers', () => {
    let s = run([{ type: 'decide', face: 1 }], loaded());
    expect(faceOnScreen(s)).toBe(2);
    expect(s.left).toBe(2);
    expect(s.pending).toBe(1);
    s = reviewReducer(s, { type: 'decided', outcome: outcome(1), reviewersRequired: 1 });
    expect(s.pending).toBe(0);
    expect(s.notice).toEqual({ tone: 'success', text: 'Confirmed P1 on face 1.' });
  });

  it('brings a refused face back on screen with the reason (e.g. SAME_REVIEWER)', () => {
    let s = run([{ type: 'decide', face: 1 }], loaded(2));
    s = reviewReducer(s, { type: 'decide-failed', face: 1, message: 'A has already confirmed face 1 [SAME_REVIEWER]' });
    expect(faceOnScreen(s)).toBe(1);
    expect(s.left).toBe(3);
    expect(s.pending).toBe(0);
    expect(s.notice?.tone).toBe('error');
    expect(s.notice?.text).toMatch(/SAME_REVIEWER/);
  });

  it('says how many reviewers a two-person confirmation has', () => {
    const s = run(
      [
        { type: 'decide', face: 1 },
        { type: 'decided', outcome: outcome(1, { state: 'proposed', confirmedBy: ['A'] }), reviewersRequired: 2 },
      ],
      loaded(2),
    );
    expect(s.notice?.text).toBe('Confirmed P1 on face 1: 1 of 2 reviewers; it needs a second, different reviewer.');
    const done = run(
      [{ type: 'decided', outcome: outcome(1, { confirmedBy: ['A', 'B'] }), reviewersRequired: 2 }],
      loaded(2),
    );
    expect(done.notice?.text).toBe('Confirmed P1 on face 1 (confirmed by A and B).');
  });

  it('tells a rejection apart and promises it is not proposed again', () => {
    const s = run(
      [
        { type: 'decide', face: 1 },
        {
          type: 'decided',
          outcome: outcome(1, { action: 'reject', state: 'rejected', confirmedBy: [] }),
          reviewersRequired: 1,
        },
      ],
      loaded(),
    );
    expect(s.notice?.text).toBe('Rejected P1 on face 1: it will not be proposed again.');
  });

  it('skips to the next one and brings skipped ones back once the rest are done', () => {
    let s = run([{ type: 'skip' }], loaded());
    expect(faceOnScreen(s)).toBe(2);
    expect(s.left).toBe(3);
    s = run(
      [
        { type: 'decide', face: 2 },
        { type: 'decide', face: 3 },
      ],
      s,
    );
    expect(faceOnScreen(s)).toBe(1);
    expect(s.left).toBe(1);
    s = run([{ type: 'decide', face: 1 }], s);
    expect(s.cursor).toBe(-1);
    expect(s.left).toBe(0);
  });

  it('undo puts the face back on screen as open', () => {
    let s = run(
      [
        { type: 'decide', face: 1 },
        { type: 'decide', face: 2 },
      ],
      loaded(),
    );
    expect(faceOnScreen(s)).toBe(3);
    s = reviewReducer(s, {
      type: 'undone',
      outcome: { face: 2, undone: 'reject', state: 'proposed', participant: 'P2' },
    });
    expect(faceOnScreen(s)).toBe(2);
    expect(s.left).toBe(2);
    expect(s.notice?.text).toBe('Undid your reject on face 2: it is proposed again (P2).');
  });

  it('moves back and forth over open proposals without deciding', () => {
    let s = run([{ type: 'decide', face: 2 }], loaded());
    s = reviewReducer(s, { type: 'move', by: -1 });
    expect(faceOnScreen(s)).toBe(1);
    s = reviewReducer(s, { type: 'move', by: -1 });
    expect(faceOnScreen(s)).toBe(3);
  });

  it('keeps the face on screen across a reload', () => {
    const s = run([{ type: 'skip' }, { type: 'loaded', snapshot: threeFaces() }], loaded());
    expect(faceOnScreen(s)).toBe(2);
    const focused = run([{ type: 'loaded', snapshot: threeFaces(), focusFace: 3 }], loaded());
    expect(faceOnScreen(focused)).toBe(3);
  });

  it('lists the next open proposals for preparing their pictures', () => {
    expect(upcoming(loaded(), 5).map((i) => i.face.face)).toEqual([2, 3]);
    expect(upcoming(run([{ type: 'decide', face: 2 }], loaded()), 5).map((i) => i.face.face)).toEqual([]);
  });

  it('counts what a bulk confirmation would cover (an estimate; the service decides)', () => {
    const s = loaded();
    expect(bulkCount(s, { kind: 'asset', asset: 'a.jpg', file: 'a.jpg' })).toBe(2);
    expect(bulkCount(s, { kind: 'score', min: 0.7 })).toBe(2);
    expect(bulkCount(run([{ type: 'decide', face: 2 }], s), { kind: 'score', min: 0.7 })).toBe(1);
  });

  it('takes typed score digits only, and parses 0..1', () => {
    let s = run([{ type: 'mode', mode: { kind: 'bulk-score', input: '' } }], loaded());
    for (const char of '0.8x5') s = reviewReducer(s, { type: 'bulk-type', char });
    expect(s.mode).toEqual({ kind: 'bulk-score', input: '0.85' });
    s = reviewReducer(s, { type: 'bulk-erase' });
    expect(s.mode).toEqual({ kind: 'bulk-score', input: '0.8' });
    expect(parseScore('0.85')).toBe(0.85);
    expect(parseScore('1')).toBe(1);
    expect(parseScore('.5')).toBe(0.5);
    expect(parseScore('1.2')).toBeNull();
    expect(parseScore('')).toBeNull();
    expect(parseScore('0..1')).toBeNull();
  });

  it('shows a locked database as a warning until the save goes through', () => {
    let s = run(
      [
        { type: 'decide', face: 1 },
        { type: 'waiting', message: 'The database is busy' },
      ],
      loaded(),
    );
    expect(s.waiting).toBe('The database is busy');
    s = reviewReducer(s, { type: 'decided', outcome: outcome(1), reviewersRequired: 1 });
    expect(s.waiting).toBeNull();
  });

  it('nextOpen wraps around and reopens skipped proposals last', () => {
    expect(nextOpen(Uint8Array.from([OPEN, DONE, OPEN]), 0).index).toBe(2);
    expect(nextOpen(Uint8Array.from([OPEN, DONE, DONE]), 2).index).toBe(0);
    const r = nextOpen(Uint8Array.from([SKIPPED, DONE, DONE]), 2);
    expect(r.index).toBe(0);
    expect([...r.marks]).toEqual([OPEN, DONE, DONE]);
    expect(nextOpen(Uint8Array.from([DONE, DONE]), 0).index).toBe(-1);
  });
});

describe('reloading the queue', () => {
  it('keeps faces decided in this session done, even when the new snapshot still lists them', () => {
    const s = run(
      [
        { type: 'decide', face: 1 },
        { type: 'loaded', snapshot: threeFaces(2) },
      ],
      loaded(2),
    );
    expect(faceOnScreen(s)).toBe(2);
    expect(s.left).toBe(2);
  });
  it('starts on the first open one when nothing is kept, and on the undone face when focused', () => {
    const s = run(
      [
        { type: 'decide', face: 1 },
        { type: 'decide', face: 2 },
        { type: 'loaded', snapshot: threeFaces(), focusFace: 1 },
      ],
      loaded(),
    );
    expect(faceOnScreen(s)).toBe(1);
    expect(s.left).toBe(2);
  });
});
