/**
 * `sitter/connector`: what a connector author (built-in or plugin, in Sitter's tree or their own
 * repository) may import from Sitter. The contract's types, the error classes a refusal uses, the
 * consent URI helpers that let a connector recognise what Sitter wrote, the ASSET_CHANGED refusal and
 * the typed connector failures and the HTTP toolkit of contract 3 (a budgeted, retried client with
 * safe redirects, request budgets, OAuth2 tokens). Light on purpose (a dependency-cruiser rule,
 * `kit-stays-light`, keeps it so): no models, no database, no UI.
 */
export type * from '../core/ports/connector.js';
export { SitterError, BugError } from '../core/domain/errors.js';
export { CONSENT_URI_PREFIX, consentUri, parseConsentUri } from '../core/domain/consent-uri.js';
export { isSitterConsentUri } from '../connectors/payload.js';
export { ASSET_CHANGED, assetChanged } from '../connectors/asset-changed.js';
export {
  CONNECTOR_ERROR_CODES,
  connectorFailure,
  errorKind,
  type ConnectorErrorKind,
  type ConnectorFailureDetails,
} from '../connectors/errors.js';
export { CONTRACT_VERSION, SUPPORTED_CONTRACTS } from '../connectors/contract-version.js';
export type { PluginFactory, PluginHost } from '../connectors/plugin-host.js';
export { wrapConnector, type WrapOptions } from '../connectors/wrap-connector.js';
export {
  createHttpClient,
  createRequestBudget,
  createTokenManager,
  type HttpClient,
  type HttpClientOptions,
  type JsonRequest,
  type JsonResponse,
  type DownloadRequest,
  type DownloadResponse,
  type OAuth2Grant,
  type OAuth2Options,
  type TokenManager,
} from '../connectors/http/index.js';
/** The zod Sitter validates with: a JsonRequest's `schema` built with it matches the client's types. */
export { z } from 'zod';
