import { realpath, stat } from 'node:fs/promises';
import { homedir } from 'node:os';
import { resolve } from 'node:path';
import { SitterError } from '../core/domain/errors.js';
import type { SourcePlacement } from '../core/services/shoot-service.js';

/**
 * Checks a shoot's source when the shoot is created, so that a typo is caught before approval: the
 * connector must exist (built-in or plugin), and a folder source must be a folder.
 */
export async function resolveShootSource(connector: string, source: string): Promise<string> {
  const { connectorRegistry } = await import('../app/connector-provider.js');
  const { registry } = await connectorRegistry();
  if (!registry.has(connector)) {
    throw new SitterError(
      'CONNECTOR_UNKNOWN',
      `There is no connector "${connector}".`,
      `Known connectors: ${registry
        .list()
        .map((r) => r.name)
        .join(', ')} (see \`sitter connectors\`).`,
    );
  }
  if (connector !== 'local') {
    // A plugin's source may be a folder or a collection id: the connector judges it at the first listing.
    return /^[./~]/.test(source) ? resolve(source) : source;
  }
  const folder = resolve(source);
  const info = await stat(folder).catch(() => null);
  if (!info?.isDirectory()) {
    throw new SitterError(
      'SOURCE_NOT_FOUND',
      `The shoot source ${folder} is not a folder.`,
      "Pass --source with the folder that holds the shoot's photos.",
    );
  }
  // Stored with symlinks resolved: overlap with other shoots is judged on the real folders.
  return realpath(folder);
}

/** A path with symlinks resolved as far as it exists (a moved or deleted folder keeps its stored path). */
async function canonical(path: string): Promise<string> {
  return realpath(resolve(path)).catch(() => resolve(path));
}

/** Where a new shoot sits: the workspace and home folders, for the scope checks of `shoot create`. */
export async function sourcePlacement(workspace: string): Promise<SourcePlacement> {
  let home: string | null = null;
  try {
    home = await canonical(homedir());
  } catch {
    home = null;
  }
  return { workspaceDir: await canonical(workspace), homeDir: home, canonical };
}
