/**
 * Lexical checks of the paths a consent file names. Pure: the symlink and existence checks need the
 * file system and are done by a ConsentFileAccess adapter, which runs these checks first too.
 */
import type { ResolveFailure } from '../ports/consent-files.js';
import type { Parsed } from './values.js';

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

/** A cell naming a file: normalised, or the problem with it (absolute, leaving the folder, unusable). */
export function relativePath(raw: string): Parsed<string> {
  const p = lexicalPathProblem(raw);
  if (p === null) return { ok: true, value: normaliseRelativePath(raw) };
  if (p === 'absolute' || p === 'parent') return { ok: false, problem: resolveProblem(p, raw) };
  return { ok: false, problem: `not a usable path: ${JSON.stringify(raw)}` };
}

/** What is wrong with a path a record names, in the words of a consent-file problem. */
export function resolveProblem(reason: ResolveFailure, relPath: string, message?: string): string {
  const q = JSON.stringify(relPath);
  switch (reason) {
    case 'absolute':
      return `absolute path ${q} (give a path relative to the consent file's folder)`;
    case 'parent':
      return `path ${q} leaves the consent file's folder (no "..")`;
    case 'symlink-escape':
      return `path ${q} is a symbolic link leading outside the consent file's folder`;
    case 'missing':
      return `file not found: ${q}`;
    case 'not-a-file':
      return `not a file: ${q}`;
    case 'unreadable':
      return `cannot read ${q}${message ? `: ${message}` : ''}`;
  }
}
