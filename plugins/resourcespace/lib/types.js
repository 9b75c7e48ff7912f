// JSDoc types of the connector contract (src/core/ports/connector.ts), for editors and `tsc --checkJs`.
// A plugin published outside Sitter's tree imports them from `sitter/connector` instead:
//   /** @typedef {import('sitter/connector').PushPayload} PushPayload */
/**
 * @typedef {import('../../../src/core/ports/connector.js').Connector} Connector
 * @typedef {import('../../../src/core/ports/connector.js').PushPayload} PushPayload
 * @typedef {import('../../../src/core/ports/connector.js').ListedAsset} ListedAsset
 * @typedef {import('../../../src/core/ports/connector.js').Rendition} Rendition
 * @typedef {import('../../../src/core/ports/connector.js').CallOptions} CallOptions
 * @typedef {import('../../../src/core/ports/connector.js').WrittenFile} WrittenFile
 */
export {};
