// Typed failures (contract 3): a rate-limit storm must pause a scan, a bad key stop it, a missing
// resource be skipped. Sitter lends `host.errors.connectorFailure` from contract 3 on; on a host that
// does not (yet), the same codes are built from `host.SitterError`, so the core sees the same thing.

/** The codes of src/connectors/errors.ts CONNECTOR_ERROR_CODES, for hosts that lend no `errors`. */
const CODES = {
  auth: 'CONNECTOR_AUTH',
  'rate-limited': 'CONNECTOR_RATE_LIMITED',
  transient: 'CONNECTOR_TRANSIENT',
  'not-found': 'ASSET_NOT_FOUND',
  'out-of-scope': 'ASSET_OUT_OF_SCOPE',
  'access-denied': 'ASSET_ACCESS_DENIED',
  'bad-response': 'CONNECTOR_BAD_RESPONSE',
  refused: 'CONNECTOR_REQUEST_REFUSED',
};

/**
 * @typedef {keyof typeof CODES} FailureKind
 * @typedef {(kind: FailureKind, message: string, hint: string, details?: Record<string, unknown>) => Error} Fail
 */

/**
 * @param {{ SitterError: new (code: string, message: string, hint?: string, details?: unknown) => Error,
 *   errors?: { connectorFailure?: (kind: string, message: string, hint: string, details?: object) => Error } }} host
 * @returns {Fail}
 */
export function failures(host) {
  const lent = host.errors?.connectorFailure;
  return (kind, message, hint, details) =>
    lent ? lent(kind, message, hint, details) : new host.SitterError(CODES[kind], message, hint, details);
}
