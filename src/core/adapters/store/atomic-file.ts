import { randomBytes } from 'node:crypto';
import { closeSync, fsyncSync, linkSync, openSync, renameSync, rmSync, writeSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { SitterError } from '../../domain/errors.js';

const NO_SPACE = new Set(['ENOSPC', 'EDQUOT']);

/**
 * A full disk (or quota) is the user's to fix, not a bug: file writes here go through a temp file and
 * SQLite rolls the transaction back, so the failed step left nothing half-written and the same
 * command succeeds once there is room. The one DISK_FULL error every store path reports.
 */
export function diskFullError(path: string, cause: unknown): SitterError {
  return new SitterError(
    'DISK_FULL',
    `There is no space left on the disk holding ${path}: the last step was not saved.`,
    'Free some space on that disk (`df -h` shows how much is left) or raise the quota, then run the ' +
      'same command again. Nothing was left half-written; everything committed before this step is kept.',
    undefined,
    { cause },
  );
}

export function isNoSpace(error: unknown): boolean {
  return NO_SPACE.has((error as NodeJS.ErrnoException | null)?.code ?? '');
}

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
