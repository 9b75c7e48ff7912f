/**
 * The review queue as a pure state machine (no Ink, no I/O): which proposal is on screen, which are
 * decided or skipped, and which overlay is open. The key hook (use-review.ts) turns keys into
 * actions and service calls; the view (review-screen.tsx) only draws this state.
 */
import type { DecisionOutcome, ReviewAction, UndoOutcome } from '../../../core/services/decision-service.js';
import type { QueueItem } from '../../../core/services/matches-service.js';
import type { QueueSnapshot } from '../gateway.js';
import { matchesWords } from '../widgets/picker-state.js';
import { type DecidedElsewhere, refusedText, skippedText } from './elsewhere.js';

/** Per proposal: still to do, decided by this reviewer in this session, or skipped for now. */
export const OPEN = 0;
export const DONE = 1;
export const SKIPPED = 2;

export type BulkChoice = { kind: 'asset'; asset: string; file: string } | { kind: 'score'; min: number };

export type Mode =
  | { kind: 'browse' }
  | { kind: 'help' }
  | { kind: 'filter'; input: string }
  | { kind: 'assign' }
  | { kind: 'bulk-menu' }
  | { kind: 'bulk-score'; input: string }
  | { kind: 'bulk-confirm'; choice: BulkChoice; count: number };

export interface Notice {
  tone: 'info' | 'success' | 'warning' | 'error';
  text: string;
}

export interface ReviewState {
  reviewer: string;
  loading: boolean;
  snapshot: QueueSnapshot | null;
  /** one status per item of `snapshot.items` (OPEN, DONE, SKIPPED) */
  marks: Uint8Array;
  /** index of the proposal on screen; -1 when nothing is left */
  cursor: number;
  /** proposals not decided yet (skipped ones included) */
  left: number;
  /** the `/` filter: words that a proposal's participant, file or state must all contain ('' = all) */
  query: string;
  /** per item, 1 when it matches `query`; null when there is no filter */
  shown: Uint8Array | null;
  mode: Mode;
  /** an undo, bulk decision or reload is running: other keys that change data wait for it */
  busy: string | null;
  /** decisions sent to the service and not answered yet (the queue moves on at once; a refusal brings the face back) */
  pending: number;
  notice: Notice | null;
  /** the database is locked by another process (a running scan); the save is retried */
  waiting: string | null;
}

export type ReviewEvent =
  | { type: 'loading' }
  | { type: 'loaded'; snapshot: QueueSnapshot; focusFace?: number; reviewer?: string }
  | { type: 'load-failed'; message: string }
  | { type: 'saving'; what: string }
  | { type: 'decide'; face: number }
  | { type: 'decided'; outcome: DecisionOutcome; reviewersRequired: 1 | 2 }
  | { type: 'decide-failed'; face: number; message: string }
  /** the poll found faces decided by another reviewer: skipped, never shown as open */
  | { type: 'elsewhere'; decided: DecidedElsewhere[]; now: Date }
  /** a decision refused because another reviewer decided the face first (FACE_DECIDED_ELSEWHERE) */
  | { type: 'refused-elsewhere'; decided: DecidedElsewhere; action: ReviewAction['kind']; now: Date }
  | { type: 'bulk-decided'; outcomes: DecisionOutcome[] }
  | { type: 'undone'; outcome: UndoOutcome }
  | { type: 'failed'; message: string }
  | { type: 'waiting'; message: string | null }
  | { type: 'skip' }
  | { type: 'move'; by: 1 | -1 }
  | { type: 'jump'; to: 'first' | 'last' }
  | { type: 'filter'; query: string }
  | { type: 'mode'; mode: Mode }
  | { type: 'bulk-type'; char: string }
  | { type: 'bulk-erase' }
  | { type: 'dismiss' };

export function initialReviewState(reviewer: string): ReviewState {
  return {
    reviewer,
    loading: true,
    snapshot: null,
    marks: new Uint8Array(0),
    cursor: -1,
    left: 0,
    query: '',
    shown: null,
    mode: { kind: 'browse' },
    busy: null,
    pending: 0,
    notice: null,
    waiting: null,
  };
}

