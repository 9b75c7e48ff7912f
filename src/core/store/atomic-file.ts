import { randomBytes } from 'node:crypto';
import { closeSync, fsyncSync, linkSync, openSync, renameSync, rmSync, writeSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { diskFullError, isNoSpace } from '../domain/disk-full.js';

// The one DISK_FULL builder lives in the domain (services stop a run on it); file writers here use it.
export { diskFullError, isNoSpace } from '../domain/disk-full.js';

function fsyncDir(dir: string): void {
  const fd = openSync(dir, 'r');
  try {
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
}

/**
 * Writes a whole file or nothing: a temp file beside it is written, fsynced, then put in place and
 * the folder fsynced, so a crash or a full disk never leaves a 0-byte or partial file under `path`.
 * `exclusive` refuses to replace an existing file (EEXIST, as with flag 'wx'): keys are never
 * overwritten.
 */
export function writeFileAtomic(path: string, data: Uint8Array, opts: { mode: number; exclusive: boolean }): void {
  const tmp = join(dirname(path), `.${basename(path)}.sitter-${randomBytes(6).toString('hex')}.tmp`);
  let fd: number | null = null;
  try {
    fd = openSync(tmp, 'wx', opts.mode);
    for (let off = 0; off < data.byteLength;) off += writeSync(fd, data, off);
    fsyncSync(fd);
    closeSync(fd);
    fd = null;
    if (opts.exclusive) linkSync(tmp, path);
    else renameSync(tmp, path);
    rmSync(tmp, { force: true });
    fsyncDir(dirname(path));
  } catch (error) {
    if (fd !== null) closeSync(fd);
    rmSync(tmp, { force: true });
    if (isNoSpace(error)) throw diskFullError(path, error);
    throw error;
  }
}
