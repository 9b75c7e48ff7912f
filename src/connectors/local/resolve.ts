/**
 * From a shoot source and an asset id to a file, applying every rule the listing applies. Used by
 * fetch, push and clear, so an id the listing would not give is refused whatever it names.
 */
import { constants, promises as fs, type Stats } from 'node:fs';
import path from 'node:path';
import { SitterError } from '../../core/domain/errors.js';
import type { SourceRef } from '../../core/ports/connector.js';
import { idSegments, isInside, outOfScope } from './paths.js';
import { SNIFF_BYTES } from './sniff.js';

// O_NOFOLLOW: never open through a symlink swapped in after the checks; O_NONBLOCK: a FIFO swapped in
// cannot block the open (fstat then refuses it).
export const OPEN_FLAGS = constants.O_RDONLY | (constants.O_NOFOLLOW ?? 0) | (constants.O_NONBLOCK ?? 0);

export function errCode(e: unknown): string | undefined {
  return (e as NodeJS.ErrnoException | undefined)?.code;
}

export interface Resolved {
  id: string;
  /** path under the root (the link's own path for a linked file): the sidecar goes next to it */
  path: string;
  /** the file to open */
  realPath: string;
}

/** The real path of the shoot folder, or a SitterError saying what is wrong with it. */
export async function rootOf(source: SourceRef): Promise<string> {
  if (typeof source !== 'string' || source.trim() === '') {
    throw new SitterError(
      'SOURCE_INVALID',
      'The shoot has no source folder.',
      'Set the shoot source to a folder path.',
    );
  }
  const resolved = path.resolve(source);
  let real: string;
  try {
    real = await fs.realpath(resolved);
  } catch (e) {
    throw new SitterError(
      'SOURCE_NOT_FOUND',
      `The shoot folder ${resolved} does not exist or cannot be reached (${errCode(e) ?? String(e)}).`,
      'Check the path, or mount the drive it lives on.',
      { source: resolved },
      { cause: e },
    );
  }
  const st = await fs.stat(real);
  if (!st.isDirectory())
    throw new SitterError(
      'SOURCE_NOT_A_FOLDER',
      `The shoot source ${resolved} is not a folder.`,
      'The local connector takes a folder of images as its source.',
      { source: resolved },
    );
  // A shoot's source is stored canonical when the shoot is created (and checked against the other
  // shoots then): if it now resolves elsewhere, a symlink was put in its place or on its path, and
  // following it would read (or write into) another folder, perhaps another shoot's.
  if (real !== resolved) {
    throw new SitterError(
      'SOURCE_MOVED',
      `The shoot folder ${resolved} now leads to ${real}: a symlink was put in its place or on its path, so the local connector refuses it.`,
      `Put the real folder back at ${resolved} (remove the symlink), or close this shoot and create a new one with --source set to the real folder.`,
      { source: resolved, resolvesTo: real },
    );
  }
  return real;
}

/** Opens a file for reading without following links or blocking on FIFOs, and checks it is a regular file. */
export async function openRegular(
  file: string,
  id: string,
  source: string,
): Promise<{ handle: fs.FileHandle; stat: Stats }> {
  let handle: fs.FileHandle;
  try {
    handle = await fs.open(file, OPEN_FLAGS);
  } catch (e) {
    if (errCode(e) === 'ELOOP') throw outOfScope(id, 'it changed into a symlink while being opened', source);
    if (errCode(e) === 'ENOENT')
      throw new SitterError(
        'ASSET_NOT_FOUND',
        `Asset "${id}" no longer exists in ${source}.`,
        'List the shoot again (scan does this) to pick up moved or deleted files.',
        { assetId: id, source },
      );
    throw e;
  }
  const stat = await handle.stat();
  if (!stat.isFile()) {
    await handle.close();
    throw outOfScope(id, 'it is a device, FIFO or socket, not a regular file', source);
  }
  return { handle, stat };
}

export async function readHead(handle: fs.FileHandle): Promise<Uint8Array> {
  const buf = Buffer.alloc(SNIFF_BYTES);
  const { bytesRead } = await handle.read(buf, 0, SNIFF_BYTES, 0);
  return buf.subarray(0, bytesRead);
}

/**
 * On case-insensitive or normalizing file systems (macOS, Windows shares) `A.JPG` opens `a.jpg`;
 * an id is accepted only if every segment is spelled exactly as the folder lists it.
 */
export async function assertExactNames(root: string, segments: string[], id: string, source: string): Promise<void> {
  let dir = root;
  for (const seg of segments) {
    const names = await fs.readdir(dir).catch(() => [] as string[]);
    if (!names.includes(seg)) {
      throw new SitterError(
        'ASSET_NOT_FOUND',
        `Asset "${id}" does not exist in ${source}.`,
        'List the shoot again to pick up moved or deleted files.',
        { assetId: id, source },
      );
    }
    dir = path.join(dir, seg);
  }
}

/**
 * Applies, for one id, every rule the listing applies: well-formed relative path, no hidden
 * segment, real folders only on the way (no linked folders), a regular file or a symlink to one
 * inside the root.
 */
export async function resolveId(root: string, source: string, id: string): Promise<Resolved> {
  const segments = idSegments(id, source);
  await assertExactNames(root, segments, id, source);
  let dir = root;
  for (const seg of segments.slice(0, -1)) {
    dir = path.join(dir, seg);
    const st = await fs.lstat(dir).catch((e: unknown) => {
      if (errCode(e) === 'ENOENT' || errCode(e) === 'ENOTDIR') return null;
      throw e;
    });
    if (!st)
      throw new SitterError(
        'ASSET_NOT_FOUND',
        `Asset "${id}" does not exist in ${source}.`,
        'List the shoot again to pick up moved or deleted files.',
        { assetId: id, source },
      );
    if (st.isSymbolicLink())
      throw outOfScope(id, 'it lies behind a symlinked folder, which the listing does not follow', source);
    if (!st.isDirectory())
      throw new SitterError('ASSET_NOT_FOUND', `Asset "${id}" does not exist in ${source}.`, 'List the shoot again.', {
        assetId: id,
        source,
      });
  }
  const file = path.join(root, ...segments);
  const st = await fs.lstat(file).catch((e: unknown) => {
    if (errCode(e) === 'ENOENT' || errCode(e) === 'ENOTDIR') return null;
    throw e;
  });
  if (!st)
    throw new SitterError(
      'ASSET_NOT_FOUND',
      `Asset "${id}" does not exist in ${source}.`,
      'List the shoot again to pick up moved or deleted files.',
      { assetId: id, source },
    );
  if (st.isSymbolicLink()) {
    const real = await fs.realpath(file).catch(() => null);
    if (real === null) throw outOfScope(id, 'it is a broken symlink', source);
    if (!isInside(root, real)) throw outOfScope(id, 'it is a symlink leading outside the shoot folder', source);
    return { id, path: file, realPath: real };
  }
  if (!st.isFile()) throw outOfScope(id, 'it is not a regular file (a folder, device, FIFO or socket)', source);
  return { id, path: file, realPath: file };
}
