/**
 * A real HTTP server for connector tests (the kit's fake-server helper, `sitter/testing`): 127.0.0.1,
 * port 0, node:http only, so a plugin author's fake DAM answers exactly the bytes a real one would
 * (raw query strings for signed APIs, 303s to another host, text/plain errors) and the connector under
 * test runs its real HTTP stack against it.
 *
 * It records every request without ever keeping the Authorization value (only whether one was sent),
 * so a test can assert "no token reached the content host" and a recorded request can be printed.
 * Faults are injected in front of the handler: rate limiting, failures, delays and hung requests.
 */
import { createServer, type IncomingHttpHeaders, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/** One request as the handler sees it. */
export interface FakeRequest {
  method: string;
  /** the path without the query, as sent (not decoded) */
  path: string;
  /** the query string exactly as sent, without the `?` (signed APIs check these bytes) */
  rawQuery: string;
  /** the parsed query; `getAll` gives every value of a repeated key */
  query: URLSearchParams;
  /** lower-case header names; `authorization` included, so the fake can check a token */
  headers: IncomingHttpHeaders;
  /** the request body as received */
  body: Buffer;
  /** the body as UTF-8 text */
  text(): string;
  /** the body parsed as JSON (throws on invalid JSON) */
  json(): unknown;
  /** the body parsed as `application/x-www-form-urlencoded` */
  form(): URLSearchParams;
}

/** What the handler answers. `json` sets `application/json`, `text` sets `text/plain`. */
export interface FakeResponse {
  status?: number;
  headers?: Record<string, string>;
  json?: unknown;
  text?: string;
  body?: Uint8Array | string;
}

/** One recorded request: never the Authorization value. */
export interface RecordedRequest {
  at: Date;
  method: string;
  path: string;
  rawQuery: string;
  hasAuthorization: boolean;
  /** the status answered (0 while pending or when hung) */
  status: number;
  /** the fault that answered instead of the handler, if any */
  fault?: 'rate-limit' | 'fail' | 'hang';
  /** bytes of the response body */
  bytesSent: number;
}

/** Which requests a fault applies to: a path prefix, a pattern over the path, or a predicate. */
export type RequestMatch = string | RegExp | ((request: { method: string; path: string; rawQuery: string }) => boolean);

export interface FakeFaults {
  /** the next `n` matching requests answer 429 with `Retry-After: retryAfter` (seconds, default 1) */
  rateLimit(n: number, options?: { retryAfter?: number; match?: RequestMatch }): void;
  /** the next `n` matching requests answer `status` with a text/plain `body` */
  fail(n: number, status: number, body?: string, match?: RequestMatch): void;
  /** every matching request waits `ms` before it is handled (until reset) */
  delay(ms: number, match?: RequestMatch): void;
  /** every matching request is never answered (until reset or close) */
  hang(match?: RequestMatch): void;
  /** removes every fault */
  reset(): void;
}

export type FakeHandler = (request: FakeRequest) => FakeResponse | Promise<FakeResponse>;

export interface FakeHttpServer {
  /** `http://127.0.0.1:PORT` */
  url: string;
  /** `127.0.0.1:PORT` */
  host: string;
  requests: RecordedRequest[];
  faults: FakeFaults;
  /** errors the handler threw (answered 500): a test can assert there were none */
  handlerErrors: Error[];
  /** stops the server and drops every open connection, hung ones included; idempotent */
  close(): Promise<void>;
}

/** Largest request body the fake reads (a connector sending more is a bug worth seeing). */
const MAX_REQUEST_BYTES = 32 * 1024 * 1024;

interface CountedFault {
  left: number;
  match: RequestMatch | undefined;
  answer: FakeResponse;
  kind: 'rate-limit' | 'fail';
}

function matches(match: RequestMatch | undefined, req: { method: string; path: string; rawQuery: string }): boolean {
  if (match === undefined) return true;
  if (typeof match === 'string') return req.path.startsWith(match);
  if (match instanceof RegExp) return match.test(req.path);
  return match(req);
}

function readBody(req: IncomingMessage): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > MAX_REQUEST_BYTES) {
        reject(new Error(`request body over ${MAX_REQUEST_BYTES} bytes`));
        req.destroy();
        return;
      }
      chunks.push(chunk);
    });
    req.on('end', () => resolve(Buffer.concat(chunks)));
    req.on('error', reject);
  });
}

