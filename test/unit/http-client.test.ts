import { afterEach, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { clientFor, rejection } from '../helpers/http-client.js';
import { sendJson, serverPool } from '../helpers/http-server.js';

/** The client's answers and refusals, against a real node:http server on 127.0.0.1. */
const serve = serverPool(afterEach);

const asset = z.object({ id: z.number(), title: z.string(), attributes: z.array(z.object({ value: z.string() })) });

describe('HTTP client', () => {
  it('sends query, rawQuery, JSON and form bodies as asked, and rawQuery byte-exact', async () => {
    const server = await serve((_req, res) => sendJson(res, 200, { ok: true }));
    const { client } = clientFor(server);
    const ok = z.object({ ok: z.boolean() });
    // What encodeURIComponent leaves alone ('!*()~) and what URL parsing would re-encode (' and ^).
    const raw = "user=ada&function=do_search&param1=!collection12&sign=9f'a*(b)~c%2Fd+e^f";
    await client.json({ path: 'api/', rawQuery: raw, schema: ok });
    await client.json({ path: '/rest/asset-search', query: { ids: [1, 2], q: 'a b&c', none: undefined }, schema: ok });
    await client.json({ path: 'rest/assets/1', method: 'PUT', body: { title: 'x' }, schema: ok });
    await client.json({ path: 'oauth/token', form: { grant_type: 'password', username: 'a b' }, schema: ok });
    expect(server.seen.map((r) => [r.method, r.url, r.contentType ?? null, r.body])).toEqual([
      ['GET', `/api/api/?${raw}`, null, ''],
      ['GET', '/api/rest/asset-search?ids=1&ids=2&q=a%20b%26c', null, ''],
      ['PUT', '/api/rest/assets/1', 'application/json', '{"title":"x"}'],
      ['POST', '/api/oauth/token', 'application/x-www-form-urlencoded', 'grant_type=password&username=a+b'],
    ]);
  });

  it('checks the answer against the schema and names the path, never the value', async () => {
    const server = await serve((_req, res) =>
      sendJson(res, 200, { id: '42', title: 'Portrait', attributes: [{ value: 'Ada Lovelace' }, { value: 7 }] }),
    );
    const { client } = clientFor(server);
    const e = await rejection(client.json({ path: 'rest/assets/42', schema: asset }));
    expect(e.code).toBe('CONNECTOR_BAD_RESPONSE');
    expect(e.message).toContain('id (invalid_type, expected number)');
    expect(e.message).toContain('attributes.1.value (invalid_type, expected string)');
    expect(`${e.message} ${e.hint}`).not.toMatch(/Ada|42"|Portrait/);
  });

  it('refuses HTML, other types and bodies over maxJsonBytes; reads JSON sent as text/plain', async () => {
    const server = await serve((req, res) => {
      if (req.url?.includes('html')) {
        res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' });
        return void res.end('<html><body>Sign in</body></html>');
      }
      if (req.url?.includes('xml')) {
        res.writeHead(200, { 'content-type': 'application/xml' });
        return void res.end('<asset/>');
      }
      if (req.url?.includes('huge')) return sendJson(res, 200, { pad: 'x'.repeat(5000) });
      res.writeHead(200, { 'content-type': 'text/plain' });
      res.end('{"ok":true}');
    });
    const { client } = clientFor(server, { maxJsonBytes: 1000 });
    const html = await rejection(client.json({ path: 'html', schema: z.unknown() }));
    expect(html.message).toContain('answered with HTML, not JSON');
    expect(html.hint).toContain('REST API is enabled');
    const xml = await rejection(client.json({ path: 'xml', schema: z.unknown() }));
    expect(xml.message).toContain('answered with "application/xml", not JSON');
    const huge = await rejection(client.json({ path: 'huge', schema: z.unknown() }));
    expect(huge.code).toBe('CONNECTOR_BAD_RESPONSE');
    expect(huge.message).toContain('more than 1000 bytes');
    expect(huge.hint).toContain('maxJsonBytes');
    await expect(client.json({ path: 'plain', schema: z.object({ ok: z.boolean() }) })).resolves.toMatchObject({
      data: { ok: true },
    });
    // Each refused once: a bad answer is not retried.
    expect(server.seen).toHaveLength(4);
  });

  it('cuts a download at maxBytes with ASSET_TOO_LARGE, declared or not', async () => {
    const server = await serve((req, res) => {
      const declared = req.url?.includes('declared');
      res.writeHead(200, { 'content-type': 'image/jpeg', ...(declared ? { 'content-length': '5000' } : {}) });
      // Undeclared: streamed in chunks, so the cut happens mid-stream.
      if (declared) return void res.end(Buffer.alloc(5000));
      for (let i = 0; i < 50; i++) res.write(Buffer.alloc(100));
      res.end();
    });
    const { client } = clientFor(server);
    for (const path of ['declared', 'chunked']) {
      const e = await rejection(client.download({ path, maxBytes: 1000 }));
      expect(e.code, path).toBe('ASSET_TOO_LARGE');
      expect(e.details, path).toMatchObject({ limit: 1000 });
    }
    await expect(client.download({ path: 'chunked', maxBytes: 5000 })).resolves.toMatchObject({
      bytes: expect.objectContaining({ byteLength: 5000 }),
    });
  });

  it('refreshes once on a 401 through onUnauthorized, then gives up with CONNECTOR_AUTH', async () => {
    let token = 'old';
    const server = await serve((req, res) => {
      if (req.headers.authorization === 'Bearer new') return sendJson(res, 200, { ok: true });
      res.writeHead(401, { 'content-type': 'application/json', 'www-authenticate': 'Bearer error="invalid_token"' });
      res.end('{"error":"invalid_token"}');
    });
    let refreshes = 0;
    const refreshing = clientFor(server, {
      authorization: async () => `Bearer ${token}`,
      onUnauthorized: async () => {
        refreshes++;
        token = 'new';
        return true;
      },
    }).client;
    await expect(refreshing.json({ path: 'x', schema: z.object({ ok: z.boolean() }) })).resolves.toMatchObject({
      status: 200,
    });
    expect(refreshes).toBe(1);
    expect(server.seen.map((r) => r.authorization)).toEqual(['Bearer old', 'Bearer new']);

    // A refresh that does not help: one more try, then CONNECTOR_AUTH with the connector's hint.
    token = 'old';
    refreshes = 0;
    const stuck = clientFor(server, {
      authorization: async () => 'Bearer revoked',
      onUnauthorized: async () => (refreshes++, true),
      authHint: 'Run `sitter connectors login SHOOT`.',
    }).client;
    const e = await rejection(stuck.json({ path: 'y', schema: z.unknown() }));
    expect(e.code).toBe('CONNECTOR_AUTH');
    expect(e.hint).toBe('Run `sitter connectors login SHOOT`.');
    expect(refreshes).toBe(1);
    // Without onUnauthorized (or when it says no), no second try at all.
    const before = server.seen.length;
    const plain = clientFor(server, { authorization: async () => 'Bearer revoked' }).client;
    expect((await rejection(plain.json({ path: 'z', schema: z.unknown() }))).code).toBe('CONNECTOR_AUTH');
    expect(server.seen.length - before).toBe(1);
  });

  it('never sends a caller-given Authorization header', async () => {
    const server = await serve((_req, res) => sendJson(res, 200, {}));
    const { client } = clientFor(server);
    await client.json({
      path: 'x',
      headers: { authorization: 'Bearer smuggled', 'X-Trace': '1' },
      schema: z.unknown(),
    });
    expect(server.seen[0]?.authorization).toBeUndefined();
  });
});
