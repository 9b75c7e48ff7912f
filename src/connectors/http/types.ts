/**
 * The HTTP toolkit's interface (contract 3), shared by the built-in REST connectors (Asset Bank) and
 * lent to plugins as `host.http`. Implemented in this folder (client.ts, budget.ts, retry.ts,
 * redirects.ts, oauth2.ts) on axios, p-queue and p-retry. Declared first so the connectors and the
 * toolkit can be written side by side.
 *
 * Policy, the same for every connector: every request has a timeout and goes through the connector's
 * RequestBudget; 429 pauses the whole budget (Retry-After honoured) without using a retry, and past
 * `maxRateLimitWaitMs` becomes CONNECTOR_RATE_LIMITED; 408, 5xx, timeouts and network errors are
 * retried with jittered exponential backoff (0.5 s doubling to 30 s) up to `maxRetries`, then
 * CONNECTOR_TRANSIENT; other 4xx are never retried (401 → `onUnauthorized` once, then CONNECTOR_AUTH;
 * 403 → ASSET_ACCESS_DENIED; 404 → ASSET_NOT_FOUND; else CONNECTOR_REQUEST_REFUSED with at most 200
 * characters of a text body). API calls follow no redirect; downloads follow one 303/302/307 only to
 * the API's own host or a `contentHosts` match, https only (http only for loopback), never sending
 * Authorization there. Errors name the connector, carry `{status, method, url}` with the query
 * removed, and never keep an axios error (it holds headers) as their cause.
 */
import type { ZodType } from 'zod';
import type { RequestBudget, RequestPriority } from '../../core/ports/connector.js';

/** Query values: a list is sent as a repeated key (`a=1&a=2`). */
export type Query = Record<string, string | number | boolean | readonly (string | number)[] | undefined>;

export interface HttpClientOptions {
  /** the connector's name, put in every error message */
  connector: string;
  /** the API's base URL (origin and path prefix); requests name paths relative to it */
  baseUrl: string;
  /** the connector's request budget */
  budget: RequestBudget;
  /** per request, default 30 000 */
  timeoutMs?: number;
  /** per download, default 120 000 */
  downloadTimeoutMs?: number;
  /** retries of transient failures, default 5 */
  maxRetries?: number;
  /** longest total wait on 429s before CONNECTOR_RATE_LIMITED, default 600 000 */
  maxRateLimitWaitMs?: number;
  /** largest JSON body accepted, default 8 MiB */
  maxJsonBytes?: number;
  /** host patterns (`*.amazonaws.com`, `cdn.example.com`) a download may be redirected to */
  contentHosts?: readonly string[];
  /** the `Authorization` header value to send (e.g. `Bearer …`), or null for none; asked per request */
  authorization?: () => Promise<string | null>;
  /**
   * Called once on a 401: refresh the credentials and answer true to retry the request once, false to
   * fail with CONNECTOR_AUTH at once.
   */
  onUnauthorized?: () => Promise<boolean>;
  /** the hint of a CONNECTOR_AUTH error (e.g. "run `sitter connectors login SHOOT`") */
  authHint?: string;
  /** tests inject a clock and a sleep (backoff and Retry-After waits) */
  sleep?: (ms: number, signal?: AbortSignal) => Promise<void>;
}

export interface RequestOptions {
  /** a path relative to `baseUrl` (`rest/asset-search`) or an absolute URL on the same origin */
  path: string;
  query?: Query;
  /** raw query text appended as it is (signed APIs like ResourceSpace need the exact bytes) */
  rawQuery?: string;
  priority?: RequestPriority;
  signal?: AbortSignal;
  /** extra headers (never Authorization: that comes from `authorization`) */
  headers?: Record<string, string>;
}

export interface JsonRequest<T> extends RequestOptions {
  method?: 'GET' | 'PUT' | 'POST' | 'DELETE';
  /** a JSON body (PUT/POST) */
  body?: unknown;
  /** an `application/x-www-form-urlencoded` body (token endpoints) */
  form?: Record<string, string>;
  /** the answer must parse with this; a mismatch is CONNECTOR_BAD_RESPONSE naming the path, not the value */
  schema: ZodType<T>;
  /**
   * Error statuses answered as data instead of thrown (an OAuth2 token endpoint's 400/401 carry
   * `{error, error_description}`); their body is JSON when it parses, else its text as a string.
   * 429, 408 and 5xx are never accepted: the retry policy handles them.
   */
  acceptStatuses?: readonly number[];
}

export interface JsonResponse<T> {
  data: T;
  status: number;
  /** lower-case header names */
  headers: Record<string, string>;
}

export interface DownloadRequest extends RequestOptions {
  /** stop reading past this many bytes: SitterError ASSET_TOO_LARGE */
  maxBytes: number;
}

export interface DownloadResponse {
  bytes: Uint8Array;
  /** the content-type the final server sent (sniff the bytes anyway) */
  contentType: string | null;
  /** the host the bytes came from (the API host or a content host) */
  host: string;
}

export interface HttpClient {
  /** one JSON API call, budgeted, retried per the policy above */
  json<T>(request: JsonRequest<T>): Promise<JsonResponse<T>>;
  /** one binary download, budgeted; follows one redirect to an allowed host, without Authorization */
  download(request: DownloadRequest): Promise<DownloadResponse>;
  /** aborts everything in flight; idempotent */
  close(): void;
}
