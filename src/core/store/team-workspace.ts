/**
 * A team workspace: the database (records, audit chain, wrapped per-shoot keys) on a PostgreSQL
 * server shared by several machines; on each machine a local workspace folder (0700) holding
 * workspace.json, which names the database (never a password), and by default the master key
 * (0600). The master key never enters the database: only its public check value does, so a machine
 * joining with another key is refused.
 */
import { chmodSync, existsSync, mkdirSync } from 'node:fs';
import { hostname } from 'node:os';
import { resolve } from 'node:path';
import { SitterError } from '../domain/errors.js';
import { writeFileAtomic } from './atomic-file.js';
import { DatabaseKeyVault } from './key-vault-db.js';
import { WorkspaceIdentityEntity } from './entities.js';
import {
  type Env,
  keyCheck,
  MASTER_KEY_ENV,
  MASTER_KEY_FILE_ENV,
  type MasterKeySource,
  provisionMasterKey,
} from './master-key.js';
import { initOrm, type SitterOrm } from './orm.js';
import { withMigrationLock } from './postgres-locks.js';
import { translatePostgresError } from './postgres-errors.js';
import { PostgresStore } from './postgres-store.js';
import {
  assertFolderUsable,
  emptyFolder,
  type Marker,
  masterKeyOf,
  WORKSPACE_FORMAT,
  type WorkspacePaths,
  writeMarker,
  wrongKeyError,
} from './workspace-marker.js';

const IDENTITY_ID = 'workspace';

export interface TeamInitResult {
  created: boolean;
  /** whether this machine joined a workspace another machine made in that database */
  joined: boolean;
  masterKey: MasterKeySource;
}

/** Connects and brings the schema up to date (one machine at a time); PostgreSQL errors told as such. */
async function connect(url: string): Promise<SitterOrm> {
  let orm: SitterOrm | undefined;
  try {
    orm = await initOrm({ dbName: url });
    const migrator = orm.getMigrator();
    await withMigrationLock(orm, async () => {
      if ((await migrator.getPendingMigrations()).length > 0) await migrator.up();
    });
    return orm;
  } catch (error) {
    await orm?.close(true);
    throw translatePostgresError(error, url);
  }
}

async function identityOf(orm: SitterOrm) {
  return orm.em.fork().findOne(WorkspaceIdentityEntity, { id: IDENTITY_ID });
}

/**
 * The key a machine joins with: never a new one. `--key-file` must name the key file copied from a
 * machine of the workspace, `--key-from-env` takes it from the environment each time; by default the
 * key given by SITTER_MASTER_KEY or SITTER_MASTER_KEY_FILE is copied into this folder's master.key (0600).
 */
function joiningKey(choice: MasterKeySource, paths: WorkspacePaths, url: string, env: Env) {
  const missing = () =>
    new SitterError(
      'MASTER_KEY_MISSING',
      `The database ${url} already holds a Sitter workspace: joining it needs its master key, and none was given.`,
      `Hand the key over from a machine of the workspace (docs/team.md, "Keys"), then run init again with ` +
        `${MASTER_KEY_FILE_ENV}=PATH (copied into this folder), ${MASTER_KEY_ENV}=BASE64, --key-file PATH or --key-from-env.`,
    );
  if (choice.kind === 'file' && !existsSync(resolve(choice.path))) throw missing();
  if (choice.kind !== 'workspace') return provisionMasterKey(choice, paths.masterKey, env);
  if (!env[MASTER_KEY_ENV] && !env[MASTER_KEY_FILE_ENV]) throw missing();
  const { key } = provisionMasterKey({ kind: 'env' }, paths.masterKey, env);
  writeFileAtomic(paths.masterKey, key, { mode: 0o600, exclusive: true });
  return { source: { kind: 'workspace' } as MasterKeySource, key };
}

/** Creates the team workspace in `url`, or joins the one already there (same master key only). */
export async function initTeamWorkspace(
  paths: WorkspacePaths,
  url: string,
  choice: MasterKeySource,
  env: Env,
  osUser: string,
): Promise<TeamInitResult> {
  assertFolderUsable(paths);
  mkdirSync(paths.dir, { recursive: true, mode: 0o700 });
  chmodSync(paths.dir, 0o700);
  let orm: SitterOrm | undefined;
  try {
    orm = await connect(url);
    const existing = await identityOf(orm);
    const { source, key } = existing
      ? joiningKey(choice, paths, url, env)
      : provisionMasterKey(choice, paths.masterKey, env);
    const check = keyCheck(key);
    const store = new PostgresStore(orm, url);
    // The server authenticated this role: it, as in every later command, is who made or joined the
    // workspace; the operating-system user is kept beside it as a fact about the machine.
    const actor = (await store.currentRole()) ?? osUser;
    if (!existing) {
      // Two first machines at once: the first row wins, and the other finds a workspace to join.
      await orm.em
        .fork()
        .createQueryBuilder(WorkspaceIdentityEntity)
        .insert({ id: IDENTITY_ID, keyCheck: check, createdAt: new Date(), createdBy: actor })
        .onConflict('id')
        .ignore()
        .execute();
    }
    const identity = await identityOf(orm);
    if (identity?.keyCheck !== check) throw wrongKeyError(`${url} (as its workspace_identity records it)`);
    await store.transaction((uow) =>
      uow.audit.append(
        {
          actor,
          action: existing ? 'workspace.machine-joined' : 'workspace.created',
          shootId: null,
          subject: null,
          details: { database: url, host: hostname(), osUser, folder: paths.dir, masterKey: source.kind },
        },
        new Date(),
      ),
    );
    // The marker goes last: a half-made workspace is never taken for a complete one.
    const marker: Marker = {
      format: WORKSPACE_FORMAT,
      tool: 'sitter',
      masterKey: source,
      masterKeyCheck: check,
      database: url,
    };
    writeMarker(paths.marker, marker, true);
    return { created: true, joined: existing !== null, masterKey: source };
  } catch (error) {
    emptyFolder(paths.dir);
    throw translatePostgresError(error, url);
  } finally {
    await orm?.close(true);
  }
}

export interface OpenTeamWorkspace {
  orm: SitterOrm;
  store: PostgresStore;
  keyVault: DatabaseKeyVault;
  warnings: string[];
}

/** Opens a team workspace: the machine's master key, checked against the database's check value. */
export async function openTeamWorkspace(
  paths: WorkspacePaths,
  marker: Marker,
  url: string,
  env: Env,
): Promise<OpenTeamWorkspace> {
  const { key, warnings } = masterKeyOf(paths, marker, env);
  const orm = await connect(url);
  try {
    const identity = await identityOf(orm);
    if (!identity) {
      throw new SitterError(
        'WORKSPACE_INCOMPLETE',
        `The team database ${url} holds no Sitter workspace (it was emptied, or is another database).`,
        'Check the database named in workspace.json, or restore the database from its backup (docs/team.md, "Backup and restore").',
      );
    }
    if (identity.keyCheck !== keyCheck(key)) throw wrongKeyError(`${paths.dir} (team database ${url})`);
  } catch (error) {
    await orm.close(true);
    throw translatePostgresError(error, url);
  }
  return { orm, store: new PostgresStore(orm, url), keyVault: new DatabaseKeyVault(key, orm), warnings };
}
