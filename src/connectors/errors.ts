/**
 * Typed connector failures (contract 3). A connector (built-in or plugin, through `host.errors`)
 * throws these so the core can tell a 429 storm (pause the scan, fail nothing) from a bad password
 * (stop the run) from a deleted asset (skip it). Each is a SitterError with a stable code and a hint.
 */
import { SitterError } from '../core/domain/errors.js';

export const CONNECTOR_ERROR_CODES = {
  /** credentials refused or expired beyond refresh: stops the run */
  auth: 'CONNECTOR_AUTH',
  /** the server kept saying "too many requests" past the longest wait allowed */
  'rate-limited': 'CONNECTOR_RATE_LIMITED',
  /** timeouts, 408, 5xx, dropped connections, after the retries */
  transient: 'CONNECTOR_TRANSIENT',
  /** the asset does not exist (any more) */
  'not-found': 'ASSET_NOT_FOUND',
  /** the asset exists but is not part of this shoot's source */
  'out-of-scope': 'ASSET_OUT_OF_SCOPE',
  /** the DAM user may not read or write the asset */
  'access-denied': 'ASSET_ACCESS_DENIED',
  /** the answer was not what the API documents (HTML, wrong types, too big, a redirect elsewhere) */
  'bad-response': 'CONNECTOR_BAD_RESPONSE',
  /** the server refused the request itself (another 4xx) */
  refused: 'CONNECTOR_REQUEST_REFUSED',
} as const;

export type ConnectorErrorKind = keyof typeof CONNECTOR_ERROR_CODES;

/** Structured detail kept on a connector failure; never a header, a body or a signed query. */
export interface ConnectorFailureDetails {
  /** how long the server asked to wait (rate-limited) */
  retryAfterMs?: number;
  /** the HTTP status behind it */
  status?: number;
  /** the HTTP method */
  method?: string;
  /** the URL with its query and credentials removed */
  url?: string;
}

/** A typed connector failure: `kind` picks the code. */
export function connectorFailure(
  kind: ConnectorErrorKind,
  message: string,
  hint: string,
  details?: ConnectorFailureDetails,
  cause?: unknown,
): SitterError {
  return new SitterError(CONNECTOR_ERROR_CODES[kind], message, hint, details, cause === undefined ? {} : { cause });
}

const KIND_BY_CODE = new Map<string, ConnectorErrorKind>(
  Object.entries(CONNECTOR_ERROR_CODES).map(([kind, code]) => [code, kind as ConnectorErrorKind]),
);

/**
 * What kind of connector failure `e` is: one of the kinds above, `changed` (ASSET_CHANGED), `aborted`
 * (the caller cancelled), or null (anything else: a bug or an untyped failure). Looks through the
 * wrapper's CONNECTOR_FAILED to its cause, so the core can classify what a connector threw.
 */
export function errorKind(e: unknown): ConnectorErrorKind | 'changed' | 'aborted' | null {
  for (let cur: unknown = e, depth = 0; cur && depth < 5; depth++) {
    if (cur instanceof Error && cur.name === 'AbortError') return 'aborted';
    if (cur instanceof SitterError) {
      if (cur.code === 'ASSET_CHANGED') return 'changed';
      const kind = KIND_BY_CODE.get(cur.code);
      if (kind) return kind;
      if (cur.code !== 'CONNECTOR_FAILED') return null;
    }
    cur = cur instanceof Error ? cur.cause : undefined;
  }
  return null;
}
