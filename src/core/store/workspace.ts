import { chmodSync, existsSync, mkdirSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { SitterError } from '../domain/errors.js';
import type { KeyVault } from '../ports/key-vault.js';
import type { Store } from '../ports/store.js';
import { writeFileAtomic } from './atomic-file.js';
import { resealUnboundCiphertexts } from './ciphertext-upgrade.js';
import { FileKeyVault } from './key-vault-file.js';
import { type Env, keyCheck, loadMasterKey, type MasterKeySource, provisionMasterKey } from './master-key.js';
import { initOrm } from './orm.js';
import { translateSqliteError } from './sqlite-errors.js';
import { assertDatabaseIntact, SqliteStore } from './sqlite-store.js';

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

/** 1: ciphertexts without associated data; 2: every ciphertext bound to its place */
const WORKSPACE_FORMAT = 2;

/** workspace.json: what a workspace is and where its master key lives (never the key itself). */
interface Marker {
  format: number;
  tool: 'sitter';
  masterKey?: MasterKeySource;
  masterKeyCheck?: string;
}

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
  /** where the master key lives (a path or the environment), never the key */
  masterKey: MasterKeySource;
}

export interface InitOptions {
  /** where the master key lives; default: `master.key` in the workspace folder */
  masterKey?: MasterKeySource;
  env?: Env;
}

function writeMarker(path: string, marker: Marker, exclusive: boolean): void {
  writeFileAtomic(path, Buffer.from(`${JSON.stringify(marker, null, 2)}\n`), { mode: 0o600, exclusive });
}

/** Creates a workspace; on an existing one changes nothing and says so. Never overwrites a key. */
export async function initWorkspace(dir: string, opts: InitOptions = {}): Promise<InitResult> {
  const paths = workspacePaths(dir);
  if (existsSync(paths.marker)) {
    const marker = readMarker(paths);
    assertComplete(paths, marker);
    return {
      created: false,
      dir: paths.dir,
      database: paths.database,
      masterKey: marker.masterKey ?? { kind: 'workspace' },
    };
  }
  if (existsSync(paths.dir)) {
    if (!statSync(paths.dir).isDirectory()) {
      throw new SitterError(
        'WORKSPACE_NOT_A_FOLDER',
        `${paths.dir} exists and is not a folder.`,
        'Choose another --workspace path.',
      );
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
    // The folder was empty or new: a failed init (a full disk) leaves it empty, so init can run again.
    for (const entry of readdirSync(paths.dir)) rmSync(join(paths.dir, entry), { recursive: true, force: true });
    throw translateSqliteError(error, paths.database);
  }
  return { created: true, dir: paths.dir, database: paths.database, masterKey: source };
}

function readMarker(paths: WorkspacePaths): Marker {
  let marker: Marker;
  try {
    marker = JSON.parse(readFileSync(paths.marker, 'utf8')) as Marker;
  } catch (cause) {
    throw new SitterError(
      'WORKSPACE_UNREADABLE',
      `The workspace marker ${paths.marker} cannot be read.`,
      'Run Sitter as the user who owns the workspace, or restore workspace.json from your backup.',
      undefined,
      { cause },
    );
  }
  if (typeof marker.format !== 'number' || marker.format > WORKSPACE_FORMAT) {
    throw new SitterError(
      'WORKSPACE_TOO_NEW',
      `The workspace ${paths.dir} was written by a newer Sitter (format ${String(marker.format)}).`,
      'Upgrade Sitter to open it.',
    );
  }
  return marker;
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

function masterKeyOf(paths: WorkspacePaths, marker: Marker, env: Env): { key: Buffer; warnings: string[] } {
  const { key, warnings } = loadMasterKey(marker.masterKey ?? { kind: 'workspace' }, paths.masterKey, paths.dir, env);
  if (marker.masterKeyCheck && keyCheck(key) !== marker.masterKeyCheck) {
    throw new SitterError(
      'MASTER_KEY_WRONG',
      `The master key given for workspace ${paths.dir} is not the one it was created with.`,
      'Use the key this workspace was created with (check SITTER_MASTER_KEY / SITTER_MASTER_KEY_FILE, ' +
        'or the key file). A wrong key cannot decrypt anything, and Sitter never re-keys a workspace.',
    );
  }
  return { key, warnings };
}

export interface OpenWorkspace {
  paths: WorkspacePaths;
  store: Store;
  keyVault: KeyVault;
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
  return { paths, store, keyVault, warnings, close: () => store.close() };
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
