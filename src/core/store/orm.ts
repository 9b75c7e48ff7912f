import type { MikroORM, Options } from '@mikro-orm/core';
import type { AbstractSqlDriver } from '@mikro-orm/knex';
import { Migrator } from '@mikro-orm/migrations';
import { allEntities } from './entities.js';
import { isDatabaseUrl } from './database-url.js';
import { migrationsList } from './migrations/index.js';
import { postgresMigrationsList } from './migrations-postgres/index.js';

/** How long a command waits for another process's write lock before it reports DATABASE_LOCKED. */
export const BUSY_TIMEOUT_MS = 3000;

/** The ORM either driver gives: both are MikroORM's SQL (knex) drivers, so repositories see one API. */
export type SitterOrm = MikroORM<AbstractSqlDriver>;

export type DriverName = 'sqlite' | 'postgresql';

export interface OrmOptions {
  /** a file path, ':memory:' for fast repository tests, or a `postgres://` URL (team workspace) */
  dbName: string;
  /** where `createMigration` writes new files (only the migration script needs it) */
  migrationsPath?: string;
}

export function driverOf(dbName: string): DriverName {
  return isDatabaseUrl(dbName) ? 'postgresql' : 'sqlite';
}

/** Where each driver's committed migrations live (the migration script writes there). */
export const MIGRATIONS_FOLDER: Record<DriverName, string> = {
  sqlite: 'src/core/store/migrations',
  postgresql: 'src/core/store/migrations-postgres',
};

function common(options: OrmOptions, driver: DriverName): Options {
  return {
    connect: false,
    entities: allEntities,
    extensions: [Migrator],
    migrations: {
      migrationsList: driver === 'sqlite' ? migrationsList : postgresMigrationsList,
      path: options.migrationsPath ?? MIGRATIONS_FOLDER[driver],
      emit: 'ts',
      snapshot: false,
      transactional: true,
      allOrNothing: true,
      silent: true,
    },
    allowGlobalContext: false,
    debug: false,
    discovery: { warnWhenNoEntities: false },
  };
}

async function initSqlite(options: OrmOptions): Promise<SitterOrm> {
  const { MikroORM } = await import('@mikro-orm/sqlite');
  return MikroORM.init({
    ...common(options, 'sqlite'),
    dbName: options.dbName,
    pool: {
      min: 1,
      max: 1,
      afterCreate: (
        conn: { run(sql: string, cb: (err: Error | null) => void): void },
        done: (err: Error | null, conn: unknown) => void,
      ) => {
        // Wait for a concurrent writer instead of failing at once. The default rollback journal (not
        // WAL) keeps a workspace on read-only media readable, e.g. an archived copy being verified.
        // secure_delete: deleted rows and freed pages are overwritten with zeros, so a withdrawn
        // person's template is not left readable in the file's free space (GDPR Art. 17).
        conn.run(`PRAGMA busy_timeout = ${BUSY_TIMEOUT_MS}`, (err) =>
          err ? done(err, conn) : conn.run('PRAGMA secure_delete = ON', (err2) => done(err2, conn)),
        );
      },
    },
  }) as unknown as Promise<SitterOrm>;
}

/**
 * The URL carries no password (workspace.json records it): node-postgres finds it itself in
 * PGPASSWORD, then in ~/.pgpass or PGPASSFILE. A few connections: a unit of work holds one, the
 * key vault and the scan lock may need another meanwhile.
 */
async function initPostgres(options: OrmOptions): Promise<SitterOrm> {
  const { MikroORM } = await import('@mikro-orm/postgresql');
  return MikroORM.init({
    ...common(options, 'postgresql'),
    clientUrl: options.dbName,
    // A missing database is the administrator's to create (DATABASE_NOT_FOUND), never made for a typo.
    ensureDatabase: false,
    pool: { min: 0, max: 8, idleTimeoutMillis: 10_000 },
    driverOptions: { connection: { application_name: 'sitter', connectionTimeoutMillis: 10_000 } },
  }) as unknown as Promise<SitterOrm>;
}

/**
 * A fresh ORM per call (no module-level cache): tests and commands each own theirs.
 * It connects only after init returns, so a failing first query (a damaged file) still leaves us
 * the ORM to close: MikroORM.init would throw with the connection open and the process would
 * never exit. Each driver loads only when used: a SQLite workspace never loads node-postgres.
 */
export async function initOrm(options: OrmOptions): Promise<SitterOrm> {
  const postgres = driverOf(options.dbName) === 'postgresql';
  const orm = postgres ? await initPostgres(options) : await initSqlite(options);
  try {
    await orm.connect();
    // knex connects lazily: a first query makes an unreachable server or a refused login fail here.
    if (postgres) await orm.em.getConnection().execute('select 1');
  } catch (error) {
    await orm.close(true);
    throw error;
  }
  return orm;
}
