import { useCallback, useEffect, useRef } from 'react';
import type { BulkSelector, ReviewAction } from '../../../core/services/decision-service.js';
import type { QueueFilter } from '../../../core/services/matches-service.js';
import { errorText } from '../errors.js';
import { decidedElsewhere, REVIEW_POLL_MS } from './elsewhere.js';
import type { ReviewGateway } from '../gateway.js';
import { useKeys } from '../widgets/use-keys.js';
import { useSyncedReducer } from '../widgets/use-synced-reducer.js';
import {
  bulkCount,
  currentItem,
  initialReviewState,
  parseScore,
  reviewReducer,
  type BulkChoice,
  type ReviewEvent,
  type ReviewState,
} from './review-state.js';

export interface UseReviewProps {
  gateway: ReviewGateway & { onBusy?: (listener: ((message: string | null) => void) | null) => void };
  shootId: string;
  filter?: QueueFilter;
  /** leave the app */
  onQuit: () => void;
  /** back to the previous screen (absent when review is the first screen) */
  onBack?: () => void;
}

/**
 * The review queue's keys. Every decision is a service call made the moment the key is pressed;
 * the next face is shown at once while it saves, and a refusal (SAME_REVIEWER, CONSENT_NOT_VALID,
 * DATABASE_LOCKED after retries...) brings the face back on screen with the reason.
 */
