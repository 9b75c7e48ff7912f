/**
 * The second server Asset Bank's `/content` and `/transform` answer 303 to (S3 or a servlet on a real
 * instance): URLs signed with an HMAC and an expiry, like a pre-signed S3 URL. It needs no credentials,
 * so any Authorization header it receives is a leaked token: recorded as a violation for tests to check.
 */
import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import { startFakeHttpServer, type FakeHttpServer, type FakeRequest } from '../../../src/testing/fake-http.js';

export interface ContentObject {
  bytes: Uint8Array;
  mediaType: string;
}

export interface ContentHost {
  server: FakeHttpServer;
  /** a signed URL for `key`, valid for `ttlSeconds` */
  sign(key: string, ttlSeconds: number): string;
  /** requests that carried an Authorization header (never the value) */
  violations: { at: Date; path: string }[];
  close(): Promise<void>;
}

/**
 * `resolve(key)` gives the bytes for a signed key (or null: 404); the key is the path after `/files/`.
 */
export async function startContentHost(
  resolve: (key: string) => Promise<ContentObject | null>,
  now: () => number,
): Promise<ContentHost> {
  const secret = randomBytes(32);
  const violations: ContentHost['violations'] = [];
  const mac = (key: string, expires: string) => createHmac('sha256', secret).update(`${key}\n${expires}`).digest('hex');

  const handler = async (req: FakeRequest) => {
    if (req.headers.authorization !== undefined) violations.push({ at: new Date(), path: req.path });
    if (req.method !== 'GET' || !req.path.startsWith('/files/')) return { status: 404, text: 'Not Found' };
    const key = decodeURIComponent(req.path.slice('/files/'.length));
    const expires = req.query.get('X-Expires') ?? '';
    const signature = req.query.get('X-Signature') ?? '';
    const expected = Buffer.from(mac(key, expires));
    const given = Buffer.from(signature);
    if (given.length !== expected.length || !timingSafeEqual(given, expected))
      return { status: 403, text: 'SignatureDoesNotMatch' };
    if (!(Number(expires) * 1000 > now())) return { status: 403, text: 'Request has expired' };
    const object = await resolve(key);
    if (!object) return { status: 404, text: 'NoSuchKey' };
    return { status: 200, headers: { 'content-type': object.mediaType }, body: object.bytes };
  };

  const server = await startFakeHttpServer(handler);
  return {
    server,
    violations,
    sign(key, ttlSeconds) {
      const expires = String(Math.floor(now() / 1000) + ttlSeconds);
      return `${server.url}/files/${encodeURIComponent(key)}?X-Expires=${expires}&X-Signature=${mac(key, expires)}`;
    },
    close: () => server.close(),
  };
}
