export { createLocalConnector, LocalConnectorOptions, LOCAL_CONNECTOR_VERSION } from './local-connector.js';