export function useReview({ gateway, shootId, filter, onQuit, onBack }: UseReviewProps): {
  state: ReviewState;
  dispatch: (e: ReviewEvent) => void;
  decide: (action: ReviewAction) => void;
} {
  // Each key of a chunk ("yy", "jjy") must see the state the previous one left, or two `y` would
  // decide the same face twice: the reducer runs on the ref as each event is dispatched.
  const [state, dispatch, stateRef] = useSyncedReducer(reviewReducer, gateway.reviewer, initialReviewState);
  const reloadedEmpty = useRef(false);
  /** the audit chain entry up to which others' activity is known (the poll reads what comes after) */
  const seenSeq = useRef(0);
  /** faces this session sent a decision or undo for: their chain entries are this reviewer's own */
  const mine = useRef(new Set<number>());

  const load = useCallback(
    async (focusFace?: number, quiet = false) => {
      // A reload the poll asks for keeps the screen as it is until the new queue is there.
      if (!quiet) dispatch({ type: 'loading' });
      try {
        const snapshot = await gateway.loadQueue(shootId, filter);
        seenSeq.current = Math.max(seenSeq.current, snapshot.seenSeq);
        dispatch({
          type: 'loaded',
          snapshot,
          reviewer: gateway.reviewer,
          ...(focusFace !== undefined ? { focusFace } : {}),
        });
      } catch (error) {
        dispatch({ type: 'load-failed', message: errorText(error) });
      }
    },
    // filter is an object from the command line: stable for the session
    [gateway, shootId],
  );

  /**
   * What other reviewers (other processes, other machines) did since the last look: faces they
   * decided are skipped with a notice; anything else (an undo, a half of a two-person confirmation,
   * a scan, a withdrawal) reloads the queue quietly.
   */
  const polling = useRef(false);
  const checkElsewhere = useCallback(async () => {
    const s = stateRef.current;
    if (polling.current || !s.snapshot || s.loading || s.busy) return;
    polling.current = true;
    try {
      const { head, events } = await gateway.activity(shootId, seenSeq.current);
      seenSeq.current = head;
      const theirs = events.filter(
        (e) => !(e.face !== null && mine.current.has(e.face) && e.actor === gateway.reviewer),
      );
      if (theirs.length === 0) return;
      const decided = theirs.filter(
        (e) =>
          e.face !== null &&
          e.action.startsWith('decision.') &&
          e.action !== 'decision.undone' &&
          e.state !== 'proposed',
      );
      if (decided.length > 0)
        dispatch({
          type: 'elsewhere',
          decided: decided.map((e) => ({ face: e.face!, state: e.state ?? 'decided', by: e.actor, at: e.at })),
          now: new Date(),
        });
      if (decided.length < theirs.length) await load(undefined, true);
    } catch {
      // a failed look is tried again at the next tick; the decision itself is checked by the service
    } finally {
      polling.current = false;
    }
  }, [gateway, shootId, load]);

  useEffect(() => {
    const timer = setInterval(() => void checkElsewhere(), REVIEW_POLL_MS);
    return () => clearInterval(timer);
  }, [checkElsewhere]);

  useEffect(() => {
    void load();
    gateway.onBusy?.((message) => dispatch({ type: 'waiting', message }));
    return () => gateway.onBusy?.(null);
  }, [gateway, load]);

  // When the queue runs out, look once more: a running scan may have added proposals meanwhile.
  useEffect(() => {
    if (state.cursor >= 0) reloadedEmpty.current = false;
    else if (
      !state.loading &&
      !state.query &&
      !state.busy &&
      !state.pending &&
      state.snapshot &&
      state.snapshot.items.length > 0 &&
      !reloadedEmpty.current
    ) {
      reloadedEmpty.current = true;
      void load();
    }
  }, [state.cursor, state.loading, state.busy, state.pending, state.snapshot, state.query, load]);

  /** Service calls run one after another, in key-press order (undo must follow the decision it undoes). */
  const chain = useRef<Promise<unknown>>(Promise.resolve());
  const enqueue = (work: () => Promise<unknown>) => {
    chain.current = chain.current.then(work, work);
  };

  const decide = (action: ReviewAction) => {
    const s = stateRef.current;
    const item = currentItem(s);
    if (!item || s.busy || !s.snapshot) return;
    const required = s.snapshot.shoot.reviewersRequired;
    const face = item.face.face;
    // The face as the screen shows it: if another reviewer changed it meanwhile, the service refuses.
    const seen = { state: item.face.state, participant: item.face.participant };
    mine.current.add(face);
    dispatch({ type: 'decide', face });
    // Before the next face is looked at: was it decided elsewhere meanwhile?
    void checkElsewhere();
    enqueue(() =>
      gateway.decide(shootId, face, action, seen).then(
        (outcome) => dispatch({ type: 'decided', outcome, reviewersRequired: required }),
        (error: unknown) => {
          const elsewhere = decidedElsewhere(error);
          if (elsewhere)
            dispatch({ type: 'refused-elsewhere', decided: elsewhere, action: action.kind, now: new Date() });
          else dispatch({ type: 'decide-failed', face, message: errorText(error) });
        },
      ),
    );
  };

  const undo = () => {
    if (stateRef.current.busy) return;
    dispatch({ type: 'saving', what: 'undoing' });
    enqueue(() =>
      gateway.undo(shootId).then(
        async (outcome) => {
          mine.current.add(outcome.face);
          dispatch({ type: 'undone', outcome });
          // A decision from an earlier session: its face is not in this queue yet.
          const s = stateRef.current;
          if (outcome.state === 'proposed' && !s.snapshot?.items.some((it) => it.face.face === outcome.face))
            await load(outcome.face);
        },
        (error: unknown) => dispatch({ type: 'failed', message: errorText(error) }),
      ),
    );
  };

  const bulk = (choice: BulkChoice) => {
    if (stateRef.current.busy) return;
    const selector: BulkSelector = choice.kind === 'asset' ? { asset: choice.asset } : { allAbove: choice.min };
    dispatch({ type: 'saving', what: 'confirming' });
    enqueue(() =>
      gateway.bulk(shootId, selector).then(
        async (outcomes) => {
          for (const o of outcomes) mine.current.add(o.face);
          dispatch({ type: 'bulk-decided', outcomes });
          await load();
        },
        (error: unknown) => {
          dispatch({ type: 'failed', message: errorText(error) });
          dispatch({ type: 'mode', mode: { kind: 'browse' } });
        },
      ),
    );
  };

  /** Quitting waits for the decisions still being saved, so none is lost. */
  const quit = () => {
    if (stateRef.current.pending > 0 || stateRef.current.busy)
      dispatch({ type: 'saving', what: 'finishing the last saves before quitting' });
    void chain.current.then(onQuit, onQuit);
  };

  const browse = () => dispatch({ type: 'mode', mode: { kind: 'browse' } });

  useKeys((input, key) => {
    const s = stateRef.current;
    const mode = s.mode;
    if (key.ctrl && input === 'c') return quit();
    if (mode.kind === 'assign') return; // the picker has the keys
    if (mode.kind === 'help') {
      if (input === 'q') return quit();
      return browse(); // any other key closes the help
    }
    if (mode.kind === 'filter') {
      // typed text is the filter (so `q` is a letter here); Enter keeps it, Esc clears it
      if (key.escape) {
        dispatch({ type: 'filter', query: '' });
        return browse();
      }
      if (key.return || key.upArrow || key.downArrow) return browse();
      if (key.backspace || key.delete) return dispatch({ type: 'filter', query: mode.input.slice(0, -1) });
      if (input && !key.ctrl && !key.meta && mode.input.length < 40)
        dispatch({ type: 'filter', query: mode.input + input });
      return;
    }
    if (input === 'q') return quit();
    if (mode.kind === 'bulk-menu') {
      const item = currentItem(s);
      if (input === '1' && item) {
        const choice: BulkChoice = { kind: 'asset', asset: item.asset.assetRef, file: item.asset.file };
        dispatch({ type: 'mode', mode: { kind: 'bulk-confirm', choice, count: bulkCount(s, choice) } });
      } else if (input === '2')
        dispatch({
          type: 'mode',
          mode: {
            kind: 'bulk-score',
            input: item?.face.score !== null && item?.face.score !== undefined ? item.face.score.toFixed(2) : '',
          },
        });
      else if (key.escape || input === 'b') browse();
      return;
    }
    if (mode.kind === 'bulk-score') {
      if (key.escape) dispatch({ type: 'mode', mode: { kind: 'browse' } });
      else if (key.backspace || key.delete) dispatch({ type: 'bulk-erase' });
      else if (key.return) {
        const min = parseScore(mode.input);
        if (min === null)
          dispatch({
            type: 'failed',
            message: `"${mode.input}" is not a score: type a number from 0 to 1, e.g. 0.85.`,
          });
        else {
          const choice: BulkChoice = { kind: 'score', min };
          dispatch({ type: 'mode', mode: { kind: 'bulk-confirm', choice, count: bulkCount(s, choice) } });
        }
      } else if (input) for (const ch of input) dispatch({ type: 'bulk-type', char: ch });
      return;
    }
    if (mode.kind === 'bulk-confirm') {
      if (input === 'y') bulk(mode.choice);
      else if (input === 'n' || key.escape) dispatch({ type: 'mode', mode: { kind: 'browse' } });
      return;
    }
    // browse
    if (key.escape) {
      if (s.query) return dispatch({ type: 'filter', query: '' }); // Esc first clears the filter
      if (onBack && !s.busy) onBack();
      else dispatch({ type: 'dismiss' });
      return;
    }
    if (input === '?') return dispatch({ type: 'mode', mode: { kind: 'help' } });
    if (input === '/') {
      dispatch({ type: 'mode', mode: { kind: 'filter', input: s.query } });
      return;
    }
    if (input === 'g' || key.home) return dispatch({ type: 'jump', to: 'first' });
    if (input === 'G' || key.end) return dispatch({ type: 'jump', to: 'last' });
    if (input === 'r' && !s.busy) return enqueue(() => load());
    if (input === 'u') return undo();
    if (!currentItem(s)) return;
    if (input === 'y' || key.return) return decide({ kind: 'confirm' });
    if (input === 'n') return decide({ kind: 'reject' });
    if (input === 's') {
      dispatch({ type: 'skip' });
      return void checkElsewhere();
    }
    if (input === 'a') {
      if (!s.snapshot?.eligible.length)
        dispatch({
          type: 'failed',
          message: 'Nobody in this shoot has valid biometric consent, so a face cannot be assigned to anyone.',
        });
      else dispatch({ type: 'mode', mode: { kind: 'assign' } });
      return;
    }
    if (input === 'b') return dispatch({ type: 'mode', mode: { kind: 'bulk-menu' } });
    if (key.rightArrow || input === 'l' || input === 'j') return dispatch({ type: 'move', by: 1 });
    if (key.leftArrow || input === 'h' || input === 'k') return dispatch({ type: 'move', by: -1 });
  });

  return { state, dispatch, decide };
}
