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
export { connectShoot, reconfigure, shootConnectorProvider } from './configure.js';
export { checkShootConnector, type ConnectorCheck, type CheckFinding } from './check.js';
export {
  describeOptions,
  validateOptions,
  coerceOptionText,
  type ConnectorOptionsSpec,
  type OptionInfo,
} from './options.js';
export { workspaceSecrets, secretEnvVar, secretFile, SECRET_PREFIX, type SecretSource } from './secrets.js';
export type * from '../core/ports/connector.js';
