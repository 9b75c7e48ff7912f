/**
 * Writes a migration for whatever the entities changed since the committed migrations, one per
 * driver: SQLite (src/core/store/migrations) and PostgreSQL (src/core/store/migrations-postgres).
 * Usage: npm run migrations:create   (then add each new class to its folder's index.ts)
 *
 * PostgreSQL's migration is generated against a scratch server: SITTER_MIGRATIONS_DATABASE_URL (an
 * empty database, password from PGPASSWORD or ~/.pgpass), else a throwaway cluster started here
 * from Debian's server binaries (test/helpers/postgres.ts).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { initOrm, MIGRATIONS_FOLDER } from '../src/core/store/orm.js';
import { startPostgres } from '../test/helpers/postgres.js';

async function create(dbName: string, folder: string): Promise<void> {
  const orm = await initOrm({ dbName, migrationsPath: resolve(folder) });
  try {
    const migrator = orm.getMigrator();
    await migrator.up();
    const result = await migrator.createMigration(resolve(folder));
    console.log(
      result.fileName
        ? `Wrote ${folder}/${result.fileName}; add it to ${folder}/index.ts.`
        : `${folder}: no changes, the entities match the committed migrations.`,
    );
  } finally {
    await orm.close(true);
  }
}

const dir = mkdtempSync(join(tmpdir(), 'sitter-migrate-'));
try {
  await create(join(dir, 'scratch.db'), MIGRATIONS_FOLDER.sqlite);
} finally {
  rmSync(dir, { recursive: true, force: true });
}

const given = process.env.SITTER_MIGRATIONS_DATABASE_URL;
if (given) {
  await create(given, MIGRATIONS_FOLDER.postgresql);
} else {
  const cluster = await startPostgres();
  process.env.PGPASSWORD = cluster.password;
  try {
    await create(await cluster.createDatabase('migrate'), MIGRATIONS_FOLDER.postgresql);
  } finally {
    await cluster.stop();
  }
}
