import { SitterError } from '../domain/errors.js';
import { diskFullError, fullDiskIn, isNoSpace } from '../domain/disk-full.js';

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
    return databaseCorruptError(dbPath, error);
  }
  return error;
}

/** The database file is damaged (SQLite said so, or `PRAGMA quick_check` found a problem): only a backup helps. */
export function databaseCorruptError(dbPath: string, cause: unknown, problems?: string[]): SitterError {
  return new SitterError(
    'DATABASE_CORRUPT',
    `The workspace database ${dbPath} is damaged or not a Sitter database.`,
    'Restore the workspace from a backup; `sitter audit verify` on the backup proves it is intact.',
    problems ? { problems } : undefined,
    { cause },
  );
}

/**
 * An out-of-space failure anywhere in an error and its causes (a connector or the key vault may
 * wrap the ENOSPC of a file write), told as DISK_FULL; anything else is returned as it was.
 */
export function translateDiskFull(error: unknown): unknown {
  if (error instanceof SitterError && error.code === 'DISK_FULL') return error;
  const full = fullDiskIn(error);
  if (!full) return error;
  // Already told (a connector's or the store's DISK_FULL under another error): that one names the place.
  if (full.kind === 'reported') return full.error;
  const where = full.kind === 'database' ? 'the workspace database' : 'the workspace or the shoot';
  return diskFullError(full.path ?? where, error);
}
