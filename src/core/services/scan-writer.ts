/**
 * Group commit for a scan's per-asset writes. Each asset's write is still one unit of work of its own
 * (its rows, its audit entry, all or nothing), but the writes that are already waiting when the store
 * comes free share one transaction: a commit, its journal and fsyncs, the ORM's fork and flush are paid
 * once for them. On a 2-core machine that CPU is taken from the engine's workers (docs/engine.md, "Scan
 * throughput").
 */
import { isSitterError } from '../domain/errors.js';
import type { Store, UnitOfWork } from '../ports/store.js';
import type { ServiceContext } from './context.js';

/** The most asset writes one transaction takes: a killed scan redoes at most this many. */
export const GROUP_COMMIT_MAX = 8;

interface Waiting {
  work: (uow: UnitOfWork) => Promise<unknown>;
  resolve: (value: unknown) => void;
  reject: (error: unknown) => void;
}

/**
 * A Store whose `transaction` queues the work and runs it with the others waiting, in the order they
 * came, at most `max` to a transaction. It never waits for more work: the first write of an idle store
 * starts at once, alone. When one of a shared transaction's writes fails, or the transaction meets a
 * lock or a conflict (DATABASE_LOCKED), it was rolled back whole and its writes are each run again
 * alone, so one asset's failure (a refused check, a bad row) is that asset's only, and a lock is
 * waited out by each write's caller (`retryWhileLocked`) as before. A failure of the commit itself
 * (whether it was stored is unknown) goes to every caller and is not written again here.
 */
export function groupCommitStore(store: Store, max = GROUP_COMMIT_MAX): Store {
  const queue: Waiting[] = [];
  let draining = false;

  const settleAlone = async (w: Waiting) => {
    try {
      w.resolve(await store.transaction(w.work));
    } catch (error) {
      w.reject(error);
    }
  };

  const runBatch = async (batch: Waiting[]) => {
    if (batch.length === 1) return settleAlone(batch[0]!);
    let results: unknown[];
    // whether one of the writes threw (then the transaction was rolled back before any commit)
    let aWriteFailed = false;
    try {
      results = await store.transaction(async (uow) => {
        aWriteFailed = false; // a store that reruns a conflicting transaction (PostgreSQL) starts it over
        const out: unknown[] = [];
        for (const w of batch) {
          try {
            out.push(await w.work(uow));
          } catch (error) {
            aWriteFailed = true;
            throw error;
          }
        }
        return out;
      });
    } catch (error) {
      const locked = isSitterError(error) && error.code === 'DATABASE_LOCKED';
      if (aWriteFailed || locked) {
        // Rolled back whole, nothing of the batch stored: each is written again on its own, so one
        // asset's failure is its own, and a conflict or lock is met (and waited out) write by write.
        for (const w of batch) await settleAlone(w);
        return;
      }
      // Failed at the commit itself (a lost connection): whether it was stored is unknown, so nothing
      // is written again here; each caller gets the error, as a write on its own would have.
      for (const w of batch) w.reject(error);
      return;
    }
    batch.forEach((w, i) => w.resolve(results[i]));
  };

  const drain = async () => {
    draining = true;
    try {
      while (queue.length > 0) await runBatch(queue.splice(0, max));
    } finally {
      draining = false;
    }
  };

  return {
    transaction: <T>(work: (uow: UnitOfWork) => Promise<T>) =>
      new Promise<T>((resolve, reject) => {
        queue.push({ work, resolve: resolve as (value: unknown) => void, reject });
        if (!draining) void drain();
      }),
    assertIntact: () => store.assertIntact(),
    currentRole: () => store.currentRole(),
    team: () => store.team(),
    close: () => store.close(),
  };
}

/**
 * The context a local scan's per-asset writes run in: the session's, with group commit. A queue
 * worker keeps one asset per transaction (its job's settlement is that transaction's first write).
 */
export function scanWriteContext(ctx: ServiceContext, max = GROUP_COMMIT_MAX): ServiceContext {
  return max > 1 ? { ...ctx, store: groupCommitStore(ctx.store, max) } : ctx;
}
