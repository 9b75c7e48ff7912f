/**
 * The HTTP client every REST connector uses (types.ts states the policy), on axios: every attempt
 * runs inside the connector's request budget, under its own deadline, through the retry policy
 * (retry.ts); answers become typed failures (failures.ts) made fresh, never wrapping the axios error,
 * which holds the request's headers (the Bearer token) and the full URL (signed queries).
 */
import type { Readable } from 'node:stream';
import axios, { AxiosHeaders, type AxiosResponse } from 'axios';
import PQueue from 'p-queue';
import { SitterError } from '../../core/domain/errors.js';
import {
  closedError,
  failure,
  isRetried,
  statusFailure,
  timeoutFailure,
  transportFailure,
  Unauthorized,
  type RequestContext,
} from './failures.js';
import { lenientBody, parseJsonBody, validated } from './json-answer.js';
import { checkRedirect, FOLLOWED_REDIRECTS } from './redirects.js';
import { apiBase, queryText, resolvePath } from './request-url.js';
import { abortableSleep, parseRetryAfter, withRetries } from './retry.js';
import { readCapped, tooLarge } from './download-body.js';
import { flatHeaders, redactUrl } from './sanitize.js';
import type {
  DownloadRequest,
  DownloadResponse,
  HttpClient,
  HttpClientOptions,
  JsonRequest,
  JsonResponse,
  RequestOptions,
} from './types.js';

const DEFAULTS = {
  timeoutMs: 30_000,
  downloadTimeoutMs: 120_000,
  maxRetries: 5,
  maxRateLimitWaitMs: 600_000,
  maxJsonBytes: 8 * 1024 * 1024,
};

/** Content hosts (S3, a CDN) are not the API: their downloads get their own small concurrency limit. */
const CONTENT_HOST_CONCURRENCY = 4;

/** How much of an error answer is read, to quote a text/plain refusal. */
const ERROR_BODY_BYTES = 4096;

interface Sent {
  response: AxiosResponse;
  /** lower-case names */
  headers: Record<string, string>;
  spec: SendSpec;
  /** aborted when the request ran past its deadline */
  deadline: AbortSignal;
  /** clears the deadline's timer once the body is read */
  done: () => void;
}

interface SendSpec {
  ctx: RequestContext;
  url: URL;
  query: string;
  method: string;
  headers: Record<string, string>;
  data?: string;
  stream: boolean;
  timeoutMs: number;
  /** the caller's signal (passes through as itself) */
  signal: AbortSignal | undefined;
}

