/**
 * What kind of connector failure an error is, told by its SitterError code alone. The codes are the
 * connector contract's (contract 3, `src/connectors/errors.ts` `CONNECTOR_ERROR_CODES`); the core may
 * not import connectors, so it reads the codes here: a 429 storm pauses a scan, a bad password stops
 * it, a deleted asset is skipped. Looks through the wrapper's CONNECTOR_FAILED to its cause.
 */
import { SitterError } from './errors.js';

export type ConnectorFailureKind =
  | 'auth'
  | 'rate-limited'
  | 'transient'
  | 'not-found'
  | 'out-of-scope'
  | 'access-denied'
  | 'bad-response'
  | 'refused'
  | 'changed'
  | 'aborted';

const KIND_BY_CODE: ReadonlyMap<string, ConnectorFailureKind> = new Map([
  ['CONNECTOR_AUTH', 'auth'],
  ['CONNECTOR_RATE_LIMITED', 'rate-limited'],
  ['CONNECTOR_TRANSIENT', 'transient'],
  ['ASSET_NOT_FOUND', 'not-found'],
  ['ASSET_OUT_OF_SCOPE', 'out-of-scope'],
  ['ASSET_ACCESS_DENIED', 'access-denied'],
  ['CONNECTOR_BAD_RESPONSE', 'bad-response'],
  ['CONNECTOR_REQUEST_REFUSED', 'refused'],
  ['ASSET_CHANGED', 'changed'],
]);

/** The typed connector failure `e` is, or null (a bug, an untyped failure, anything else). */
export function connectorFailureKind(e: unknown): ConnectorFailureKind | null {
  for (let cur: unknown = e, depth = 0; cur && depth < 5; depth++) {
    if (cur instanceof Error && cur.name === 'AbortError') return 'aborted';
    if (cur instanceof SitterError) {
      const kind = KIND_BY_CODE.get(cur.code);
      if (kind) return kind;
      if (cur.code !== 'CONNECTOR_FAILED') return null;
    }
    cur = cur instanceof Error ? cur.cause : undefined;
  }
  return null;
}

/** A failure that passes if the run waits: the source is busy or briefly unreachable, not refusing. */
export function isPassingFailure(e: unknown): boolean {
  const kind = connectorFailureKind(e);
  return kind === 'rate-limited' || kind === 'transient';
}

/** How long the server asked to wait (`details.retryAfterMs` of a rate-limited failure), if it said. */
export function retryAfterOf(e: unknown): number | undefined {
  for (let cur: unknown = e, depth = 0; cur && depth < 5; depth++) {
    if (cur instanceof SitterError) {
      const ms = (cur.details as { retryAfterMs?: unknown } | undefined)?.retryAfterMs;
      if (typeof ms === 'number' && Number.isFinite(ms) && ms >= 0) return ms;
    }
    cur = cur instanceof Error ? cur.cause : undefined;
  }
  return undefined;
}
