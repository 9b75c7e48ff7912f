import { SitterError } from '../../domain/errors.js';
import { diskFullError, isNoSpace } from './atomic-file.js';

/** SQLite failures a user can do something about, told as such; anything else stays a bug. */
export function translateSqliteError(error: unknown, dbPath: string): unknown {
  const code = (error as { code?: string } | null)?.code ?? '';
  const text = error instanceof Error ? error.message : String(error);
  if (code === 'SQLITE_BUSY' || /SQLITE_BUSY|database is locked/i.test(text)) {
    return new SitterError(
      'DATABASE_LOCKED',
      `The workspace database ${dbPath} is locked by another Sitter process.`,
      'Wait for the other command (a scan or an import) to finish, or stop it, then run this command again. Nothing was changed.',
      undefined,
      { cause: error },
    );
  }
  if (code === 'SQLITE_READONLY' || /SQLITE_READONLY|readonly database/i.test(text)) {
    return new SitterError(
      'WORKSPACE_READ_ONLY',
      `The workspace database ${dbPath} is read-only: this command needs to write to it.`,
      'Give your user write access to the workspace folder and its files (they should be yours, mode 0700/0600), or use a writable copy. Nothing was changed.',
      undefined,
      { cause: error },
    );
  }
  if (code === 'SQLITE_FULL' || /SQLITE_FULL|database or disk is full/i.test(text) || isNoSpace(error)) {
    // SQLite rolled the transaction back: nothing of this command was written.
    return diskFullError(dbPath, error);
  }
  if (code === 'SQLITE_CANTOPEN' || /SQLITE_CANTOPEN/i.test(text)) {
    return new SitterError(
      'WORKSPACE_UNREADABLE',
      `The workspace database ${dbPath} cannot be opened.`,
      'Check that the workspace folder and its files exist and that your user may read and write them.',
      undefined,
      { cause: error },
    );
  }
  if (code === 'SQLITE_CORRUPT' || code === 'SQLITE_NOTADB' || /SQLITE_(CORRUPT|NOTADB)/.test(text)) {
    return new SitterError(
      'DATABASE_CORRUPT',
      `The workspace database ${dbPath} is damaged or not a Sitter database.`,
      'Restore the workspace from a backup; `sitter audit verify` on the backup proves it is intact.',
      undefined,
      { cause: error },
    );
  }
  return error;
}

/**
 * An out-of-space failure anywhere in an error and its causes (a connector or the key vault may
 * wrap the ENOSPC of a file write), told as DISK_FULL; anything else is returned as it was.
 */
export function translateDiskFull(error: unknown): unknown {
  if (error instanceof SitterError && error.code === 'DISK_FULL') return error;
  for (let e: unknown = error, depth = 0; e && depth < 8; e = (e as { cause?: unknown }).cause, depth++) {
    const { code, path } = e as { code?: unknown; path?: unknown };
    const text = e instanceof Error ? e.message : '';
    if (isNoSpace(e) || /\bENOSPC\b|no space left on device/i.test(text)) {
      return diskFullError(typeof path === 'string' ? path : 'the workspace or the shoot', error);
    }
    if (code === 'SQLITE_FULL' || /SQLITE_FULL/.test(text)) return diskFullError('the workspace database', error);
  }
  return error;
}