export function createHttpClient(options: HttpClientOptions): HttpClient {
  const o = { ...DEFAULTS, ...definedOnly(options) };
  const base = apiBase(options.baseUrl);
  const sleep = options.sleep ?? abortableSleep;
  const closing = new AbortController();
  const contentQueue = new PQueue({ concurrency: CONTENT_HOST_CONCURRENCY });
  const redirectRules = { connector: options.connector, apiBase: base, contentHosts: options.contentHosts ?? [] };
  // Nothing automatic: no redirect followed, no status thrown, no body transformed; this file decides.
  const ax = axios.create({
    maxRedirects: 0,
    validateStatus: () => true,
    transformResponse: [(data: unknown) => data],
    maxContentLength: o.maxJsonBytes,
    // Sitter's own request bodies (attribute PUTs) are not capped: a refusal here would look transient.
    maxBodyLength: Number.POSITIVE_INFINITY,
  });

  function contextOf(method: string, url: URL): RequestContext {
    return { connector: options.connector, method, url: redactUrl(url), authHint: options.authHint };
  }

  /** One HTTP exchange under a deadline; what can go wrong in transport becomes a typed failure. */
  async function send(spec: SendSpec): Promise<Sent> {
    if (closing.signal.aborted) throw closedError(options.connector);
    const deadline = new AbortController();
    const timer = setTimeout(() => deadline.abort(), spec.timeoutMs);
    const signals = [closing.signal, deadline.signal, ...(spec.signal ? [spec.signal] : [])];
    try {
      const response = await ax.request({
        url: `${spec.url.origin}${spec.url.pathname}`,
        method: spec.method,
        // The query text goes through whole: axios appends a serialiser's output as it is.
        ...(spec.query ? { params: {}, paramsSerializer: { serialize: () => spec.query } } : {}),
        headers: spec.headers,
        data: spec.data,
        responseType: spec.stream ? 'stream' : 'text',
        responseEncoding: 'utf8',
        maxContentLength: spec.stream ? -1 : o.maxJsonBytes,
        signal: AbortSignal.any(signals),
      });
      const headers = flatHeaders(AxiosHeaders.from(response.headers as AxiosHeaders).toJSON());
      const sent = { response, headers, spec, deadline: deadline.signal, done: () => clearTimeout(timer) };
      // A stream outlives this call: its deadline keeps running until its body is read.
      if (!spec.stream) sent.done();
      return sent;
    } catch (e) {
      clearTimeout(timer);
      throw transportError(e, spec, deadline.signal);
    }
  }

  function transportError(e: unknown, spec: SendSpec, deadline: AbortSignal): Error {
    if (spec.signal?.aborted) return spec.signal.reason as Error;
    if (closing.signal.aborted) return closedError(options.connector);
    if (deadline.aborted) return timeoutFailure(spec.ctx, spec.timeoutMs);
    const code = axios.isAxiosError(e) ? e.code : undefined;
    const message = e instanceof Error ? e.message : '';
    if (message.startsWith('maxContentLength'))
      return failure('bad-response', spec.ctx, `answered with more than ${o.maxJsonBytes} bytes`, {
        hint: 'Raise the connector option maxJsonBytes if the server is right to send this much; otherwise check its URL.',
      });
    return transportFailure(spec.ctx, code === 'ERR_BAD_RESPONSE' ? undefined : (code ?? undefined));
  }

  async function authHeaders(extra: Record<string, string> | undefined): Promise<Record<string, string>> {
    const headers: Record<string, string> = {};
    // A caller's Authorization is dropped: credentials come only from `authorization`, so they can be refreshed.
    for (const [name, value] of Object.entries(extra ?? {}))
      if (name.toLowerCase() !== 'authorization') headers[name] = value;
    const authorization = await options.authorization?.();
    if (authorization) headers.Authorization = authorization;
    return headers;
  }

  /**
   * Runs `attempt` under the budget and the retry policy; on a 401, asks `onUnauthorized` once to
   * refresh the credentials, then runs it all once more. The credentials are read before the budget is
   * entered, so a refresh that needs the same budget never waits on itself.
   */
  async function budgeted<T>(
    request: RequestOptions,
    method: string,
    attempt: (headers: Record<string, string>, signal: AbortSignal) => Promise<T>,
  ): Promise<T> {
    const url = resolvePath(base, request.path);
    const policy = {
      maxRetries: o.maxRetries,
      maxRateLimitWaitMs: o.maxRateLimitWaitMs,
      budget: options.budget,
      sleep,
      signal: request.signal,
      connector: options.connector,
      request: { method, url: redactUrl(url) },
    };
    const once = () =>
      withRetries(async () => {
        const headers = await authHeaders(request.headers);
        return options.budget.run((signal) => attempt(headers, signal), {
          priority: request.priority,
          signal: request.signal,
        });
      }, policy);
    try {
      return await once();
    } catch (e) {
      if (!(e instanceof Unauthorized)) throw e;
      if (!(await options.onUnauthorized?.())) throw e.failure;
      try {
        return await once();
      } catch (again) {
        throw again instanceof Unauthorized ? again.failure : again;
      }
    }
  }

  async function json<T>(request: JsonRequest<T>): Promise<JsonResponse<T>> {
    const method = request.method ?? (request.body !== undefined || request.form ? 'POST' : 'GET');
    const url = resolvePath(base, request.path);
    const ctx = contextOf(method, url);
    const body = encodeBody(request);
    return budgeted(request, method, async (headers, signal) => {
      const { response, headers: answer } = await send({
        ctx,
        url,
        query: queryText(request.query, request.rawQuery),
        method,
        headers: { Accept: 'application/json', ...body.headers, ...headers },
        data: body.data,
        stream: false,
        timeoutMs: o.timeoutMs,
        signal,
      });
      const text = typeof response.data === 'string' ? response.data : '';
      const contentType = answer['content-type'] ?? null;
      const accepted = request.acceptStatuses?.includes(response.status) && !isRetried(response.status);
      if (accepted)
        return { data: validated(ctx, request.schema, lenientBody(text)), status: response.status, headers: answer };
      if (response.status < 200 || response.status >= 300)
        throw statusFailure(response.status, ctx, {
          contentType,
          body: text,
          retryAfterMs: parseRetryAfter(answer['retry-after']),
        });
      const data = validated(ctx, request.schema, parseJsonBody(ctx, contentType, text));
      return { data, status: response.status, headers: answer };
    });
  }

  async function download(request: DownloadRequest): Promise<DownloadResponse> {
    const url = resolvePath(base, request.path);
    return budgeted(request, 'GET', async (headers, signal) => {
      const first = await sendDownload(url, queryText(request.query, request.rawQuery), headers, signal);
      if (!FOLLOWED_REDIRECTS.has(first.response.status)) return readDownload(first, url, request.maxBytes);
      discard(first);
      const target = checkRedirect(url, first.headers.location, redirectRules);
      // Bare: no Authorization, no caller headers; the signed URL carries its own permission.
      const second = await contentQueue.add(() => sendDownload(target, target.search.slice(1), {}, signal), { signal });
      if (FOLLOWED_REDIRECTS.has(second.response.status) || second.response.status === 301) {
        discard(second);
        throw statusFailure(second.response.status, contextOf('GET', target), { contentType: null, body: null });
      }
      return readDownload(second, target, request.maxBytes);
    });
  }

  function sendDownload(url: URL, query: string, headers: Record<string, string>, signal: AbortSignal) {
    const ctx = contextOf('GET', url);
    return send({ ctx, url, query, method: 'GET', headers, stream: true, timeoutMs: o.downloadTimeoutMs, signal });
  }

  async function readDownload(sent: Sent, url: URL, maxBytes: number): Promise<DownloadResponse> {
    const { response, headers } = sent;
    const ctx = contextOf('GET', url);
    const contentType = headers['content-type'] ?? null;
    if (response.status < 200 || response.status >= 300) {
      const text = await readCapped(response.data as Readable, ERROR_BODY_BYTES, false).catch(() => null);
      sent.done();
      throw statusFailure(response.status, ctx, {
        contentType,
        body: text === null ? null : Buffer.from(text).toString('utf8'),
        retryAfterMs: parseRetryAfter(headers['retry-after']),
      });
    }
    const declared = Number(headers['content-length']);
    if (Number.isFinite(declared) && declared > maxBytes) {
      discard(sent);
      throw tooLarge(ctx, maxBytes, declared);
    }
    try {
      const bytes = await readCapped(response.data as Readable, maxBytes, true);
      if (bytes === null) throw tooLarge(ctx, maxBytes);
      return { bytes, contentType, host: url.host };
    } catch (e) {
      if (e instanceof SitterError) throw e;
      // The stream broke: the deadline, the caller's abort, close(), or the connection.
      throw transportError(e, sent.spec, sent.deadline);
    } finally {
      sent.done();
    }
  }

  return {
    json,
    download,
    close() {
      if (closing.signal.aborted) return;
      closing.abort();
      contentQueue.clear();
    },
  };
}

function discard(sent: Sent): void {
  (sent.response.data as Readable).destroy();
  sent.done();
}

function encodeBody(request: JsonRequest<unknown>): { data?: string; headers: Record<string, string> } {
  if (request.form)
    return {
      data: new URLSearchParams(request.form).toString(),
      headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
    };
  if (request.body !== undefined)
    return { data: JSON.stringify(request.body), headers: { 'Content-Type': 'application/json' } };
  return { headers: {} };
}

function definedOnly<T extends object>(value: T): Partial<T> {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as Partial<T>;
}