/** The proposal on screen, if any. */
export function currentItem(s: ReviewState): QueueItem | undefined {
  return s.cursor >= 0 ? s.snapshot?.items[s.cursor] : undefined;
}

/** The next `n` open proposals after the current one (what to prepare images for). */
export function upcoming(s: ReviewState, n: number): QueueItem[] {
  const items = s.snapshot?.items ?? [];
  const out: QueueItem[] = [];
  for (let i = s.cursor + 1; i < items.length && out.length < n; i++)
    if (s.marks[i] === OPEN && (!s.shown || s.shown[i])) out.push(items[i]!);
  return out;
}

/** What the `/` filter matches a proposal against: participant name and id, file name, state. */
export function filterText(item: QueueItem): string {
  return `${item.face.participantName ?? ''} ${item.face.participant ?? ''} ${item.asset.file} ${item.face.state}`;
}

function shownBy(items: readonly QueueItem[], query: string): Uint8Array | null {
  if (!query.trim()) return null;
  return Uint8Array.from(items, (it) => (matchesWords(filterText(it), query) ? 1 : 0));
}

/**
 * Index of the next open proposal after `from`, wrapping; skipped ones come back once the rest are
 * done. With a filter (`shown`), only the proposals it shows count.
 */
export function nextOpen(
  marks: Uint8Array,
  from: number,
  shown: Uint8Array | null = null,
): { index: number; marks: Uint8Array } {
  const n = marks.length;
  const visible = (i: number) => !shown || shown[i] === 1;
  for (let step = 1; step <= n; step++) {
    const i = (from + step + n) % n;
    if (marks[i] === OPEN && visible(i)) return { index: i, marks };
  }
  if (!marks.some((m, i) => m === SKIPPED && visible(i))) return { index: -1, marks };
  const reopened = marks.map((m, i) => (m === SKIPPED && visible(i) ? OPEN : m));
  for (let step = 1; step <= n; step++) {
    const i = (from + step + n) % n;
    if (reopened[i] === OPEN && visible(i)) return { index: i, marks: reopened };
  }
  return { index: -1, marks: reopened };
}

/** Where the proposal on screen stands among those still to decide that the filter shows ("12 / 340"). */
export function queuePosition(s: ReviewState): { at: number; of: number } {
  let at = 0;
  let of = 0;
  s.marks.forEach((m, i) => {
    if (m === DONE || (s.shown && !s.shown[i])) return;
    of += 1;
    if (i <= s.cursor) at += 1;
  });
  return { at: s.cursor >= 0 ? at : 0, of };
}

function countLeft(marks: Uint8Array): number {
  let left = 0;
  for (const m of marks) if (m !== DONE) left += 1;
  return left;
}

function indexOfFace(s: ReviewState, face: number): number {
  return s.snapshot ? s.snapshot.items.findIndex((it) => it.face.face === face) : -1;
}

/** Open proposals a bulk choice would cover (an estimate for the prompt; the service decides). */
export function bulkCount(s: ReviewState, choice: BulkChoice): number {
  const items = s.snapshot?.items ?? [];
  let n = 0;
  items.forEach((it, i) => {
    if (s.marks[i] === DONE) return;
    if (choice.kind === 'asset' ? it.asset.assetRef === choice.asset : (it.face.score ?? -1) >= choice.min) n += 1;
  });
  return n;
}

/** Parses the typed score of a bulk confirmation: a number from 0 to 1, else null. */
export function parseScore(input: string): number | null {
  if (!/^\s*(0(\.\d+)?|1(\.0+)?|\.\d+)\s*$/.test(input)) return null;
  return Number(input);
}

function outcomeText(o: DecisionOutcome, required: 1 | 2): string {
  const who = o.participant ?? 'nobody';
  if (o.action === 'reject') return `Rejected ${who} on face ${o.face}: it will not be proposed again.`;
  const verb = o.action === 'assign' ? `Assigned face ${o.face} to ${who}` : `Confirmed ${who} on face ${o.face}`;
  if (o.state === 'confirmed')
    return `${verb}${required === 2 ? ` (confirmed by ${o.confirmedBy.join(' and ')})` : ''}.`;
  return `${verb}: ${o.confirmedBy.length} of ${required} reviewers; it needs a second, different reviewer.`;
}

