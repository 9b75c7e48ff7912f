/** The connector contract's version: its own module, so the plugin kit reads it without the loader. */

/**
 * The version of the connector contract this Sitter implements; a plugin names the one it targets.
 * 2: push receives `expectedContentHash` and must refuse a changed asset (ASSET_CHANGED). A plugin
 * written for 1 would write old names onto a replaced photo, so it is not loaded.
 * 3: the additive REST-DAM contract (src/core/ports/connector.ts); a 2 plugin still loads and runs.
 */
export const CONTRACT_VERSION = 3;
/** The contract versions a plugin may name. */
export const SUPPORTED_CONTRACTS = [2, 3] as const;
