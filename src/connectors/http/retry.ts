/**
 * The retry policy (types.ts states it), on p-retry: 408, 5xx, timeouts and dropped connections are
 * retried with jittered exponential backoff up to `maxRetries`, then CONNECTOR_TRANSIENT; a 429 uses
 * no retry (p-retry's `shouldConsumeRetry`) but pauses the whole budget for Retry-After, until the
 * waits add up past `maxRateLimitWaitMs`: then CONNECTOR_RATE_LIMITED. Anything else (other 4xx, a
 * bad answer, the caller's abort) is thrown at once. Waits go through an injectable `sleep`, so p-retry
 * itself never sleeps (`minTimeout: 0`) and tests run in milliseconds.
 */
import pRetry from 'p-retry';
import type { SitterError } from '../../core/domain/errors.js';
import type { RequestBudget } from '../../core/ports/connector.js';
import { connectorFailure, type ConnectorFailureDetails } from '../errors.js';

/** First backoff, doubling per retry up to `MAX_BACKOFF_MS`. */
export const FIRST_BACKOFF_MS = 500;
export const MAX_BACKOFF_MS = 30_000;

/**
 * Retry-After (RFC 9110 §10.2.3) as milliseconds from `nowMs`: delay-seconds or an HTTP date; a date
 * in the past is 0; anything else (absent, negative, garbage) is undefined, and backoff decides.
 */
export function parseRetryAfter(value: string | undefined, nowMs: number = Date.now()): number | undefined {
  const text = value?.trim();
  if (!text) return undefined;
  if (/^\d+(\.\d+)?$/.test(text)) return Math.round(Number(text) * 1000);
  // Only a date-looking value: Date.parse would read "12abc" or "-5" as some date.
  if (!/[a-z]/i.test(text)) return undefined;
  const at = Date.parse(text);
  return Number.isNaN(at) ? undefined : Math.max(0, at - nowMs);
}

/** The wait before retry number `retry` (0-based): 0.5 s doubling to 30 s, half of it random. */
export function backoffMs(retry: number, random: () => number = Math.random): number {
  const base = Math.min(MAX_BACKOFF_MS, FIRST_BACKOFF_MS * 2 ** retry);
  // Jitter: clients that failed together do not come back together.
  return Math.round(base / 2 + (random() * base) / 2);
}

/** A failed attempt the policy may retry: its final error is ready, made fresh (no axios error inside). */
export class RetryableFailure extends Error {
  override readonly name = 'RetryableFailure';
  constructor(
    /** rate-limited: pause the budget, use no retry; transient: back off, use one */
    readonly kind: 'rate-limited' | 'transient',
    /** what the caller gets when the policy gives up */
    readonly failure: SitterError,
    /** the server's Retry-After, in ms */
    readonly retryAfterMs?: number,
  ) {
    super(failure.message);
  }
}

export interface RetryPolicy {
  maxRetries: number;
  maxRateLimitWaitMs: number;
  budget: RequestBudget;
  sleep: (ms: number, signal?: AbortSignal) => Promise<void>;
  signal?: AbortSignal;
  /** the connector's name, for the rate-limit message */
  connector: string;
  /** method and redacted URL of the request, for the rate-limit failure */
  request: { method: string; url: string };
}

/** Sleeps `ms`, or rejects with the signal's reason when it aborts first. */
export function abortableSleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(signal.reason as Error);
    const onAbort = () => {
      clearTimeout(timer);
      reject(signal?.reason as Error);
    };
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}

function rateLimitedFailure(policy: RetryPolicy, waitedMs: number, retryAfterMs: number): SitterError {
  const details: ConnectorFailureDetails = { retryAfterMs, status: 429, ...policy.request };
  return connectorFailure(
    'rate-limited',
    `The ${policy.connector} server kept answering 429 "too many requests" to ${policy.request.method} ${policy.request.url} after ${Math.round(waitedMs / 1000)} s of waiting (it asks for ${Math.round(retryAfterMs / 1000)} s more).`,
    'Run the command again later; if it happens often, lower the connector option requestsPerSecond (another client may share the same limit).',
    details,
  );
}

/** Runs `attempt` under the policy; every error it ends with is a fresh SitterError or the caller's abort. */
export async function withRetries<T>(attempt: () => Promise<T>, policy: RetryPolicy): Promise<T> {
  let waitedOnRateLimits = 0;
  let rateLimits = 0;
  const canRetry = (error: Error, retriesConsumed: number) =>
    error instanceof RetryableFailure && (error.kind === 'rate-limited' || retriesConsumed < policy.maxRetries);
  try {
    return await pRetry(attempt, {
      // Counted by shouldRetry, since a 429 must not use one up.
      retries: Number.POSITIVE_INFINITY,
      minTimeout: 0,
      signal: policy.signal,
      shouldConsumeRetry: ({ error }) => !(error instanceof RetryableFailure && error.kind === 'rate-limited'),
      shouldRetry: ({ error, retriesConsumed }) => canRetry(error, retriesConsumed),
      onFailedAttempt: async ({ error, retriesConsumed }) => {
        if (!(error instanceof RetryableFailure) || !canRetry(error, retriesConsumed)) return;
        if (error.kind === 'rate-limited') {
          // At least the first backoff: a "Retry-After: 0" storm still adds up to the limit and ends.
          const wait = Math.max(FIRST_BACKOFF_MS, error.retryAfterMs ?? backoffMs(rateLimits));
          rateLimits++;
          if (waitedOnRateLimits + wait > policy.maxRateLimitWaitMs)
            throw rateLimitedFailure(policy, waitedOnRateLimits, wait);
          waitedOnRateLimits += wait;
          // The next attempt waits in the budget's queue, with every other caller of this server.
          policy.budget.pauseFor(wait, `${policy.connector}: 429 on ${policy.request.method} ${policy.request.url}`);
          return;
        }
        // A 503 may say how long the outage lasts: never come back sooner than asked.
        const wait = Math.max(backoffMs(retriesConsumed), Math.min(error.retryAfterMs ?? 0, policy.maxRateLimitWaitMs));
        await policy.sleep(wait, policy.signal);
      },
    });
  } catch (e) {
    throw e instanceof RetryableFailure ? e.failure : e;
  }
}
