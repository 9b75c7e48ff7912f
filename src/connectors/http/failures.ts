/**
 * What each HTTP answer or transport failure becomes (types.ts states the policy): a typed connector
 * failure made fresh, with `{status, method, url}` (query removed) as details and no cause, so no
 * header, token, cookie or signed query rides along into the audit chain or the terminal.
 */
import { BugError, type SitterError } from '../../core/domain/errors.js';
import { connectorFailure, type ConnectorErrorKind } from '../errors.js';
import { RetryableFailure } from './retry.js';
import { bodyExcerpt } from './sanitize.js';

/** Who asked what, as errors tell it. */
export interface RequestContext {
  connector: string;
  method: string;
  /** already redacted: origin and path only */
  url: string;
  /** the hint of CONNECTOR_AUTH */
  authHint?: string;
}

/** A 401: the client refreshes the credentials once (`onUnauthorized`) before giving up with `failure`. */
export class Unauthorized extends Error {
  override readonly name = 'Unauthorized';
  constructor(readonly failure: SitterError) {
    super(failure.message);
  }
}

const CHECK = "run `sitter connectors check SHOOT` to test the connector's settings";

const HINTS: Record<Exclude<ConnectorErrorKind, 'out-of-scope'>, string> = {
  auth: `The server refused Sitter's credentials: check them, or ${CHECK}.`,
  'rate-limited': 'Run the command again later, or lower the connector option requestsPerSecond.',
  transient: `The server or the network kept failing: try again later (a scan resumes where it stopped), or ${CHECK}.`,
  'not-found': 'The asset was deleted or moved on the server: rescan the shoot.',
  'access-denied': "The DAM user Sitter signs in as may not do this: ask the DAM's administrator for access.",
  'bad-response': `Check that the connector's URL is the API's address (not a login page or a proxy) and that the server's REST API is enabled; ${CHECK}.`,
  refused: `The server refused the request: check the connector's options, or ${CHECK}.`,
};

export function failure(
  kind: Exclude<ConnectorErrorKind, 'out-of-scope'>,
  ctx: RequestContext,
  what: string,
  extra: { status?: number; retryAfterMs?: number; hint?: string } = {},
): SitterError {
  const { hint, ...numbers } = extra;
  return connectorFailure(
    kind,
    `The ${ctx.connector} server ${what} (${ctx.method} ${ctx.url}).`,
    hint ?? HINTS[kind],
    {
      ...numbers,
      method: ctx.method,
      url: ctx.url,
    },
  );
}

/** Only a text/plain refusal is quoted: JSON or HTML bodies may echo what was sent (names, values). */
function quotedRefusal(contentType: string | null, body: string | null): string {
  if (!body || !contentType?.toLowerCase().startsWith('text/plain')) return '';
  const excerpt = bodyExcerpt(body);
  return excerpt ? `: "${excerpt}"` : '';
}

/** The statuses the retry policy owns: never handed to a caller as data. */
export function isRetried(status: number): boolean {
  return status === 429 || status === 408 || status >= 500;
}

/**
 * The error for a non-2xx answer: retryable (429, 408, 5xx), Unauthorized (401), or final. `body` is
 * the answer's text when it was read (JSON calls), else null.
 */
export function statusFailure(
  status: number,
  ctx: RequestContext,
  answer: { contentType: string | null; body: string | null; retryAfterMs?: number },
): Error {
  const { retryAfterMs } = answer;
  const said = `answered ${status}`;
  if (status === 429)
    return new RetryableFailure(
      'rate-limited',
      failure('rate-limited', ctx, `${said} "too many requests"`, { status, retryAfterMs }),
      retryAfterMs,
    );
  if (isRetried(status))
    return new RetryableFailure('transient', failure('transient', ctx, said, { status, retryAfterMs }), retryAfterMs);
  if (status === 401)
    return new Unauthorized(failure('auth', ctx, `${said} "unauthorized"`, { status, hint: ctx.authHint }));
  if (status === 403) return failure('access-denied', ctx, `${said} "forbidden"`, { status });
  if (status === 404 || status === 410) return failure('not-found', ctx, `${said} "not found"`, { status });
  if (status >= 300 && status < 400)
    return failure('bad-response', ctx, `${said}, a redirect Sitter does not follow here`, { status });
  if (status >= 400)
    return failure('refused', ctx, `${said}${quotedRefusal(answer.contentType, answer.body)}`, { status });
  return new BugError(`statusFailure called with a success status (${status})`);
}

/** Node's names for a dropped or refused connection, kept in the message (they hold no secret). */
const NETWORK_CODE = /^E[A-Z_]+$/;

/** A request that got no answer: retried as transient. `code` is Node's (ECONNRESET) when known. */
export function transportFailure(ctx: RequestContext, code: string | undefined): RetryableFailure {
  const why = code && NETWORK_CODE.test(code) ? `could not be reached (${code})` : 'could not be reached';
  return new RetryableFailure('transient', failure('transient', ctx, why));
}

/** A request past its deadline: retried as transient. */
export function timeoutFailure(ctx: RequestContext, ms: number): RetryableFailure {
  return new RetryableFailure('transient', failure('transient', ctx, `did not answer within ${ms} ms`));
}

/** What calls get once the connector is closed: an abort, which the core tells apart from a failure. */
export function closedError(connector: string): Error {
  const e = new Error(`The ${connector} connector was closed.`);
  e.name = 'AbortError';
  return e;
}
