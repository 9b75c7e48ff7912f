import { MikroORM } from '@mikro-orm/sqlite';
import { Migrator } from '@mikro-orm/migrations';
import { allEntities } from './entities.js';
import { migrationsList } from './migrations/index.js';

/** How long a command waits for another process's write lock before it reports DATABASE_LOCKED. */
export const BUSY_TIMEOUT_MS = 3000;

export interface OrmOptions {
  /** a file path, or ':memory:' for fast repository tests */
  dbName: string;
  /** where `createMigration` writes new files (only the migration script needs it) */
  migrationsPath?: string;
}

/**
 * A fresh ORM per call (no module-level cache): tests and commands each own theirs.
 * It connects only after init returns, so a failing first query (a damaged file) still leaves us
 * the ORM to close: MikroORM.init would throw with the connection open and the process would
 * never exit.
 */
export async function initOrm(options: OrmOptions): Promise<MikroORM> {
  const orm = await MikroORM.init({
    connect: false,
    dbName: options.dbName,
    entities: allEntities,
    extensions: [Migrator],
    migrations: {
      migrationsList,
      path: options.migrationsPath ?? 'src/core/store/migrations',
      emit: 'ts',
      snapshot: false,
      transactional: true,
      allOrNothing: true,
      silent: true,
    },
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
    allowGlobalContext: false,
    debug: false,
    discovery: { warnWhenNoEntities: false },
  });
  try {
    await orm.connect();
  } catch (error) {
    await orm.close(true);
    throw error;
  }
  return orm;
}
