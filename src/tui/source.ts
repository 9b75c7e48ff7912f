import { stat } from 'node:fs/promises';
import { resolve } from 'node:path';
import { SitterError } from '../core/domain/errors.js';

export const KNOWN_CONNECTORS = ['local'] as const;

/** Checks a shoot's source when the shoot is created, so that a typo is caught before approval. */
export async function resolveShootSource(connector: string, source: string): Promise<string> {
  if (connector !== 'local') {
    throw new SitterError('CONNECTOR_UNKNOWN', `There is no connector "${connector}".`, `Known connectors: ${KNOWN_CONNECTORS.join(', ')}.`);
  }
  const folder = resolve(source);
  const info = await stat(folder).catch(() => null);
  if (!info?.isDirectory()) {
    throw new SitterError('SOURCE_NOT_FOUND', `The shoot source ${folder} is not a folder.`, 'Pass --source with the folder that holds the shoot\'s photos.');
  }
  return folder;
}
