import type { OpenWorkspace } from '../core/store/workspace.js';
import type { ServiceContext } from '../core/services/context.js';
import type { Session, SessionOptions } from '../app/session.js';

export { currentActor } from '../app/session.js';

/** Options every command accepts (commander's global options). */
export interface GlobalOptions {
  workspace?: string;
  json?: boolean;
}

export function workspaceDir(opts: GlobalOptions): string {
  return opts.workspace ?? process.env.SITTER_WORKSPACE ?? '.sitter';
}

export interface OpenOptions extends SessionOptions {
  /** do not say what was purged on stderr (--json); a blocked purge is said anyway */
  quiet?: boolean;
  /** say nothing on stderr at all (the interactive app owns the screen; the audit chain has the purges) */
  silent?: boolean;
}

/**
 * The one way a command or the app opens a workspace: the application layer's session (migrations,
 * then every purge that is due), and what the user must be told about it on stderr.
 */
export async function openForCommand(dir: string, options: OpenOptions = {}): Promise<Session> {
  const [{ openSession }, { describePurges }, { pendingErasureNotices }] = await Promise.all([
    import('../app/session.js'),
    import('../core/services/purge-service.js'),
    import('../core/services/pending-erasures.js'),
  ]);
  const session = await openSession(dir, options);
  if (options.silent) return session;
  // Said even with --json (on stderr): a key setting that is silently ignored misleads about where the key is.
  const report = session.purges;
  const purged = !report
    ? []
    : describePurges(options.quiet ? { retention: [], consent: [], blocked: report.blocked } : report);
  // What was purged is on the audit chain; a purge that is due and could not be done is always said.
  // An erasure without its receipt is said by every command (one indexed query), even with --json.
  const erasures = await pendingErasureNotices(session.ctx);
  for (const line of [...session.ws.warnings, ...purged, ...erasures]) process.stderr.write(`${line}\n`);
  return session;
}

/** Opens a session for the command, runs the action, and always closes the database. */
export async function withSession<T>(
  opts: GlobalOptions,
  action: (session: Session) => Promise<T>,
  options: OpenOptions = {},
): Promise<T> {
  const session = await openForCommand(workspaceDir(opts), { quiet: Boolean(opts.json), ...options });
  try {
    return await action(session);
  } finally {
    await session.close();
  }
}

/** `withSession` for the commands that only need the services' context. */
export function withWorkspace<T>(
  opts: GlobalOptions,
  action: (ctx: ServiceContext, ws: OpenWorkspace) => Promise<T>,
  options: OpenOptions = {},
): Promise<T> {
  return withSession(opts, (session) => action(session.ctx, session.ws), options);
}
