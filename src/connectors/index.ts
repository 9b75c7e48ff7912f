/** The connector layer's public surface for the core, the CLI and plugin authors. */
export { wrapConnector, listAll, connectorError } from './wrap-connector.js';
export {
  ConnectorRegistry,
  builtinRegistry,
  createBuiltinConnector,
  BUILTIN_CONNECTORS,
  type ConnectorRegistration,
} from './registry.js';
export { consentUri, parseConsentUri, isSitterConsentUri, CONSENT_URI_PREFIX } from './payload.js';
export { createLocalConnector } from './local/index.js';
export type * from '../core/ports/connector.js';
