import https from 'node:https';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { checkRedirect, hostMatches } from '../../src/connectors/http/redirects.js';
import { clientFor, rejection } from '../helpers/http-client.js';
import { serverPool, TEST_TLS, type TestServer } from '../helpers/http-server.js';

/**
 * Downloads follow one redirect to an allowed host, bare; everything else is refused without a
 * request to the target. The API runs on 127.0.0.1; `localhost` (same machine) plays the content host.
 */
const serve = serverPool(afterEach);
const TOKEN = 'Bearer tok-REDIRECT';
/** an S3-style signed query: the bytes must reach the content host as they are, and no message */
const SIGNED =
  'X-Amz-Credential=AKIA%2F20261128%2Fus-east-1&X-Amz-Signature=abc123SIG&response-content-type=image%2Fjpeg';

// The test certificate, trusted for this file's https servers only (each test file runs in its own fork).
beforeAll(() => {
  https.globalAgent.options.ca = TEST_TLS.cert;
});

/** An API whose `/api/content` redirects to `location(contentServer)` with `status`. */
async function redirecting(
  location: (content: TestServer) => string,
  { status = 303, apiTls = false, contentTls = false } = {},
) {
  const content = await serve(
    (_req, res) => {
      res.writeHead(200, { 'content-type': 'image/jpeg' });
      res.end(Buffer.from([0xff, 0xd8, 0xff, 0xe0, 1, 2, 3]));
    },
    { tls: contentTls },
  );
  const api = await serve(
    (_req, res) => {
      res.writeHead(status, { location: location(content) });
      res.end();
    },
    { tls: apiTls },
  );
  return { api, content };
}

