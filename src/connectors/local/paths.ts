/**
 * Asset ids of the local folder connector are normalized relative POSIX paths (`day1/IMG_0001.jpg`).
 * These helpers check an id before any file system call, so `..`, absolute paths, hidden segments and
 * sidecars are refused by shape, whatever the file system says.
 */
import path from 'node:path';
import { SitterError } from '../../core/domain/errors.js';

/** Files next to images that are metadata, not assets: never listed, never reported. */
export function isSidecarName(name: string): boolean {
  return name.toLowerCase().endsWith('.xmp');
}

/** Hidden files and folders (dot files; our own temp files are dot files too). */
export function isHiddenName(name: string): boolean {
  return name.startsWith('.');
}

export function outOfScope(id: string, why: string, source: string): SitterError {
  return new SitterError(
    'ASSET_OUT_OF_SCOPE',
    `Asset "${id}" is not in the shoot folder ${source}: ${why}.`,
    'Only image files inside the shoot folder (not hidden, not behind a symlink leading outside it) belong to the shoot.',
    { assetId: id, source, reason: why },
  );
}

/** The path segments of a well-formed id, or a SitterError saying why it cannot be one of ours. */
export function idSegments(id: string, source: string): string[] {
  if (typeof id !== 'string' || id === '') throw outOfScope(String(id), 'the id is empty', source);
  if (id.includes('\0')) throw outOfScope(id, 'the id contains a NUL byte', source);
  if (path.posix.isAbsolute(id) || path.win32.isAbsolute(id)) throw outOfScope(id, 'it is an absolute path', source);
  if (process.platform === 'win32' && id.includes('\\')) throw outOfScope(id, 'ids use forward slashes', source);
  const segments = id.split('/');
  for (const s of segments) {
    if (s === '' || s === '.') throw outOfScope(id, 'the id is not a normalized relative path', source);
    if (s === '..') throw outOfScope(id, 'it climbs out of the folder with ".."', source);
    if (isHiddenName(s)) throw outOfScope(id, 'hidden files and folders are not part of a shoot', source);
  }
  const last = segments[segments.length - 1] ?? '';
  if (isSidecarName(last)) throw outOfScope(id, 'it is a metadata sidecar, not an image', source);
  return segments;
}

/** True when `target` is `root` or lies under it (both real, absolute paths). */
export function isInside(root: string, target: string): boolean {
  const rel = path.relative(root, target);
  return rel === '' || (rel !== '..' && !rel.startsWith(`..${path.sep}`) && !path.isAbsolute(rel));
}
