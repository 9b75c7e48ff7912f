/**
 * The scan's answer to a busy source (contract 3). A connector already waits out short bursts of 429s
 * inside its own request budget; what reaches the core is a source still busy past that
 * (CONNECTOR_RATE_LIMITED) or still unreachable after its retries (CONNECTOR_TRANSIENT). Neither is the
 * asset's fault, so no asset is failed for it: the whole scan pauses, the asset goes back in the queue,
 * and past the longest pause allowed the scan stops, resumable, instead of hammering the server.
 */
import { retryAfterOf } from '../domain/connector-failure.js';

/** How many times one asset is put back in the queue before its failure is recorded. */
export const MAX_REQUEUES = 5;
/** The longest a scan waits in total on a busy source before it stops (resumable). */
export const DEFAULT_MAX_PAUSE_MS = 15 * 60_000;
/** The first pause when the server did not say how long (doubled per attempt, up to a minute). */
const FIRST_BACKOFF_MS = 1_000;
const LONGEST_BACKOFF_MS = 60_000;

/** How long to pause after the `attempt`th (1-based) busy answer for one asset. */
export function pauseAfter(error: unknown, attempt: number): number {
  return retryAfterOf(error) ?? Math.min(LONGEST_BACKOFF_MS, FIRST_BACKOFF_MS * 2 ** (attempt - 1));
}

/**
 * One pause shared by every worker of a run: `hold` extends it (never shortens it), `wait` sleeps until
 * it ends, `totalMs` is the time held so far (overlapping holds counted once).
 */
export class SourcePause {
  private until = 0;
  private held = 0;
  constructor(private readonly now: () => number = Date.now) {}

  get totalMs(): number {
    return this.held;
  }

  hold(ms: number): void {
    const start = Math.max(this.until, this.now());
    const end = this.now() + Math.max(0, ms);
    if (end <= start) return;
    this.held += end - start;
    this.until = end;
  }

  /** Resolves when the pause is over; rejects with the signal's reason when it is aborted first. */
  async wait(signal?: AbortSignal): Promise<void> {
    for (let left = this.until - this.now(); left > 0; left = this.until - this.now()) {
      signal?.throwIfAborted();
      await sleep(left, signal);
    }
  }
}

function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    const onAbort = () => {
      clearTimeout(timer);
      reject(signal?.reason);
    };
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}
