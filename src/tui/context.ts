import { userInfo } from 'node:os';
import type { OpenWorkspace } from '../core/store/workspace.js';
import type { ServiceContext } from '../core/services/context.js';

/** Options every command accepts (commander's global options). */
export interface GlobalOptions {
  workspace?: string;
  json?: boolean;
}

export function workspaceDir(opts: GlobalOptions): string {
  return opts.workspace ?? process.env.SITTER_WORKSPACE ?? '.sitter';
}

/** Who is acting, for the audit chain: SITTER_ACTOR, else the operating-system user. */
export function currentActor(): string {
  if (process.env.SITTER_ACTOR) return process.env.SITTER_ACTOR;
  try {
    return userInfo().username;
  } catch {
    return `uid:${process.getuid?.() ?? 'unknown'}`;
  }
}

/**
 * Opens the workspace, runs the action with a service context, and always closes the database.
 * The store and the services load here, not at start-up, so `sitter --help` stays fast.
 */
export async function withWorkspace<T>(opts: GlobalOptions, action: (ctx: ServiceContext, ws: OpenWorkspace) => Promise<T>): Promise<T> {
  const [{ openWorkspace }, { systemClock }] = await Promise.all([import('../core/store/workspace.js'), import('../core/ports/clock.js')]);
  const ws = await openWorkspace(workspaceDir(opts));
  try {
    return await action({ store: ws.store, clock: systemClock, keyVault: ws.keyVault, actor: currentActor() }, ws);
  } finally {
    await ws.close();
  }
}
