/**
 * How the review app words a decision another reviewer made (another process, another machine):
 * "Face 12 was confirmed by bob 3 s ago". Times come from the deciding machine's clock, so a small
 * skew can put them in the future: that reads "just now", never "-2 s ago".
 */
import { isSitterError } from '../../../core/domain/errors.js';
import { safeText } from '../../format/safe-text.js';

/**
 * How often the review app looks for decisions made elsewhere (milliseconds). Also checked at once
 * when a decision is sent and when a face is skipped. SITTER_REVIEW_POLL_MS changes it.
 */
export const REVIEW_POLL_MS =
  Number(process.env.SITTER_REVIEW_POLL_MS) > 0 ? Number(process.env.SITTER_REVIEW_POLL_MS) : 2000;

export interface DecidedElsewhere {
  face: number;
  /** the face's state after the other reviewer's decision */
  state: string;
  /** who decided: their reviewer name, or their database role in a team workspace */
  by: string | null;
  at: Date | null;
}

export function ago(at: Date, now: Date): string {
  const s = Math.round((now.getTime() - at.getTime()) / 1000);
  if (s < 1) return 'just now';
  if (s < 120) return `${s} s ago`;
  if (s < 7200) return `${Math.round(s / 60)} min ago`;
  return `${Math.round(s / 3600)} h ago`;
}

function decidedPhrase(d: DecidedElsewhere, now: Date): string {
  const by = d.by ? ` by ${d.by}` : ' elsewhere';
  return `${d.state}${by}${d.at ? ` ${ago(d.at, now)}` : ''}`;
}

/** The notice when the poll finds faces of the queue decided elsewhere: they are skipped. */
export function skippedText(decided: readonly DecidedElsewhere[], now: Date): string {
  const first = decided[0]!;
  const more = decided.length > 1 ? ` (and ${decided.length - 1} more decided elsewhere)` : '';
  return safeText(`Face ${first.face} was ${decidedPhrase(first, now)}: skipped${more}.`);
}

/** The notice when a decision was refused because another reviewer decided the face first. */
export function refusedText(d: DecidedElsewhere, action: 'confirm' | 'reject' | 'assign', now: Date): string {
  const noun = { confirm: 'confirmation', reject: 'rejection', assign: 'assignment' }[action];
  return safeText(
    `Face ${d.face} was ${decidedPhrase(d, now)}, after you saw it: your ${noun} was not applied. [FACE_DECIDED_ELSEWHERE]`,
  );
}

/** The other reviewer's decision a FACE_DECIDED_ELSEWHERE refusal carries, or null for any other error. */
export function decidedElsewhere(error: unknown): DecidedElsewhere | null {
  if (!isSitterError(error) || error.code !== 'FACE_DECIDED_ELSEWHERE') return null;
  const d = (error.details ?? {}) as {
    face?: number;
    state?: string;
    decidedBy?: string | null;
    decidedAt?: string | null;
  };
  return {
    face: d.face ?? 0,
    state: d.state ?? 'decided',
    by: d.decidedBy ?? null,
    at: d.decidedAt ? new Date(d.decidedAt) : null,
  };
}
