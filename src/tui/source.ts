import { stat } from 'node:fs/promises';
import { resolve } from 'node:path';
import { SitterError } from '../core/domain/errors.js';

/**
 * Checks a shoot's source when the shoot is created, so that a typo is caught before approval: the
 * connector must exist (built-in or plugin), and a folder source must be a folder.
 */
export async function resolveShootSource(connector: string, source: string): Promise<string> {
  const { connectorRegistry } = await import('./compose.js');
  const { registry } = await connectorRegistry();
  if (!registry.has(connector)) {
    throw new SitterError('CONNECTOR_UNKNOWN', `There is no connector "${connector}".`, `Known connectors: ${registry.list().map((r) => r.name).join(', ')} (see \`sitter connectors\`).`);
  }
  if (connector !== 'local') {
    // A plugin's source may be a folder or a collection id: the connector judges it at the first listing.
    return /^[./~]/.test(source) ? resolve(source) : source;
  }
  const folder = resolve(source);
  const info = await stat(folder).catch(() => null);
  if (!info?.isDirectory()) {
    throw new SitterError('SOURCE_NOT_FOUND', `The shoot source ${folder} is not a folder.`, 'Pass --source with the folder that holds the shoot\'s photos.');
  }
  return folder;
}
