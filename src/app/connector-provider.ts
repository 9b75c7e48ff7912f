/**
 * How a shoot's connector is made: the registry (built-ins plus every plugin that loads) and the
 * shoot's stored options and secrets. One function, `makeShootConnector`, so there is one place that turns a
 * shoot into a connector (options and secrets resolved by name land here too).
 */
import { fileURLToPath } from 'node:url';
import type { Shoot } from '../core/domain/shoot.js';
import type { Connector, ConnectorContext } from '../core/ports/connector.js';
import type { ConnectorProvider } from '../core/ports/providers.js';
import type { PluginReport } from '../connectors/plugins.js';
import type { ConnectorRegistry } from '../connectors/registry.js';
import type { BudgetRegistry } from '../connectors/http/budget.js';
import { secretUpdater } from './secret-update.js';

/** The plugins folder of this installation (`plugins/` at the project root), or SITTER_PLUGINS. */
export function pluginsDir(): string {
  return process.env.SITTER_PLUGINS ?? fileURLToPath(new URL('../../../plugins', import.meta.url));
}

/** The built-in connectors plus every plugin that loads; broken plugins are reported, not fatal. */
export async function connectorRegistry(): Promise<{ registry: ConnectorRegistry; plugins: PluginReport }> {
  const [{ builtinRegistry }, { loadPlugins }] = await Promise.all([
    import('../connectors/index.js'),
    import('../connectors/plugins.js'),
  ]);
  const registry = builtinRegistry();
  const plugins = await loadPlugins(pluginsDir(), registry);
  return { registry, plugins };
}

/**
 * The shoot's connector, made from its stored options with its secrets resolved by name (from the
 * environment or `<workspace>/secrets/`), wrapped so that every error names it and keeps its cause.
 * There is no fallback: a connector that cannot be made (a plugin gone, options it refuses, a secret
 * missing) is an error.
 */
export async function makeShootConnector(
  shoot: Pick<Shoot, 'connector' | 'connectorOptions'>,
  workspaceDir: string,
  budgets: Pick<BudgetRegistry, 'budget'>,
): Promise<Connector> {
  const [{ registry }, { connectShoot }, { workspaceSecrets }] = await Promise.all([
    connectorRegistry(),
    import('../connectors/configure.js'),
    import('../connectors/secrets.js'),
  ]);
  const context = connectorContext(workspaceDir, shoot, budgets);
  const connector = await connectShoot(registry, shoot, workspaceSecrets(workspaceDir), context);
  try {
    // Token fetch and discovery now, so a refused login stops the command before any work starts.
    await connector.start?.();
  } catch (error) {
    await connector.close?.().catch(() => undefined);
    throw error;
  }
  return connector;
}

/** What the host lends a shoot's connector (contract 3): the session's budgets, its secret file, the clock. */
export function connectorContext(
  workspaceDir: string,
  shoot: Pick<Shoot, 'connectorOptions'>,
  budgets: Pick<BudgetRegistry, 'budget'>,
): ConnectorContext {
  return { budget: budgets.budget, updateSecret: secretUpdater(workspaceDir, shoot), now: () => new Date() };
}

/** A context of its own, with fresh budgets: for a one-off use of a connector (`sitter connectors check`). */
export async function oneOffConnectorContext(
  workspaceDir: string,
  shoot: Pick<Shoot, 'connectorOptions'>,
): Promise<ConnectorContext> {
  const { BudgetRegistry } = await import('../connectors/http/budget.js');
  return connectorContext(workspaceDir, shoot, new BudgetRegistry());
}

/**
 * The provider services get for a workspace: each call makes the shoot's connector afresh (the caller
 * closes it). One request budget per server for the whole session: a scan, the review's crops and a push
 * in the same process share the server's rate limit.
 */
export async function shootConnectorsIn(workspaceDir: string): Promise<ConnectorProvider> {
  const { BudgetRegistry } = await import('../connectors/http/budget.js');
  const budgets = new BudgetRegistry();
  return { forShoot: (shoot) => makeShootConnector(shoot, workspaceDir, budgets) };
}
