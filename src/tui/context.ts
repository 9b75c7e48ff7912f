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

export interface OpenOptions {
  /** run the due purges first (default); `sitter purge` runs them itself to report them */
  purge?: boolean;
  /** say what was purged on stderr (off for --json and the interactive app) */
  quiet?: boolean;
}

/**
 * The one way a command opens a workspace: open (migrations), then every purge that is due
 * (retention ended, consent lapsed), before the command sees any data. Retention must hold even if
 * nobody runs `sitter purge`.
 */
export async function openForCommand(dir: string, options: OpenOptions = {}): Promise<{ ws: OpenWorkspace; ctx: ServiceContext }> {
  const [{ openWorkspace }, { systemClock }] = await Promise.all([import('../core/store/workspace.js'), import('../core/ports/clock.js')]);
  const ws = await openWorkspace(dir);
  const ctx: ServiceContext = { store: ws.store, clock: systemClock, keyVault: ws.keyVault, actor: currentActor() };
  if (options.purge !== false) {
    try {
      const { purgeDue, describePurges } = await import('../core/services/purge-service.js');
      const lines = describePurges(await purgeDue(ctx));
      if (!options.quiet) for (const line of lines) process.stderr.write(`${line}\n`);
    } catch (error) {
      await ws.close();
      throw error;
    }
  }
  return { ws, ctx };
}

/**
 * Opens the workspace, runs the action with a service context, and always closes the database.
 * The store and the services load here, not at start-up, so `sitter --help` stays fast.
 */
export async function withWorkspace<T>(opts: GlobalOptions, action: (ctx: ServiceContext, ws: OpenWorkspace) => Promise<T>, options: OpenOptions = {}): Promise<T> {
  const { ws, ctx } = await openForCommand(workspaceDir(opts), { quiet: Boolean(opts.json), ...options });
  try {
    return await action(ctx, ws);
  } finally {
    await ws.close();
  }
}
