/**
 * The ConsentFileAccess port: how consent import reaches the files a consent file names (each
 * participant's signed form and reference photo) without doing I/O itself.
 *
 * An adapter is rooted at the consent file's folder. Every path it is given is relative to that
 * folder and must stay inside it: no absolute path, no `..`, and no symbolic link (anywhere on the
 * way) that leads out of it. The node:fs adapter lives in src/core/store/files/consent-files.ts.
 */

/** Why a relative path could not be used. */
export type ResolveFailure =
  /** "/etc/passwd", "C:\\x", "\\\\server\\share": only paths relative to the folder are accepted */
  | 'absolute'
  /** a `..` segment: the path would climb out of the folder */
  | 'parent'
  /** the path resolves, through a symbolic link, to somewhere outside the folder */
  | 'symlink-escape'
  /** nothing there (also: a dangling link, or a file where a folder was expected on the way) */
  | 'missing'
  /** it exists but is a folder, a device, a socket... */
  | 'not-a-file'
  /** it exists but cannot be read (permissions, a link loop) */
  | 'unreadable';

export type ResolveResult =
  { ok: true; absolutePath: string } | { ok: false; reason: ResolveFailure; message?: string };

export interface ConsentFileAccess {
  /** The absolute folder every path is resolved against (for messages). */
  readonly root: string;
  /**
   * Resolve `relPath` (relative to the root; `/` or `\` as separators) to the absolute, real path of
   * a regular file inside the root, or say why not. Never throws for a bad path.
   */
  resolveInside(relPath: string): Promise<ResolveResult>;
  /** The sha256 of a file's content as 64 lower-case hex characters. `absolutePath` comes from resolveInside. */
  sha256(absolutePath: string): Promise<string>;
}
