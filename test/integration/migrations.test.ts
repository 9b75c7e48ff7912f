import { join } from 'node:path';
import { afterEach, beforeEach, expect, it } from 'vitest';
import { initOrm } from '../../src/core/store/orm.js';
import { startPostgres } from '../helpers/postgres.js';
import { tempDir } from '../helpers/workspace.js';

let tmp: ReturnType<typeof tempDir>;
beforeEach(() => {
  tmp = tempDir('sitter-migrations-');
});
afterEach(() => tmp.cleanup());

/** Runs a driver's committed migrations on an empty database and expects nothing left to migrate. */
async function expectMigrationsMatchEntities(dbName: string): Promise<void> {
  const orm = await initOrm({ dbName });
  try {
    const migrator = orm.getMigrator();
    await migrator.up();
    // What a new migration would contain if the entities changed without one being committed.
    const diff = await orm.schema.getUpdateSchemaSQL({ wrap: false });
    expect(diff.trim(), 'entities changed: run `npm run migrations:create` and commit both files').toBe('');
    expect(await migrator.checkMigrationNeeded()).toBe(false);
  } finally {
    await orm.close(true);
  }
}

it('the committed migrations build exactly the schema the entities describe', async () => {
  await expectMigrationsMatchEntities(join(tmp.dir, 'check.db'));
});

it('the committed PostgreSQL migrations build exactly the schema the entities describe (team workspaces)', async () => {
  const cluster = await startPostgres();
  process.env.PGPASSWORD = cluster.password;
  try {
    await expectMigrationsMatchEntities(await cluster.createDatabase('migrations'));
  } finally {
    await cluster.stop();
  }
}, 60_000);
