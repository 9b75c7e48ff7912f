import { expect } from 'vitest';
import { createRequestBudget } from '../../src/connectors/http/budget.js';
import { createHttpClient } from '../../src/connectors/http/client.js';
import type { HttpClientOptions } from '../../src/connectors/http/types.js';
import { SitterError } from '../../src/core/domain/errors.js';
import type { TestServer } from './http-server.js';

/**
 * A toolkit client against a test server whose budget pauses and backoff sleeps take no real time:
 * the budget runs on a fake clock, and what they would have waited is recorded.
 */
export function clientFor(server: TestServer, overrides: Partial<HttpClientOptions> = {}) {
  const clock = { t: 0 };
  const pauses: number[] = [];
  const sleeps: number[] = [];
  const budget = createRequestBudget(
    { requestsPerSecond: 1000, concurrency: 4 },
    {
      now: () => clock.t,
      sleep: async (ms) => {
        await Promise.resolve();
        clock.t += ms;
      },
      onPause: (ms) => pauses.push(ms),
    },
  );
  const client = createHttpClient({
    connector: 'test-dam',
    baseUrl: `${server.url}/api`,
    budget,
    sleep: async (ms) => void sleeps.push(ms),
    ...overrides,
  });
  return { client, budget, pauses, sleeps };
}

/** The SitterError `p` rejects with (fails the test if it resolves or rejects with anything else). */
export async function rejection(p: Promise<unknown>): Promise<SitterError> {
  const e = await p.then(
    () => undefined,
    (err: unknown) => err,
  );
  expect(e).toBeInstanceOf(SitterError);
  return e as SitterError;
}
