import type { FaceState } from '../domain/records.js';
import type { ServiceContext } from './context.js';

/** One thing that happened to a shoot since a reader last looked, as the audit chain records it. */
export interface ActivityEvent {
  seq: number;
  at: Date;
  /** who did it: a reviewer (the database role in a team workspace), or the process's actor */
  actor: string;
  /** the chain's action, e.g. `decision.confirm`, `decision.undone`, `scan.completed` */
  action: string;
  /** the face it was about, for a decision or an undo */
  face: number | null;
  /** the face's state after it, when the entry says */
  state: FaceState | null;
}

export interface ReviewActivity {
  /** the last sequence number read: the next poll starts after it */
  head: number;
  events: ActivityEvent[];
}

/** Where the chain ends now (read before a queue is loaded, so nothing after it is missed). */
export function activityHead(ctx: ServiceContext): Promise<number> {
  return ctx.store.transaction((uow) => uow.audit.headSeq());
}

const FACE_SUBJECT = /^face:(\d+)$/;

/**
 * What other processes did to a shoot after `afterSeq`: decisions, undos, scans, withdrawals, purges.
 * The audit chain is the one ordered record every process appends to, on SQLite and on PostgreSQL,
 * so the review app learns of another reviewer's decision from it, with who made it and when.
 */
export async function reviewActivity(ctx: ServiceContext, shootId: string, afterSeq: number): Promise<ReviewActivity> {
  const entries = await ctx.store.transaction((uow) => uow.audit.after(afterSeq, shootId));
  return {
    head: entries.at(-1)?.seq ?? afterSeq,
    events: entries.map((e) => {
      const face = e.subject ? FACE_SUBJECT.exec(e.subject) : null;
      const state = typeof e.details.state === 'string' ? (e.details.state as FaceState) : null;
      return { seq: e.seq, at: e.at, actor: e.actor, action: e.action, face: face ? Number(face[1]) : null, state };
    }),
  };
}