export function reviewReducer(s: ReviewState, e: ReviewEvent): ReviewState {
  switch (e.type) {
    case 'loading':
      return { ...s, loading: true };
    case 'loaded': {
      const items = e.snapshot.items;
      const marks = new Uint8Array(items.length);
      // Faces decided in this session stay done: a reload read while a save was on its way, or a
      // two-person face this reviewer already confirmed, is not offered again in this session.
      const decided = new Set<number>();
      s.snapshot?.items.forEach((it, i) => s.marks[i] === DONE && decided.add(it.face.face));
      items.forEach((it, i) => decided.has(it.face.face) && it.face.face !== e.focusFace && (marks[i] = DONE));
      const keep = e.focusFace ?? currentItem(s)?.face.face;
      const shown = shownBy(items, s.query);
      let cursor = keep !== undefined ? items.findIndex((it, i) => it.face.face === keep && marks[i] !== DONE) : -1;
      if (cursor >= 0 && shown && !shown[cursor]) cursor = -1;
      if (cursor < 0) cursor = nextOpen(marks, -1, shown).index;
      return {
        ...s,
        reviewer: e.reviewer ?? s.reviewer,
        loading: false,
        snapshot: e.snapshot,
        marks,
        shown,
        cursor,
        left: countLeft(marks),
        busy: null,
      };
    }
    case 'load-failed':
      return { ...s, loading: false, busy: null, notice: { tone: 'error', text: e.message } };
    case 'saving':
      return { ...s, busy: e.what, notice: null };
    case 'decide': {
      // The queue moves on at once; the service's answer arrives as 'decided' or 'decide-failed'.
      const i = indexOfFace(s, e.face);
      if (i < 0) return s;
      const marks = s.marks.slice();
      marks[i] = DONE;
      const next = nextOpen(marks, i, s.shown);
      return {
        ...s,
        pending: s.pending + 1,
        marks: next.marks,
        cursor: next.index,
        left: countLeft(next.marks),
        mode: { kind: 'browse' },
        notice: null,
      };
    }
    case 'decided':
      return {
        ...s,
        pending: Math.max(0, s.pending - 1),
        waiting: null,
        // A face skipped meanwhile because someone else decided it: that is what the reviewer must read.
        notice:
          s.notice?.tone === 'warning'
            ? s.notice
            : { tone: 'success', text: outcomeText(e.outcome, e.reviewersRequired) },
      };
    case 'decide-failed': {
      // Refused or not saved: the face comes back on screen with the reason.
      const pending = Math.max(0, s.pending - 1);
      const i = indexOfFace(s, e.face);
      if (i < 0) return { ...s, pending, waiting: null, notice: { tone: 'error', text: e.message } };
      const marks = s.marks.slice();
      marks[i] = OPEN;
      return {
        ...s,
        pending,
        waiting: null,
        marks,
        cursor: i,
        left: countLeft(marks),
        mode: { kind: 'browse' },
        notice: { tone: 'error', text: e.message },
      };
    }
    case 'elsewhere': {
      // Faces still open here that someone else decided: done, and the queue moves past them.
      const marks = s.marks.slice();
      const skipped = e.decided.filter((d) => {
        const i = indexOfFace(s, d.face);
        if (i < 0 || marks[i] === DONE) return false;
        marks[i] = DONE;
        return true;
      });
      if (skipped.length === 0) return s;
      const onScreen = s.cursor >= 0 && marks[s.cursor] === DONE;
      const next = onScreen ? nextOpen(marks, s.cursor, s.shown) : { index: s.cursor, marks };
      // The face on screen first: it is the one the reviewer was about to decide.
      const current = currentItem(s)?.face.face;
      const ordered = [...skipped].sort((a, b) => Number(b.face === current) - Number(a.face === current));
      return {
        ...s,
        marks: next.marks,
        cursor: next.index,
        left: countLeft(next.marks),
        notice: { tone: 'warning', text: skippedText(ordered, e.now) },
      };
    }
    case 'refused-elsewhere':
      // The face stays done (it is not this reviewer's to decide any more); nothing was applied.
      return {
        ...s,
        pending: Math.max(0, s.pending - 1),
        waiting: null,
        notice: { tone: 'warning', text: refusedText(e.decided, e.action, e.now) },
      };
    case 'bulk-decided':
      // The queue is reloaded after a bulk decision (the service chose the faces); say what happened.
      return {
        ...s,
        busy: null,
        waiting: null,
        mode: { kind: 'browse' },
        notice: {
          tone: 'success',
          text: `Confirmed ${e.outcomes.length} proposal${e.outcomes.length === 1 ? '' : 's'} at once.`,
        },
      };
    case 'undone': {
      const o = e.outcome;
      const text = `Undid your ${o.undone} on face ${o.face}: it is ${o.state} again${o.participant ? ` (${o.participant})` : ''}.`;
      const i = indexOfFace(s, o.face);
      if (i < 0 || o.state !== 'proposed') return { ...s, busy: null, waiting: null, notice: { tone: 'info', text } };
      const marks = s.marks.slice();
      marks[i] = OPEN;
      return {
        ...s,
        busy: null,
        waiting: null,
        marks,
        cursor: i,
        left: countLeft(marks),
        notice: { tone: 'info', text },
      };
    }
    case 'failed':
      return { ...s, busy: null, waiting: null, notice: { tone: 'error', text: e.message } };
    case 'waiting':
      return { ...s, waiting: e.message };
    case 'skip': {
      if (s.cursor < 0) return s;
      const marks = s.marks.slice();
      marks[s.cursor] = SKIPPED;
      const next = nextOpen(marks, s.cursor, s.shown);
      return { ...s, marks: next.marks, cursor: next.index, notice: null };
    }
    case 'move': {
      // Browsing back and forth over the open (and skipped) proposals, without deciding.
      const n = s.marks.length;
      if (s.cursor < 0 || n === 0) return s;
      for (let step = 1; step <= n; step++) {
        const i = (s.cursor + e.by * step + n * step) % n;
        if (s.marks[i] !== DONE && (!s.shown || s.shown[i])) return { ...s, cursor: i, notice: null };
      }
      return s;
    }
    case 'jump': {
      // g / G: the first or last proposal still to decide (in queue order, within the filter)
      const order = [...s.marks.keys()];
      if (e.to === 'last') order.reverse();
      const i = order.find((j) => s.marks[j] !== DONE && (!s.shown || s.shown[j]));
      return i === undefined ? s : { ...s, cursor: i, notice: null };
    }
    case 'filter': {
      // Applied as it is typed (lazygit, k9s); the proposal on screen stays if it still matches.
      const items = s.snapshot?.items ?? [];
      const shown = shownBy(items, e.query);
      const keep = s.cursor >= 0 && (!shown || shown[s.cursor]) && s.marks[s.cursor] !== DONE;
      const cursor = keep ? s.cursor : nextOpen(s.marks, -1, shown).index;
      const mode: Mode = s.mode.kind === 'filter' ? { kind: 'filter', input: e.query } : s.mode;
      return { ...s, query: e.query, shown, cursor, mode, notice: null };
    }
    case 'mode':
      return { ...s, mode: e.mode, notice: e.mode.kind === 'browse' ? s.notice : null };
    case 'bulk-type':
      if (s.mode.kind !== 'bulk-score' || !/^[\d.]$/.test(e.char) || s.mode.input.length >= 6) return s;
      return { ...s, mode: { kind: 'bulk-score', input: s.mode.input + e.char } };
    case 'bulk-erase':
      if (s.mode.kind !== 'bulk-score') return s;
      return { ...s, mode: { kind: 'bulk-score', input: s.mode.input.slice(0, -1) } };
    case 'dismiss':
      return { ...s, notice: null };
  }
}
