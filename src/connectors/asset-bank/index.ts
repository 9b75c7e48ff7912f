/**
 * The built-in Asset Bank connector: `createAssetBankConnector(options, context)`. The request budget
 * comes from the host (`asset-bank:<origin>`, shared by scan, review prefetch and push in one process);
 * an old call site without a context gets a private budget with the same settings.
 */
import type { Connector, ConnectorContext } from '../../core/ports/connector.js';
import { createHttpClient, createRequestBudget } from '../http/index.js';
import { createAssetBankConnectorWith } from './connector.js';
import { parseAssetBankOptions } from './options.js';

export { ASSET_BANK_CONNECTOR_VERSION } from './connector.js';
export { ASSET_BANK_OPTIONS_SPEC, AssetBankOptions } from './options.js';

export function createAssetBankConnector(options: Record<string, unknown>, context?: ConnectorContext): Connector {
  const settings = parseAssetBankOptions(options);
  const budgetSettings = { requestsPerSecond: settings.requestsPerSecond, concurrency: settings.concurrency };
  const budget = context
    ? context.budget(`asset-bank:${settings.origin}`, budgetSettings)
    : createRequestBudget(budgetSettings);
  return createAssetBankConnectorWith({ settings, budget, makeClient: createHttpClient, context });
}
