import { SitterError } from './errors.js';

/** errno codes of a full disk or an exhausted quota. */
const NO_SPACE = new Set(['ENOSPC', 'EDQUOT']);

/**
 * A full disk (or quota) is the user's to fix, not a bug: file writes go through a temp file and
 * SQLite rolls the transaction back, so the failed step left nothing half-written and the same
 * command succeeds once there is room. The one DISK_FULL error every path reports.
 */
export function diskFullError(path: string, cause: unknown): SitterError {
  return new SitterError(
    'DISK_FULL',
    `There is no space left on the disk holding ${path}: the last step was not saved.`,
    'Free some space on that disk (`df -h` shows how much is left) or raise the quota, then run the same command again. Nothing was left half-written; everything committed before this step is kept.',
    undefined,
    { cause },
  );
}

/** This error itself is an out-of-space errno (ENOSPC, EDQUOT). */
export function isNoSpace(error: unknown): boolean {
  return NO_SPACE.has((error as { code?: unknown } | null)?.code as string);
}

/**
 * The out-of-space failure anywhere in an error and its causes (a connector, the key vault or the
 * store may wrap the ENOSPC of a file write, or SQLite may say SQLITE_FULL), or null. A DISK_FULL
 * SitterError counts as one. Where the errno names the file, `path` is it.
 */
export function fullDiskIn(error: unknown): FullDisk | null {
  for (let e: unknown = error, depth = 0; e && depth < 8; e = (e as { cause?: unknown }).cause, depth++) {
    const { code, path } = e as { code?: unknown; path?: unknown };
    const text = e instanceof Error ? e.message : '';
    if (e instanceof SitterError && code === 'DISK_FULL') return { kind: 'reported', path: null, error: e };
    if (isNoSpace(e) || /\bENOSPC\b|no space left on device/i.test(text))
      return { kind: 'file', path: typeof path === 'string' ? path : null, error: e };
    if (code === 'SQLITE_FULL' || /SQLITE_FULL/.test(text)) return { kind: 'database', path: null, error: e };
  }
  return null;
}

export interface FullDisk {
  /** a DISK_FULL already told, a file write's errno, or SQLite's SQLITE_FULL */
  kind: 'reported' | 'file' | 'database';
  /** the file the errno names, when it does */
  path: string | null;
  error: unknown;
}

/** A full disk stops a whole run (scan, push): it is no one asset's fault, and every next asset would fail the same way. */
export function isDiskFull(error: unknown): boolean {
  return fullDiskIn(error) !== null;
}
