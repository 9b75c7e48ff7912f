import { isSitterError } from '../domain/errors.js';

/**
 * How long a long job (a scan) keeps retrying one write while other commands hold the database.
 * Short commands (decide, withdraw, an import) finish in seconds; a scan waits for them rather than
 * giving up after one busy timeout and leaving the user to start it again.
 */
export const LONG_JOB_LOCK_WAIT_MS = 10 * 60 * 1000;

/**
 * How long a withdrawal or an erasure waits for another command holding the database (a push or a
 * scan committing) before it says DATABASE_LOCKED: it should go through, not be refused for a busy moment.
 */
export const WITHDRAWAL_LOCK_WAIT_MS = 60_000;

const sleep = (ms: number, signal?: AbortSignal) =>
  new Promise<void>((resolve) => {
    const timer = setTimeout(done, ms);
    function done() {
      clearTimeout(timer);
      signal?.removeEventListener('abort', done);
      resolve();
    }
    signal?.addEventListener('abort', done, { once: true });
  });

/**
 * Runs one unit of work, and runs it again while it fails with DATABASE_LOCKED (it was rolled back,
 * so trying again is safe), for up to `maxWaitMs`. Any other error, or a stop request, ends it.
 */
export async function retryWhileLocked<T>(
  work: () => Promise<T>,
  opts: { signal?: AbortSignal; maxWaitMs?: number } = {},
): Promise<T> {
  const deadline = Date.now() + (opts.maxWaitMs ?? LONG_JOB_LOCK_WAIT_MS);
  for (let pause = 100; ; pause = Math.min(pause * 2, 2000)) {
    try {
      return await work();
    } catch (error) {
      const locked = isSitterError(error) && error.code === 'DATABASE_LOCKED';
      if (!locked || Date.now() + pause > deadline || opts.signal?.aborted) throw error;
      await sleep(pause, opts.signal);
    }
  }
}
