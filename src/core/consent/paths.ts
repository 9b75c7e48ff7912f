/**
 * Lexical checks of the paths a consent file names. Pure: the symlink and existence checks need the
 * file system and are done by a ConsentFileAccess adapter, which runs these checks first too.
 */

export type LexicalPathProblem = 'empty' | 'absolute' | 'parent' | 'nul';

/** Split a relative path on `/` and `\` (consent files are often written on Windows). */
export function pathSegments(relPath: string): string[] {
  return relPath.split(/[\\/]+/).filter((s) => s !== '' && s !== '.');
}

/** Why `relPath` can never name a file inside the consent file's folder, or null when it might. */
export function lexicalPathProblem(relPath: string): LexicalPathProblem | null {
  if (relPath.trim() === '') return 'empty';
  if (relPath.includes('\0')) return 'nul';
  // POSIX absolute, Windows drive ("C:\x", "C:x"), UNC ("\\server\share").
  if (/^[\\/]/.test(relPath) || /^[a-zA-Z]:/.test(relPath)) return 'absolute';
  if (relPath.split(/[\\/]+/).some((s) => s === '..')) return 'parent';
  if (pathSegments(relPath).length === 0) return 'empty';
  return null;
}

/** The path with `/` separators and no `.` segments: the form stored and compared. */
export function normaliseRelativePath(relPath: string): string {
  return pathSegments(relPath).join('/');
}
