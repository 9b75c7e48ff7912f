import { afterEach, describe, expect, it } from 'vitest';
import { z } from 'zod';
import type { SitterError } from '../../src/core/domain/errors.js';
import { createRequestBudget } from '../../src/connectors/http/budget.js';
import { createHttpClient } from '../../src/connectors/http/client.js';
import { backoffMs, parseRetryAfter } from '../../src/connectors/http/retry.js';
import { clientFor, rejection } from '../helpers/http-client.js';
import { sendJson, serverPool, type Handler } from '../helpers/http-server.js';

/**
 * The retry policy through the real client against a real node:http server. Waits are injected: the
 * budget's pauses run on a fake clock and backoff sleeps are recorded, not slept.
 */
const ok = z.object({ ok: z.literal(true) });

const serve = serverPool(afterEach);

/** `status` for the first `times` requests, then `{ok:true}`. */
function failingThen(status: number, times: number, headers: Record<string, string> = {}): Handler {
  return (_req, res, _body, n) => {
    if (n <= times) {
      res.writeHead(status, { 'content-type': 'text/plain', ...headers });
      res.end(`failure ${n}`);
    } else sendJson(res, 200, { ok: true });
  };
}

describe('HTTP retry policy', () => {
  it('parses Retry-After as seconds and as an HTTP date', async () => {
    const now = Date.parse('2026-11-28T22:00:00Z');
    expect(parseRetryAfter('120', now)).toBe(120_000);
    expect(parseRetryAfter(' 0 ', now)).toBe(0);
    expect(parseRetryAfter('1.5', now)).toBe(1500);
    expect(parseRetryAfter('Sat, 28 Nov 2026 22:00:30 GMT', now)).toBe(30_000);
    expect(parseRetryAfter('Sat, 28 Nov 2026 21:59:00 GMT', now)).toBe(0);
    for (const bad of [undefined, '', '-5', 'soon', '12abc']) expect(parseRetryAfter(bad, now)).toBeUndefined();

    // Through the client: a 429 with an HTTP date pauses the budget for that long (a second of slack
    // for the date's whole-second precision), and the request then succeeds.
    const inAMinute = new Date(Date.now() + 60_000).toUTCString();
    const server = await serve(failingThen(429, 1, { 'retry-after': inAMinute }));
    const { client, pauses } = clientFor(server);
    await expect(client.json({ path: 'x', schema: ok })).resolves.toMatchObject({ data: { ok: true } });
    expect(pauses).toHaveLength(1);
    expect(pauses[0]).toBeGreaterThan(58_000);
    expect(pauses[0]).toBeLessThanOrEqual(60_000);
  });

  it('backs off from half a second, doubling, jittered, up to 30 s', () => {
    expect(backoffMs(0, () => 0)).toBe(250);
    expect(backoffMs(0, () => 1)).toBe(500);
    expect(backoffMs(3, () => 1)).toBe(4000);
    expect(backoffMs(20, () => 1)).toBe(30_000);
  });

  it('retries 429, 408 and 5xx but no other 4xx', async () => {
    for (const status of [408, 500, 502, 503, 504, 429]) {
      const server = await serve(failingThen(status, 2));
      const { client } = clientFor(server, { maxRetries: 2 });
      await expect(client.json({ path: 'x', schema: ok }), `status ${status}`).resolves.toMatchObject({
        status: 200,
      });
      expect(server.seen, `status ${status}`).toHaveLength(3);
    }
    const expected: Record<number, string> = {
      400: 'CONNECTOR_REQUEST_REFUSED',
      401: 'CONNECTOR_AUTH',
      403: 'ASSET_ACCESS_DENIED',
      404: 'ASSET_NOT_FOUND',
      409: 'CONNECTOR_REQUEST_REFUSED',
      410: 'ASSET_NOT_FOUND',
      422: 'CONNECTOR_REQUEST_REFUSED',
    };
    for (const [status, code] of Object.entries(expected)) {
      const server = await serve(failingThen(Number(status), 5));
      const { client, sleeps } = clientFor(server, { maxRetries: 3 });
      const e = await rejection(client.json({ path: 'assets/7', schema: ok }));
      expect(e.code, `status ${status}`).toBe(code);
      expect(e.message).toContain(`answered ${status}`);
      expect(e.message).toContain('test-dam');
      expect(e.details).toMatchObject({ status: Number(status), method: 'GET', url: `${server.url}/api/assets/7` });
      expect(server.seen, `status ${status}`).toHaveLength(1);
      expect(sleeps).toEqual([]);
    }
  });

  it('quotes a short text/plain refusal, without control characters', async () => {
    const server = await serve((_req, res) => {
      res.writeHead(400, { 'content-type': 'text/plain' });
      res.end(`Attribute 704 may not be blank\u001b[31m\n${'x'.repeat(400)}`);
    });
    const { client } = clientFor(server);
    const e = await rejection(client.json({ path: 'assets/7', method: 'PUT', body: {}, schema: ok }));
    expect(e.message).toContain('"Attribute 704 may not be blank [31m xxx');
    expect(e.message).not.toContain('\u001b');
    expect(e.message.length).toBeLessThan(400);
  });

  it('gives up on transient failures after maxRetries with CONNECTOR_TRANSIENT, backing off between', async () => {
    const server = await serve(failingThen(503, 100));
    const { client, sleeps } = clientFor(server, { maxRetries: 3 });
    const e = await rejection(client.json({ path: 'x', schema: ok }));
    expect(e.code).toBe('CONNECTOR_TRANSIENT');
    expect(e.details).toMatchObject({ status: 503 });
    expect(server.seen).toHaveLength(4);
    expect(sleeps).toHaveLength(3);
    // Jittered doubling: each wait lies in [base/2, base] for base 500, 1000, 2000.
    sleeps.forEach((ms, i) => {
      expect(ms).toBeGreaterThanOrEqual(250 * 2 ** i);
      expect(ms).toBeLessThanOrEqual(500 * 2 ** i);
    });
  });

  it('429 waits use no retries and end in CONNECTOR_RATE_LIMITED', async () => {
    // With no retries at all, a burst of 429s is still waited out...
    const burst = await serve(failingThen(429, 3, { 'retry-after': '2' }));
    const first = clientFor(burst, { maxRetries: 0 });
    await expect(first.client.json({ path: 'x', schema: ok })).resolves.toMatchObject({ status: 200 });
    expect(first.pauses).toEqual([2000, 2000, 2000]);
    expect(first.budget.stats()).toMatchObject({ rateLimited: 3, pausedMs: 6000, requests: 4 });

    // ...and 429s leave the retries to transient failures: two 429s, then a 503, with one retry allowed.
    const mixed = await serve((_req, res, _body, n) => {
      if (n <= 2) res.writeHead(429, { 'retry-after': '1' }).end();
      else if (n === 3) res.writeHead(503).end();
      else sendJson(res, 200, { ok: true });
    });
    const mixedClient = clientFor(mixed, { maxRetries: 1 });
    await expect(mixedClient.client.json({ path: 'x', schema: ok })).resolves.toMatchObject({ status: 200 });
    expect(mixedClient.pauses).toEqual([1000, 1000]);
    expect(mixedClient.sleeps).toHaveLength(1);

    // ...until the waits would pass maxRateLimitWaitMs: then CONNECTOR_RATE_LIMITED, with what the server asked.
    const storm = await serve(failingThen(429, 1000, { 'retry-after': '2' }));
    const second = clientFor(storm, { maxRetries: 0, maxRateLimitWaitMs: 9_000 });
    const e = await rejection(second.client.json({ path: 'x', schema: ok }));
    expect(e.code).toBe('CONNECTOR_RATE_LIMITED');
    expect(e.details).toMatchObject({ retryAfterMs: 2000, status: 429, method: 'GET' });
    expect(e.hint).toContain('requestsPerSecond');
    expect(storm.seen).toHaveLength(5);
    expect(second.pauses).toEqual([2000, 2000, 2000, 2000]);
    expect(second.sleeps).toEqual([]);

    // A "Retry-After: 0" storm ends too: every wait counts at least half a second.
    const zero = await serve(failingThen(429, 1000, { 'retry-after': '0' }));
    const third = clientFor(zero, { maxRateLimitWaitMs: 5_000 });
    expect((await rejection(third.client.json({ path: 'x', schema: ok }))).code).toBe('CONNECTOR_RATE_LIMITED');
    expect(zero.seen).toHaveLength(11);
  });

  it('every request has a timeout', async () => {
    // A server that never answers, and one that sends headers and then stalls the body.
    const hung = await serve(() => undefined);
    const stalled = await serve((_req, res) => {
      res.writeHead(200, { 'content-type': 'image/jpeg', 'content-length': '1000' });
      res.write(Buffer.alloc(10));
    });
    const api = clientFor(hung, { timeoutMs: 100, maxRetries: 1 });
    const started = performance.now();
    const e = await rejection(api.client.json({ path: 'x', schema: ok }));
    expect(e.code).toBe('CONNECTOR_TRANSIENT');
    expect(e.message).toContain('did not answer within 100 ms');
    expect(hung.seen).toHaveLength(2);
    expect(performance.now() - started).toBeLessThan(2000);

    const dl = clientFor(stalled, { downloadTimeoutMs: 150, maxRetries: 0 });
    const d = await rejection(dl.client.download({ path: 'content', maxBytes: 10_000 }));
    expect(d.code).toBe('CONNECTOR_TRANSIENT');
    expect(d.message).toContain('did not answer within 150 ms');
  });

  it('errors never carry headers, bodies or signed queries', async () => {
    const TOKEN = 'Bearer tok-CANARY-1';
    const SIGNATURE = 'sig-CANARY-2';
    const server = await serve((req, res) => {
      const status = req.url?.includes('five') ? 500 : req.url?.includes('html') ? 200 : 418;
      res.writeHead(status, {
        'content-type': req.url?.includes('html') ? 'text/html' : 'application/json',
        'set-cookie': 'session=cookie-CANARY-3',
        'x-debug': 'header-CANARY-4',
      });
      res.end(
        req.url?.includes('html')
          ? '<html>login page body-CANARY-5</html>'
          : JSON.stringify({ echo: 'body-CANARY-5', name: 'Ada Lovelace' }),
      );
    });
    const hung = await serve(() => undefined);
    const { client } = clientFor(server, { maxRetries: 1, authorization: async () => TOKEN });
    const unreachable = clientFor(hung, { timeoutMs: 50, maxRetries: 0, authorization: async () => TOKEN }).client;
    const refused = createHttpClient({
      connector: 'test-dam',
      baseUrl: 'http://127.0.0.1:9/api',
      budget: createRequestBudget({ requestsPerSecond: 100, concurrency: 1 }),
      authorization: async () => TOKEN,
      maxRetries: 0,
    });
    const failures = await Promise.all([
      client.json({ path: 'five', rawQuery: `sign=${SIGNATURE}`, schema: ok }).catch((e: unknown) => e),
      client.json({ path: 'teapot', query: { sign: SIGNATURE }, schema: ok }).catch((e: unknown) => e),
      client.json({ path: 'html', rawQuery: `sign=${SIGNATURE}`, schema: ok }).catch((e: unknown) => e),
      client.download({ path: 'five', rawQuery: `sign=${SIGNATURE}`, maxBytes: 10 }).catch((e: unknown) => e),
      unreachable.json({ path: 'x', query: { sign: SIGNATURE }, schema: ok }).catch((e: unknown) => e),
      refused.json({ path: 'x', query: { sign: SIGNATURE }, schema: ok }).catch((e: unknown) => e),
    ]);
    expect(failures.map((e) => (e as SitterError).code)).toEqual([
      'CONNECTOR_TRANSIENT',
      'CONNECTOR_REQUEST_REFUSED',
      'CONNECTOR_BAD_RESPONSE',
      'CONNECTOR_TRANSIENT',
      'CONNECTOR_TRANSIENT',
      'CONNECTOR_TRANSIENT',
    ]);
    for (const e of failures) {
      const err = e as SitterError;
      // Everything an error could carry out: message, hint, details, stack and the whole cause chain.
      const seen = [err.message, err.hint, JSON.stringify(err.details), err.stack, JSON.stringify(err.toJSON())];
      for (let c: unknown = err.cause; c; c = (c as Error).cause) seen.push(String(c), JSON.stringify(c));
      const text = seen.join('\n');
      expect(err.cause, err.message).toBeUndefined();
      for (const canary of ['CANARY', 'Ada Lovelace', 'sign=', 'tok-'])
        expect(text, `${err.code}: ${err.message}`).not.toContain(canary);
    }
    // The HTML answer says what it is and what to check.
    expect((failures[2] as SitterError).message).toContain('answered with HTML, not JSON');
    expect((failures[2] as SitterError).hint).toContain("connector's URL");
    // The requests did go out with the token and the query as asked.
    expect(server.seen[0]).toMatchObject({ url: `/api/five?sign=${SIGNATURE}`, authorization: TOKEN });
  });
});

describe('HTTP client cancellation', () => {
  it("passes the caller's abort through, unretried, and close() ends everything in flight", async () => {
    const hung = await serve(() => undefined);
    const { client, sleeps } = clientFor(hung, { maxRetries: 3 });
    const controller = new AbortController();
    const asked = client.json({ path: 'x', schema: ok, signal: controller.signal });
    const inFlight = client.download({ path: 'y', maxBytes: 10 });
    await new Promise((resolve) => setTimeout(resolve, 50));
    controller.abort();
    await expect(asked).rejects.toMatchObject({ name: 'AbortError' });
    client.close();
    client.close();
    await expect(inFlight).rejects.toMatchObject({ name: 'AbortError' });
    await expect(client.json({ path: 'z', schema: ok })).rejects.toMatchObject({ name: 'AbortError' });
    expect(hung.seen).toHaveLength(2);
    expect(sleeps).toEqual([]);
  });
});