function toFakeRequest(req: IncomingMessage, body: Buffer): FakeRequest {
  const url = req.url ?? '/';
  const q = url.indexOf('?');
  const path = q < 0 ? url : url.slice(0, q);
  const rawQuery = q < 0 ? '' : url.slice(q + 1);
  return {
    method: req.method ?? 'GET',
    path,
    rawQuery,
    query: new URLSearchParams(rawQuery),
    headers: req.headers,
    body,
    text: () => body.toString('utf8'),
    json: () => JSON.parse(body.toString('utf8')) as unknown,
    form: () => new URLSearchParams(body.toString('utf8')),
  };
}

function send(res: ServerResponse, answer: FakeResponse): number {
  const headers: Record<string, string> = {};
  let payload: Buffer;
  if (answer.json !== undefined) {
    headers['content-type'] = 'application/json';
    payload = Buffer.from(JSON.stringify(answer.json));
  } else if (answer.text !== undefined) {
    headers['content-type'] = 'text/plain;charset=UTF-8';
    payload = Buffer.from(answer.text);
  } else if (answer.body !== undefined) {
    payload = typeof answer.body === 'string' ? Buffer.from(answer.body) : Buffer.from(answer.body);
  } else {
    payload = Buffer.alloc(0);
  }
  for (const [k, v] of Object.entries(answer.headers ?? {})) headers[k.toLowerCase()] = v;
  headers['content-length'] = String(payload.length);
  res.writeHead(answer.status ?? 200, headers);
  res.end(payload);
  return payload.length;
}

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/** Starts a fake HTTP server on 127.0.0.1, port 0. */
export async function startFakeHttpServer(handler: FakeHandler): Promise<FakeHttpServer> {
  const requests: RecordedRequest[] = [];
  const handlerErrors: Error[] = [];
  let counted: CountedFault[] = [];
  let delays: { ms: number; match: RequestMatch | undefined }[] = [];
  let hangs: (RequestMatch | undefined)[] = [];

  const faults: FakeFaults = {
    rateLimit(n, options = {}) {
      const retryAfter = String(options.retryAfter ?? 1);
      counted.push({
        left: n,
        match: options.match,
        kind: 'rate-limit',
        answer: { status: 429, headers: { 'retry-after': retryAfter }, text: 'Too Many Requests' },
      });
    },
    fail(n, status, body = `fault ${status}`, match) {
      counted.push({ left: n, match, kind: 'fail', answer: { status, text: body } });
    },
    delay(ms, match) {
      delays.push({ ms, match });
    },
    hang(match) {
      hangs.push(match);
    },
    reset() {
      counted = [];
      delays = [];
      hangs = [];
    },
  };

  const server = createServer((req, res) => {
    void (async () => {
      const body = await readBody(req);
      const request = toFakeRequest(req, body);
      const record: RecordedRequest = {
        at: new Date(),
        method: request.method,
        path: request.path,
        rawQuery: request.rawQuery,
        hasAuthorization: req.headers.authorization !== undefined,
        status: 0,
        bytesSent: 0,
      };
      requests.push(record);
      if (hangs.some((m) => matches(m, request))) {
        record.fault = 'hang';
        return; // never answered: close() drops the socket
      }
      for (const d of delays) if (matches(d.match, request)) await sleep(d.ms);
      const fault = counted.find((f) => f.left > 0 && matches(f.match, request));
      let answer: FakeResponse;
      if (fault) {
        fault.left--;
        record.fault = fault.kind;
        answer = fault.answer;
      } else {
        try {
          answer = await handler(request);
        } catch (e) {
          const error = e instanceof Error ? e : new Error(String(e));
          handlerErrors.push(error);
          answer = { status: 500, text: `fake handler error: ${error.message}` };
        }
      }
      if (res.destroyed) return;
      record.status = answer.status ?? 200;
      record.bytesSent = send(res, answer);
    })().catch(() => {
      if (!res.headersSent && !res.destroyed) send(res, { status: 400, text: 'unreadable request' });
    });
  });

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  let closed: Promise<void> | null = null;

  return {
    url: `http://127.0.0.1:${port}`,
    host: `127.0.0.1:${port}`,
    requests,
    faults,
    handlerErrors,
    close() {
      closed ??= new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      });
      return closed;
    },
  };
}
