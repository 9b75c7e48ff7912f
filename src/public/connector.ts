/**
 * `sitter/connector`: what a connector author (built-in or plugin, in Sitter's tree or their own
 * repository) may import from Sitter. The contract's types, the error classes a refusal uses, the
 * consent URI helpers that let a connector recognise what Sitter wrote, the ASSET_CHANGED refusal and
 * the typed connector failures of contract 3. Light on purpose (a dependency-cruiser rule,
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
