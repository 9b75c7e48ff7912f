import type { Shoot } from '../core/domain/shoot.js';
import type { Connector } from '../core/ports/connector.js';
import type { FaceEngine, MatchCalibration } from '../core/ports/face-engine.js';
import type { PluginReport } from '../connectors/plugins.js';
import type { ConnectorRegistry } from '../connectors/registry.js';
import { fileURLToPath } from 'node:url';

/**
 * The composition root for the heavy adapters: the face engine and the connectors load here, only
 * in the commands that need them (so `sitter --help` stays fast).
 */
export interface EngineHandle {
  engine: FaceEngine;
  calibration: MatchCalibration;
}

/** A worker pool for scans (one engine per worker; default one per core). */
export async function openEnginePool(workers?: number): Promise<EngineHandle> {
  const { FacePool, DEFAULT_CALIBRATION } = await import('../core/adapters/engine/index.js');
  const engine = await FacePool.create(workers ? { workers } : {});
  return { engine, calibration: DEFAULT_CALIBRATION };
}

/** One in-process engine, for small jobs such as enrolment. */
export async function openEngine(): Promise<EngineHandle> {
  const { LocalFaceEngine, DEFAULT_CALIBRATION } = await import('../core/adapters/engine/index.js');
  return { engine: await LocalFaceEngine.create(), calibration: DEFAULT_CALIBRATION };
}

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
 */
export async function openConnector(
  shoot: Pick<Shoot, 'connector' | 'connectorOptions'>,
  workspaceDir: string,
): Promise<Connector> {
  const [{ registry }, { connectShoot }, { workspaceSecrets }] = await Promise.all([
    connectorRegistry(),
    import('../connectors/configure.js'),
    import('../connectors/secrets.js'),
  ]);
  return connectShoot(registry, shoot, workspaceSecrets(workspaceDir));
}
