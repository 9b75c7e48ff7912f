/**
 * The composition root: one open workspace with the adapters every use case needs. The CLI commands
 * (src/tui/commands) and the Ink app (src/tui/app/workspace-gateway.ts) both open a session and call
 * the use cases of src/app on it, so a scan, an enrolment or a push is wired in one place.
 */
import { userInfo } from 'node:os';
import type { OpenWorkspace } from '../core/store/workspace.js';
import type { Clock } from '../core/ports/clock.js';
import type { FileReader } from '../core/ports/files.js';
import type { ConnectorProvider, EngineProvider } from '../core/ports/providers.js';
import type { ServiceContext } from '../core/services/context.js';
import type { PurgeReport } from '../core/services/purge-service.js';

/** The heavy adapters, each made only when a use case gets past its checks. */
export interface Providers {
  connectors: ConnectorProvider;
  engines: EngineProvider;
  /** local files the core is pointed to (reference photos) */
  files: FileReader;
}

export interface Session extends Providers {
  ws: OpenWorkspace;
  ctx: ServiceContext;
  /** the purges done on opening (null when the caller runs them itself, as `sitter purge` does) */
  purges: PurgeReport | null;
  close(): Promise<void>;
}

export interface SessionOptions {
  /** run the due purges first (default); `sitter purge` runs them itself to report them */
  purge?: boolean;
  /** replace a provider (tests count engine loads this way); the defaults load lazily */
  providers?: Partial<Providers>;
  clock?: Clock;
}

/**
 * Who is acting in an embedded (SQLite) workspace, for the audit chain: SITTER_ACTOR, else the
 * operating-system user. A team workspace uses the database role instead (`openSession`).
 */
export function currentActor(): string {
  if (process.env.SITTER_ACTOR) return process.env.SITTER_ACTOR;
  try {
    return userInfo().username;
  } catch {
    return `uid:${process.getuid?.() ?? 'unknown'}`;
  }
}

async function defaultProviders(workspaceDir: string): Promise<Providers> {
  const [{ shootConnectorsIn }, { lazyEngines }, { fsFileReader }] = await Promise.all([
    import('./connector-provider.js'),
    import('./engine-provider.js'),
    import('../core/store/files/file-reader.js'),
  ]);
  return { connectors: await shootConnectorsIn(workspaceDir), engines: lazyEngines, files: fsFileReader };
}

/**
 * Opens the workspace (migrations), then runs every purge that is due (retention ended, consent
 * lapsed) before anything sees its data: retention must hold even if nobody runs `sitter purge`.
 * The store and the services load here, not at start-up, so `sitter --help` stays fast.
 */
export async function openSession(dir: string, options: SessionOptions = {}): Promise<Session> {
  const [{ openWorkspace }, { systemClock }, providers] = await Promise.all([
    import('../core/store/workspace.js'),
    import('../core/ports/clock.js'),
    defaultProviders(dir),
  ]);
  const ws = await openWorkspace(dir);
  let role: string | null;
  try {
    role = await ws.store.currentRole();
  } catch (error) {
    await ws.close();
    throw error;
  }
  const ctx: ServiceContext = {
    store: ws.store,
    clock: options.clock ?? systemClock,
    keyVault: ws.keyVault,
    // In a team workspace the server authenticated the role: it, not a name from the environment, acts.
    actor: role ?? currentActor(),
  };
  let purges: PurgeReport | null = null;
  if (options.purge !== false) {
    try {
      const { purgeDue } = await import('../core/services/purge-service.js');
      purges = await purgeDue(ctx);
    } catch (error) {
      await ws.close();
      throw error;
    }
  }
  return { ...providers, ...options.providers, ws, ctx, purges, close: () => ws.close() };
}
