import { readFileSync } from 'node:fs';
import { createServer, type IncomingMessage, type RequestListener, type Server, type ServerResponse } from 'node:http';
import { createServer as createTlsServer } from 'node:https';
import type { AddressInfo } from 'node:net';

/**
 * A self-signed certificate for `localhost` and 127.0.0.1, made for these tests only (never trusted
 * outside them): https servers use it, and a test trusts it through `https.globalAgent.options.ca`.
 */
export const TEST_TLS = {
  cert: readFileSync(new URL('../fixtures/tls/test-only.crt', import.meta.url)),
  key: readFileSync(new URL('../fixtures/tls/test-only.key', import.meta.url)),
};

/**
 * A bare node:http server on 127.0.0.1, port 0, for the HTTP toolkit's own tests: the handler writes
 * raw answers (hung requests, stalled bodies, odd headers), and every request is recorded as it came.
 */
export interface SeenRequest {
  method: string;
  /** the request target exactly as sent: path and raw query */
  url: string;
  authorization: string | undefined;
  contentType: string | undefined;
  body: string;
}

export interface TestServer {
  /** `http://127.0.0.1:PORT` */
  url: string;
  /** the same server under the name `localhost`: another host to redirect to */
  otherHostUrl: string;
  seen: SeenRequest[];
  close(): Promise<void>;
}

export type Handler = (req: IncomingMessage, res: ServerResponse, body: string, n: number) => void | Promise<void>;

/** `tls`: https with the test certificate. */
export async function startServer(handler: Handler, options: { tls?: boolean } = {}): Promise<TestServer> {
  const seen: SeenRequest[] = [];
  const listener: RequestListener = (req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const body = Buffer.concat(chunks).toString('utf8');
      seen.push({
        method: req.method ?? '',
        url: req.url ?? '',
        authorization: req.headers.authorization,
        contentType: req.headers['content-type'],
        body,
      });
      void Promise.resolve(handler(req, res, body, seen.length)).catch((e: unknown) => {
        res.statusCode = 599;
        res.end(String(e));
      });
    });
  };
  const server: Server = options.tls ? createTlsServer(TEST_TLS, listener) : createServer(listener);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  const scheme = options.tls ? 'https' : 'http';
  return {
    url: `${scheme}://127.0.0.1:${port}`,
    otherHostUrl: `${scheme}://localhost:${port}`,
    seen,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/** Answers JSON. */
export function sendJson(res: ServerResponse, status: number, value: unknown, headers: Record<string, string> = {}) {
  res.writeHead(status, { 'content-type': 'application/json', ...headers });
  res.end(JSON.stringify(value));
}

/** Starts servers for one test file and closes them after each test. */
export function serverPool(
  afterEach: (fn: () => Promise<void>) => void,
): (handler: Handler, options?: { tls?: boolean }) => Promise<TestServer> {
  let servers: TestServer[] = [];
  afterEach(async () => {
    await Promise.all(servers.map((s) => s.close()));
    servers = [];
  });
  return async (handler, options) => {
    const server = await startServer(handler, options);
    servers.push(server);
    return server;
  };
}
