import { chmodSync, existsSync, mkdirSync, statSync } from 'node:fs';
import { SitterError } from '../domain/errors.js';
import type { KeyVault } from '../ports/key-vault.js';
import type { Store } from '../ports/store.js';
import { resealUnboundCiphertexts } from './ciphertext-upgrade.js';
import { checkedDatabaseUrl } from './database-url.js';
import { FileKeyVault } from './key-vault-file.js';
import { type Env, keyCheck, type MasterKeySource, provisionMasterKey } from './master-key.js';
import { type DriverName, initOrm } from './orm.js';
import { acquireScanLock, type ScanLock } from './scan-lock.js';
import { translateSqliteError } from './sqlite-errors.js';
import { assertDatabaseIntact, SqliteStore } from './sqlite-store.js';
import {
  assertFolderUsable,
  emptyFolder,
  type Marker,
  masterKeyOf,
  readMarker,
  WORKSPACE_FORMAT,
  type WorkspacePaths,
  workspacePaths,
  writeMarker,
} from './workspace-marker.js';

export { WORKSPACE_FILES, workspacePaths, type WorkspacePaths } from './workspace-marker.js';

export interface InitResult {
  created: boolean;
  /** a team workspace this machine joined (made by another machine in the same database) */
  joined?: boolean;
  dir: string;
  /** the SQLite file, or the team database's URL (never a password) */
  database: string;
  /** where the master key lives (a path or the environment), never the key */
  masterKey: MasterKeySource;
}

export interface InitOptions {
  /** where the master key lives; default: `master.key` in the workspace folder */
  masterKey?: MasterKeySource;
  env?: Env;
  /** a `postgres://` URL: a team workspace whose database is on that server (team-workspace.ts) */
  database?: string;
  /** the operating-system user running init, kept in a team workspace's audit entry beside the database role that acts */
  osUser?: string;
}

/** Creates a workspace; on an existing one changes nothing and says so. Never overwrites a key. */
export async function initWorkspace(dir: string, opts: InitOptions = {}): Promise<InitResult> {
  const paths = workspacePaths(dir);
  const url = opts.database === undefined ? undefined : checkedDatabaseUrl(opts.database);
  if (existsSync(paths.marker)) {
    const marker = readMarker(paths);
    if (url !== undefined && marker.database !== url) {
      throw new SitterError(
        'WORKSPACE_EXISTS',
        `${paths.dir} is already a Sitter workspace, on ${marker.database ?? 'its own SQLite database'}, not on ${url}.`,
        'Give another --workspace folder for the team workspace: each workspace folder names one database.',
      );
    }
    if (!marker.database) assertComplete(paths, marker);
    return {
      created: false,
      dir: paths.dir,
      database: marker.database ?? paths.database,
      masterKey: marker.masterKey ?? { kind: 'workspace' },
    };
  }
  if (url !== undefined) {
    const { initTeamWorkspace } = await import('./team-workspace.js');
    const team = await initTeamWorkspace(
      paths,
      url,
      opts.masterKey ?? { kind: 'workspace' },
      opts.env ?? process.env,
      opts.osUser ?? 'sitter',
    );
    return { created: true, joined: team.joined, dir: paths.dir, database: url, masterKey: team.masterKey };
  }
  assertFolderUsable(paths);
  mkdirSync(paths.dir, { recursive: true, mode: 0o700 });
  chmodSync(paths.dir, 0o700);
  let source: MasterKeySource;
  try {
    mkdirSync(paths.keysDir, { mode: 0o700 });
    const provisioned = provisionMasterKey(
      opts.masterKey ?? { kind: 'workspace' },
      paths.masterKey,
      opts.env ?? process.env,
    );
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
    source = provisioned.source;
    writeMarker(
      paths.marker,
      { format: WORKSPACE_FORMAT, tool: 'sitter', masterKey: source, masterKeyCheck: keyCheck(provisioned.key) },
      true,
    );
  } catch (error) {
    emptyFolder(paths.dir);
    throw translateSqliteError(error, paths.database);
  }
  return { created: true, dir: paths.dir, database: paths.database, masterKey: source };
}

/** The database is there and the master key is found (and is the right one): returns the key, and what to tell the user about it. */
function assertComplete(paths: WorkspacePaths, marker: Marker): { key: Buffer; warnings: string[] } {
  if (!existsSync(paths.database)) {
    throw new SitterError(
      'WORKSPACE_INCOMPLETE',
      `The workspace ${paths.dir} has lost its database (${paths.database}).`,
      'Restore the database from your backup.',
    );
  }
  // Throws WORKSPACE_INCOMPLETE for a lost key beside the database, MASTER_KEY_MISSING for one kept elsewhere.
  return masterKeyOf(paths, marker, process.env);
}

