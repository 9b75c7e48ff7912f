/**
 * The kit's fake-server helper (src/testing/fake-http.ts): raw queries as sent, recorded requests that
 * never keep the Authorization value, and each fault.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { startFakeHttpServer, type FakeHttpServer } from '../../src/testing/fake-http.js';

let server: FakeHttpServer | null = null;
afterEach(async () => {
  await server?.close();
  server = null;
});

describe('startFakeHttpServer', () => {
  it('hands the raw query to the handler and records requests without the Authorization value', async () => {
    server = await startFakeHttpServer((req) => ({
      json: { path: req.path, rawQuery: req.rawQuery, a: req.query.getAll('a') },
    }));
    expect(server.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    const res = await fetch(`${server.url}/api/?a=1&a=2%2C3&sign=ab`, { headers: { authorization: 'Bearer s3cret' } });
    expect(await res.json()).toEqual({ path: '/api/', rawQuery: 'a=1&a=2%2C3&sign=ab', a: ['1', '2,3'] });
    expect(server.requests).toEqual([
      expect.objectContaining({
        method: 'GET',
        path: '/api/',
        rawQuery: 'a=1&a=2%2C3&sign=ab',
        hasAuthorization: true,
        status: 200,
      }),
    ]);
    expect(JSON.stringify(server.requests)).not.toContain('s3cret');
  });

  it('injects rate limits, failures, delays and hung requests, and reset removes them', async () => {
    server = await startFakeHttpServer((req) => ({ text: `ok ${req.path}` }));
    server.faults.rateLimit(1, { retryAfter: 3 });
    server.faults.fail(1, 503, 'down', '/b');
    const limited = await fetch(`${server.url}/a`);
    expect([limited.status, limited.headers.get('retry-after')]).toEqual([429, '3']);
    expect((await fetch(`${server.url}/a`)).status).toBe(200); // the failure matches /b only
    const failed = await fetch(`${server.url}/b`);
    expect([failed.status, await failed.text()]).toEqual([503, 'down']);

    server.faults.delay(300, /^\/slow/);
    const t0 = Date.now();
    await fetch(`${server.url}/slow`);
    expect(Date.now() - t0).toBeGreaterThanOrEqual(290);

    server.faults.hang('/stuck');
    const hung = fetch(`${server.url}/stuck`, { signal: AbortSignal.timeout(300) });
    await expect(hung).rejects.toThrow();
    expect(server.requests.at(-1)).toMatchObject({ path: '/stuck', fault: 'hang', status: 0 });

    server.faults.reset();
    expect((await fetch(`${server.url}/stuck`)).status).toBe(200);
  });

  it('answers 500 when the handler throws, and keeps the error for the test', async () => {
    server = await startFakeHttpServer(() => {
      throw new Error('no such route in the fake');
    });
    const res = await fetch(`${server.url}/x`);
    expect(res.status).toBe(500);
    expect(server.handlerErrors.map((e) => e.message)).toEqual(['no such route in the fake']);
  });
});
