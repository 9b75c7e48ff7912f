import { describe, expect, it } from 'vitest';
import { BudgetRegistry, createRequestBudget } from '../../src/connectors/http/budget.js';
import type { ConnectorContext, RequestPriority } from '../../src/core/ports/connector.js';

/**
 * The request budget on real timers (p-queue's sliding window is what is under test), with rates high
 * enough that the whole file runs in about two seconds.
 */
const tick = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/** a task that holds its slot until released, so a test decides when the queue moves */
function gate(): { task: () => Promise<void>; open: () => void } {
  let open!: () => void;
  const opened = new Promise<void>((resolve) => (open = resolve));
  return { task: () => opened, open };
}

describe('request budget', () => {
  it('never exceeds requestsPerSecond in any rolling second', async () => {
    const budget = createRequestBudget({ requestsPerSecond: 10, concurrency: 4 });
    const starts: number[] = [];
    const request = () =>
      budget.run(async () => {
        starts.push(performance.now());
        await tick(5);
      });
    // Staggered arrivals: a fixed one-second window would let 5 + 5 start in its first second and 10
    // more right after it, 15 within one rolling second; a server's sliding window would answer 429.
    const early = Array.from({ length: 5 }, request);
    await tick(600);
    await Promise.all([...early, ...Array.from({ length: 15 }, request)]);
    expect(starts).toHaveLength(20);
    starts.sort((a, b) => a - b);
    // The 11th start after any start comes a full second later (a 2 ms margin for timer rounding).
    for (let i = 0; i + 10 < starts.length; i++) expect(starts[i + 10]! - starts[i]!).toBeGreaterThanOrEqual(998);
    // ... and the window is used: the last starts about 1.6 s after the first, not much later.
    expect(starts.at(-1)! - starts[0]!).toBeLessThan(2200);
    expect(budget.stats().requests).toBe(20);
  });

  it('never runs more than concurrency requests at once', async () => {
    const budget = createRequestBudget({ requestsPerSecond: 100, concurrency: 2 });
    let inFlight = 0;
    let most = 0;
    await Promise.all(
      Array.from({ length: 8 }, () =>
        budget.run(async () => {
          most = Math.max(most, ++inFlight);
          await tick(20);
          inFlight--;
        }),
      ),
    );
    expect(most).toBe(2);
  });

  it('serves interactive before push before bulk', async () => {
    const budget = createRequestBudget({ requestsPerSecond: 100, concurrency: 1 });
    const first = gate();
    const blocker = budget.run(first.task, { priority: 'bulk' });
    const order: string[] = [];
    const queued: [string, RequestPriority | undefined][] = [
      ['bulk-1', 'bulk'],
      ['push-1', 'push'],
      ['bulk-2', 'bulk'],
      ['interactive-1', 'interactive'],
      ['unnamed', undefined],
      ['interactive-2', 'interactive'],
    ];
    const done = queued.map(([name, priority]) =>
      budget.run(async () => void order.push(name), priority ? { priority } : {}),
    );
    first.open();
    await Promise.all([blocker, ...done]);
    // An unnamed priority ranks with push; equal priorities keep their order of arrival.
    expect(order).toEqual(['interactive-1', 'interactive-2', 'push-1', 'unnamed', 'bulk-1', 'bulk-2']);
  });

  it('pauseFor holds every caller', async () => {
    const paused: string[] = [];
    const budget = createRequestBudget(
      { requestsPerSecond: 100, concurrency: 4 },
      { onPause: (ms, reason) => paused.push(`${ms} ${reason}`) },
    );
    await budget.run(async () => undefined);
    const pausedAt = performance.now();
    budget.pauseFor(300, 'test server: 429');
    const started: number[] = [];
    const callers = (['interactive', 'push', 'bulk'] as const).map((priority) =>
      budget.run(async () => void started.push(performance.now() - pausedAt), { priority }),
    );
    await tick(150);
    // A shorter pause while a longer one runs changes nothing; nobody has started yet.
    budget.pauseFor(50, 'test server: 429 again');
    expect(started).toEqual([]);
    await Promise.all(callers);
    expect(started).toHaveLength(3);
    for (const ms of started) expect(ms).toBeGreaterThanOrEqual(295);
    expect(paused).toEqual(['300 test server: 429']);
    const stats = budget.stats();
    expect(stats.rateLimited).toBe(2);
    expect(stats.pausedMs).toBeGreaterThanOrEqual(299);
    expect(stats.pausedMs).toBeLessThan(310);
    expect(stats.requests).toBe(4);
  });

  it('a longer pause during a pause extends it', async () => {
    let slept = 0;
    const clock = { t: 0 };
    // An injected clock and sleep: the pause is waited out without real time passing.
    const budget = createRequestBudget(
      { requestsPerSecond: 100, concurrency: 1 },
      {
        now: () => clock.t,
        sleep: async (ms) => {
          await Promise.resolve();
          slept += ms;
          clock.t += ms;
        },
      },
    );
    budget.pauseFor(1000, 'first');
    budget.pauseFor(5000, 'longer');
    await budget.run(async () => undefined);
    expect(clock.t).toBeGreaterThanOrEqual(5000);
    expect(budget.stats().pausedMs).toBe(5000);
    expect(slept).toBeGreaterThanOrEqual(5000);
  });

  it('an aborted task leaves the queue', async () => {
    const budget = createRequestBudget({ requestsPerSecond: 100, concurrency: 1 });
    const first = gate();
    const blocker = budget.run(first.task);
    const controller = new AbortController();
    let ran = false;
    const aborted = budget.run(async () => void (ran = true), { signal: controller.signal });
    const after = budget.run(async () => 'after');
    controller.abort(new Error('the reviewer moved on'));
    await expect(aborted).rejects.toThrow('the reviewer moved on');
    first.open();
    await blocker;
    await expect(after).resolves.toBe('after');
    expect(ran).toBe(false);
    expect(budget.stats().requests).toBe(2);
  });

  it('hands a running task the signal that aborts it', async () => {
    const budget = createRequestBudget({ requestsPerSecond: 100, concurrency: 1 });
    const controller = new AbortController();
    let seen: AbortSignal | undefined;
    const running = budget.run(
      (signal) =>
        new Promise((_resolve, reject) => {
          seen = signal;
          signal.addEventListener('abort', () => reject(signal.reason as Error));
        }),
      { signal: controller.signal },
    );
    await tick(10);
    controller.abort(new Error('closed'));
    await expect(running).rejects.toThrow('closed');
    expect(seen?.aborted).toBe(true);
  });

  it('refuses a rate or concurrency that would never run anything', () => {
    expect(() => createRequestBudget({ requestsPerSecond: 0, concurrency: 1 })).toThrow(RangeError);
    expect(() => createRequestBudget({ requestsPerSecond: 2, concurrency: 0 })).toThrow(RangeError);
  });
});

describe('budget registry', () => {
  it('gives the same budget for the same key and another for another key', () => {
    const registry = new BudgetRegistry();
    const a = registry.budget('asset-bank:https://a.example', { requestsPerSecond: 2, concurrency: 2 });
    expect(registry.budget('asset-bank:https://a.example', { requestsPerSecond: 15, concurrency: 4 })).toBe(a);
    expect(registry.budget('asset-bank:https://b.example', { requestsPerSecond: 2, concurrency: 2 })).not.toBe(a);
    // Handed to a connector as its context, unbound.
    const context: ConnectorContext = { budget: registry.budget };
    expect(context.budget('asset-bank:https://a.example', { requestsPerSecond: 2, concurrency: 2 })).toBe(a);
    expect(Object.keys(registry.stats())).toEqual(['asset-bank:https://a.example', 'asset-bank:https://b.example']);
  });

  it('keeps a fractional rate under its limit', async () => {
    const budget = new BudgetRegistry().budget('slow', { requestsPerSecond: 2.5, concurrency: 1 });
    const starts: number[] = [];
    for (let i = 0; i < 3; i++) await budget.run(async () => void starts.push(performance.now()));
    expect(starts[2]! - starts[0]!).toBeGreaterThanOrEqual(795);
  });
});