export interface OpenWorkspace {
  paths: WorkspacePaths;
  /** sqlite: the database is paths.database; postgresql: a team workspace on `database` */
  driver: DriverName;
  /** the SQLite file, or the team database's URL (never a password) */
  database: string;
  store: Store;
  keyVault: KeyVault;
  /** one scan per shoot at a time: a lock file in the folder, or an advisory lock in the team database */
  scanLock(shootId: string): Promise<ScanLock>;
  /** what the user must be told on opening (an ignored SITTER_MASTER_KEY), said once per command */
  warnings: string[];
  close(): Promise<void>;
}

/**
 * `PRAGMA quick_check` reads every page: measured here (docs/reliability.md) at 1 to 10 ms per MB once
 * cached, 24 ms per MB on a 58 MB roster under a load of 20. Every command checks a database up to
 * this size when it opens the workspace (a few ms for a shoot of a few hundred photos); above it only
 * `sitter audit verify` does, where the time is expected.
 */
export const QUICK_CHECK_AT_OPEN_MAX_BYTES = 8 * 1024 * 1024;

/** Opens an existing workspace, checks the database file when that is cheap, and applies any pending migrations. */
export async function openWorkspace(dir: string): Promise<OpenWorkspace> {
  const paths = workspacePaths(dir);
  if (!existsSync(paths.marker)) {
    throw new SitterError(
      'WORKSPACE_NOT_FOUND',
      `${paths.dir} is not a Sitter workspace.`,
      `Create one with \`sitter init --workspace ${dir}\`, or point to an existing one with --workspace DIR or SITTER_WORKSPACE.`,
    );
  }
  const marker = readMarker(paths);
  if (marker.database) return openTeam(paths, marker, marker.database);
  const { key: masterKey, warnings } = assertComplete(paths, marker);
  let orm;
  try {
    orm = await initOrm({ dbName: paths.database });
    // Before migrations write to it: a damaged page is found now, not by whichever command reads it later.
    if (statSync(paths.database).size <= QUICK_CHECK_AT_OPEN_MAX_BYTES) await assertDatabaseIntact(orm, paths.database);
    const migrator = orm.getMigrator();
    if ((await migrator.getPendingMigrations()).length > 0) await migrator.up();
  } catch (error) {
    if (orm) await orm.close(true);
    throw translateSqliteError(error, paths.database);
  }
  const store = new SqliteStore(orm, paths.database);
  const keyVault = new FileKeyVault(masterKey, paths.keysDir);
  if (marker.format < WORKSPACE_FORMAT) await upgradeFormat(paths, marker, store, keyVault);
  return {
    paths,
    driver: 'sqlite',
    database: paths.database,
    store,
    keyVault,
    scanLock: async (shootId) => acquireScanLock(paths.dir, shootId),
    warnings,
    close: () => store.close(),
  };
}

/** A team workspace (its marker names a PostgreSQL database): loaded only when a workspace is one. */
async function openTeam(paths: WorkspacePaths, marker: Marker, url: string): Promise<OpenWorkspace> {
  const [{ openTeamWorkspace }, { acquirePostgresScanLock }] = await Promise.all([
    import('./team-workspace.js'),
    import('./postgres-locks.js'),
  ]);
  const team = await openTeamWorkspace(paths, marker, url, process.env);
  return {
    paths,
    driver: 'postgresql',
    database: url,
    store: team.store,
    keyVault: team.keyVault,
    scanLock: (shootId) => acquirePostgresScanLock(team.orm, shootId),
    warnings: team.warnings,
    close: () => team.store.close(),
  };
}

/**
 * Format 1 -> 2: ciphertexts sealed without associated data are re-sealed bound to their place, then
 * the marker says so. A read-only workspace (an archived copy) is opened as it is: it can still be
 * listed and verified, and decrypting an unbound blob asks for write access.
 */
async function upgradeFormat(paths: WorkspacePaths, marker: Marker, store: Store, keyVault: KeyVault): Promise<void> {
  try {
    await resealUnboundCiphertexts(store, keyVault, new Date());
  } catch (error) {
    // Read-only, or a folder where the rollback journal cannot be made (the database itself opened fine).
    if (['WORKSPACE_READ_ONLY', 'WORKSPACE_UNREADABLE'].includes((error as { code?: string }).code ?? '')) return;
    await store.close();
    throw error;
  }
  try {
    writeMarker(paths.marker, { ...marker, format: WORKSPACE_FORMAT }, false);
  } catch (error) {
    // A folder that cannot be written: the re-seal is done; the marker follows at the next writable open.
    if (!['EACCES', 'EPERM', 'EROFS'].includes((error as NodeJS.ErrnoException).code ?? '')) throw error;
  }
}
