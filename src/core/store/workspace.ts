import { randomBytes } from 'node:crypto';
import { chmodSync, existsSync, mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { SitterError } from '../domain/errors.js';
import type { KeyVault } from '../ports/key-vault.js';
import type { Store } from '../ports/store.js';
import { FileKeyVault } from './key-vault-file.js';
import { initOrm } from './orm.js';
import { translateSqliteError } from './sqlite-errors.js';
import { SqliteStore } from './sqlite-store.js';

/**
 * A workspace is a folder (mode 0700) holding the SQLite database, the master key that wraps the
 * per-shoot data keys, and those keys. Everything in it is readable by its owner only (GDPR Art. 32).
 */
export const WORKSPACE_FILES = {
  marker: 'workspace.json',
  database: 'sitter.db',
  masterKey: 'master.key',
  keysDir: 'keys',
} as const;

const WORKSPACE_FORMAT = 1;

export interface WorkspacePaths {
  dir: string;
  marker: string;
  database: string;
  masterKey: string;
  keysDir: string;
}

export function workspacePaths(dir: string): WorkspacePaths {
  const abs = resolve(dir);
  return {
    dir: abs,
    marker: join(abs, WORKSPACE_FILES.marker),
    database: join(abs, WORKSPACE_FILES.database),
    masterKey: join(abs, WORKSPACE_FILES.masterKey),
    keysDir: join(abs, WORKSPACE_FILES.keysDir),
  };
}

export interface InitResult {
  created: boolean;
  dir: string;
  database: string;
}

/** Creates a workspace; on an existing one changes nothing and says so. Never overwrites a key. */
export async function initWorkspace(dir: string): Promise<InitResult> {
  const paths = workspacePaths(dir);
  if (existsSync(paths.marker)) {
    assertComplete(paths);
    return { created: false, dir: paths.dir, database: paths.database };
  }
  if (existsSync(paths.dir)) {
    if (!statSync(paths.dir).isDirectory()) {
      throw new SitterError('WORKSPACE_NOT_A_FOLDER', `${paths.dir} exists and is not a folder.`, 'Choose another --workspace path.');
    }
    const leftovers = readdirSync(paths.dir);
    if (leftovers.length > 0) {
      throw new SitterError(
        'WORKSPACE_FOLDER_NOT_EMPTY',
        `${paths.dir} is not empty and is not a Sitter workspace (${leftovers.slice(0, 3).join(', ')}${leftovers.length > 3 ? ', ...' : ''}).`,
        'Sitter keeps biometric data in its workspace and locks it to your user: give it an empty or new folder with --workspace.',
      );
    }
  }
  mkdirSync(paths.dir, { recursive: true, mode: 0o700 });
  chmodSync(paths.dir, 0o700);
  mkdirSync(paths.keysDir, { mode: 0o700 });
  // 'wx': fail rather than overwrite, should anything race us to the key.
  writeFileSync(paths.masterKey, randomBytes(32), { mode: 0o600, flag: 'wx' });
  const orm = await initOrm({ dbName: paths.database });
  try {
    await orm.getMigrator().up();
  } finally {
    await orm.close(true);
  }
  for (const suffix of ['', '-wal', '-shm']) {
    if (existsSync(paths.database + suffix)) chmodSync(paths.database + suffix, 0o600);
  }
  // The marker goes last: a half-made workspace is never taken for a complete one.
  writeFileSync(paths.marker, `${JSON.stringify({ format: WORKSPACE_FORMAT, tool: 'sitter' }, null, 2)}\n`, { mode: 0o600, flag: 'wx' });
  return { created: true, dir: paths.dir, database: paths.database };
}

function assertComplete(paths: WorkspacePaths): void {
  for (const [what, path] of [
    ['database', paths.database],
    ['master key', paths.masterKey],
  ] as const) {
    if (!existsSync(path)) {
      throw new SitterError(
        'WORKSPACE_INCOMPLETE',
        `The workspace ${paths.dir} has lost its ${what} (${path}).`,
        what === 'master key'
          ? 'Restore the key file from your backup. Sitter never makes a new key over an existing workspace: that would make its encrypted data unreadable.'
          : 'Restore the database from your backup.',
      );
    }
  }
}

export interface OpenWorkspace {
  paths: WorkspacePaths;
  store: Store;
  keyVault: KeyVault;
  close(): Promise<void>;
}

/** Opens an existing workspace and applies any pending migrations. */
export async function openWorkspace(dir: string): Promise<OpenWorkspace> {
  const paths = workspacePaths(dir);
  if (!existsSync(paths.marker)) {
    throw new SitterError(
      'WORKSPACE_NOT_FOUND',
      `${paths.dir} is not a Sitter workspace.`,
      `Create one with \`sitter init --workspace ${dir}\`, or point to an existing one with --workspace DIR or SITTER_WORKSPACE.`,
    );
  }
  assertComplete(paths);
  let masterKey: Buffer;
  try {
    masterKey = readFileSync(paths.masterKey);
  } catch (cause) {
    throw new SitterError('WORKSPACE_UNREADABLE', `The master key ${paths.masterKey} cannot be read.`, 'Run Sitter as the user who owns the workspace.', undefined, { cause });
  }
  let orm;
  try {
    orm = await initOrm({ dbName: paths.database });
    const migrator = orm.getMigrator();
    if ((await migrator.getPendingMigrations()).length > 0) await migrator.up();
  } catch (error) {
    if (orm) await orm.close(true);
    throw translateSqliteError(error, paths.database);
  }
  const store = new SqliteStore(orm, paths.database);
  return {
    paths,
    store,
    keyVault: new FileKeyVault(masterKey, paths.keysDir),
    close: () => store.close(),
  };
}
