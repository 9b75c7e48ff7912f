import { userInfo } from 'node:os';
import type { OpenWorkspace } from '../core/adapters/store/workspace.js';
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
  /** do not say what was purged on stderr (--json); a blocked purge is said anyway */
  quiet?: boolean;
  /** say nothing on stderr at all (the interactive app owns the screen; the audit chain has the purges) */
  silent?: boolean;
}

/**
 * The one way a command opens a workspace: open (migrations), then every purge that is due
 * (retention ended, consent lapsed), before the command sees any data. Retention must hold even if
 * nobody runs `sitter purge`.
 */
export async function openForCommand(
  dir: string,
  options: OpenOptions = {},
): Promise<{ ws: OpenWorkspace; ctx: ServiceContext }> {
  const [{ openWorkspace }, { systemClock }] = await Promise.all([
    import('../core/adapters/store/workspace.js'),
    import('../core/ports/clock.js'),
  ]);
  const ws = await openWorkspace(dir);
  // Said even with --json (on stderr): a key setting that is silently ignored misleads about where the key is.
  if (!options.silent) for (const line of ws.warnings) process.stderr.write(`${line}\n`);
  const ctx: ServiceContext = { store: ws.store, clock: systemClock, keyVault: ws.keyVault, actor: currentActor() };
  if (options.purge !== false) {
    try {
      const { purgeDue, describePurges } = await import('../core/services/purge-service.js');
      const report = await purgeDue(ctx);
      // What was purged is on the audit chain; a purge that is due and could not be done is always said.
      const lines = describePurges(options.quiet ? { retention: [], consent: [], blocked: report.blocked } : report);
      if (!options.silent) for (const line of lines) process.stderr.write(`${line}\n`);
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
export async function withWorkspace<T>(
  opts: GlobalOptions,
  action: (ctx: ServiceContext, ws: OpenWorkspace) => Promise<T>,
  options: OpenOptions = {},
): Promise<T> {
  const { ws, ctx } = await openForCommand(workspaceDir(opts), { quiet: Boolean(opts.json), ...options });
  try {
    return await action(ctx, ws);
  } finally {
    await ws.close();
  }
}