describe('download redirects', () => {
  it('follows 303 to an allowed https host without Authorization', async () => {
    // https to https: the API on 127.0.0.1, the content host under the name localhost.
    const { api, content } = await redirecting((c) => `${c.otherHostUrl}/bucket/photo.jpg?${SIGNED}`, {
      apiTls: true,
      contentTls: true,
    });
    expect(content.otherHostUrl).toMatch(/^https:/);
    const { client } = clientFor(api, { contentHosts: ['localhost'], authorization: async () => TOKEN });
    const got = await client.download({ path: 'content', query: { id: 7 }, maxBytes: 1000 });
    expect([...got.bytes]).toEqual([0xff, 0xd8, 0xff, 0xe0, 1, 2, 3]);
    expect(got.contentType).toBe('image/jpeg');
    expect(got.host).toBe(new URL(content.otherHostUrl).host);
    expect(api.seen).toMatchObject([{ url: '/api/content?id=7', authorization: TOKEN }]);
    // The content host got the signed query byte for byte, and no token.
    expect(content.seen).toMatchObject([{ url: `/bucket/photo.jpg?${SIGNED}`, authorization: undefined }]);

    // 302 and 307 too (plain http between loopback addresses), and to the API's own host without a contentHosts entry; still without the token.
    for (const status of [302, 307]) {
      const self = await serve((req, res) => {
        if (req.url?.startsWith('/api/content')) {
          res.writeHead(status, { location: `${self.url}/files/1.jpg` });
          return void res.end();
        }
        res.writeHead(200, { 'content-type': 'image/jpeg' });
        res.end('jpeg');
      });
      const { client: c } = clientFor(self, { authorization: async () => TOKEN });
      await expect(c.download({ path: 'content', maxBytes: 100 })).resolves.toMatchObject({
        host: new URL(self.url).host,
      });
      expect(self.seen.map((r) => [r.url, r.authorization])).toEqual([
        ['/api/content', TOKEN],
        ['/files/1.jpg', undefined],
      ]);
    }
  });

  it('refuses another scheme, a downgrade and an unconfigured host', async () => {
    const cases: [string, (c: TestServer) => string, string][] = [
      ['relative', () => `/bucket/photo.jpg?${SIGNED}`, 'to a relative address'],
      ['ftp', (c) => `ftp://${new URL(c.otherHostUrl).host}/photo.jpg?${SIGNED}`, 'to a ftp: address'],
      ['file', () => 'file:///etc/passwd', 'to a file: address'],
      ['data', () => 'data:image/jpeg;base64,/9j/', 'to a data: address'],
      [
        'unlisted',
        (c) => `${c.otherHostUrl}/photo.jpg?${SIGNED}`,
        'which is neither its own host nor in contentHosts (*.amazonaws.com)',
      ],
      ['missing', () => '', 'without a Location'],
    ];
    for (const [name, location, why] of cases) {
      const { api, content } = await redirecting(location);
      const { client } = clientFor(api, { contentHosts: ['*.amazonaws.com'], authorization: async () => TOKEN });
      const e = await rejection(client.download({ path: 'content', maxBytes: 1000 }));
      expect(e.code, name).toBe('CONNECTOR_BAD_RESPONSE');
      expect(e.message, name).toContain(why);
      expect(e.message, name).toContain('test-dam');
      expect(`${e.message} ${e.hint} ${JSON.stringify(e.details)}`, name).not.toContain('SIG');
      expect(content.seen, name).toEqual([]);
    }
    // From https down to http, even to an allowed host: refused, nothing asked of it.
    const downgrade = await redirecting((c) => `${c.otherHostUrl}/photo.jpg?${SIGNED}`, { apiTls: true });
    const d = await rejection(
      clientFor(downgrade.api, { contentHosts: ['localhost'] }).client.download({ path: 'content', maxBytes: 1000 }),
    );
    expect(d.message).toContain(`from https down to http (${new URL(downgrade.content.otherHostUrl).host})`);
    expect(d.message).not.toContain('SIG');
    expect(downgrade.content.seen).toEqual([]);

    const unlisted = await redirecting((c) => `${c.otherHostUrl}/photo.jpg?${SIGNED}`);
    const { client } = clientFor(unlisted.api);
    const e = await rejection(client.download({ path: 'content', maxBytes: 1000 }));
    expect(e.message).toContain(`to ${new URL(unlisted.content.otherHostUrl).host}`);
    expect(e.hint).toContain('contentHosts');

    // Schemes and hosts that the loopback servers cannot play: checked on the rule itself.
    const rules = {
      connector: 'test-dam',
      apiBase: new URL('https://dam.example/app/'),
      contentHosts: ['*.s3.example'],
    };
    const from = new URL('https://dam.example/app/rest/assets/1/content');
    expect(checkRedirect(from, `https://bucket.s3.example/o?${SIGNED}`, rules).host).toBe('bucket.s3.example');
    expect(checkRedirect(from, 'https://dam.example/files/1', rules).host).toBe('dam.example');
    expect(() => checkRedirect(from, `http://bucket.s3.example/o?${SIGNED}`, rules)).toThrow(
      'from https down to http (bucket.s3.example)',
    );
    expect(() => checkRedirect(from, 'http://dam.example/files/1', rules)).toThrow('from https down to http');
    expect(() => checkRedirect(from, `https://evil.example/o?${SIGNED}`, rules)).toThrow('to evil.example, which');
    expect(() => checkRedirect(from, 'https://s3.example.evil.example/o', rules)).toThrow('which is neither');
    const plainFrom = new URL('http://dam.example/app/x');
    expect(() => checkRedirect(plainFrom, 'http://dam.example/files/1', rules)).toThrow('to a http: address');
  });

  it('follows no redirect on an API call, and only one on a download', async () => {
    const api = await serve((req, res) => {
      res.writeHead(303, { location: `${api.url}/api/elsewhere` });
      res.end();
    });
    const { client } = clientFor(api);
    const e = await rejection(client.json({ path: 'assets/1', schema: z.unknown() }));
    expect(e.code).toBe('CONNECTOR_BAD_RESPONSE');
    expect(e.message).toContain('answered 303, a redirect Sitter does not follow here');
    expect(api.seen).toHaveLength(1);

    const twice = await serve((req, res) => {
      res.writeHead(303, { location: `${twice.url}/again${req.url}` });
      res.end();
    });
    const second = await rejection(clientFor(twice).client.download({ path: 'content', maxBytes: 10 }));
    expect(second.code).toBe('CONNECTOR_BAD_RESPONSE');
    expect(twice.seen).toHaveLength(2);
  });

  it('matches content-host patterns by whole labels', () => {
    expect(hostMatches('bucket.s3.amazonaws.com', '*.amazonaws.com')).toBe(true);
    expect(hostMatches('BUCKET.S3.AMAZONAWS.COM', '*.amazonaws.com')).toBe(true);
    expect(hostMatches('amazonaws.com', '*.amazonaws.com')).toBe(false);
    expect(hostMatches('evilamazonaws.com', '*.amazonaws.com')).toBe(false);
    expect(hostMatches('cdn.example.com', 'cdn.example.com')).toBe(true);
    expect(hostMatches('cdn.example.com.evil', 'cdn.example.com')).toBe(false);
  });
});
