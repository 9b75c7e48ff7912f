/**
 * Writes a migration for whatever the entities changed since the committed migrations.
 * Usage: npm run migrations:create   (then add the new class to src/core/store/migrations/index.ts)
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { initOrm } from '../src/core/store/orm.js';

const dir = mkdtempSync(join(tmpdir(), 'sitter-migrate-'));
const orm = await initOrm({
  dbName: join(dir, 'scratch.db'),
  migrationsPath: resolve('src/core/store/migrations'),
});
try {
  const migrator = orm.getMigrator();
  await migrator.up();
  const result = await migrator.createMigration(resolve('src/core/store/migrations'));
  if (!result.fileName) {
    console.log('No changes: the entities match the committed migrations.');
  } else {
    console.log(`Wrote src/core/store/migrations/${result.fileName}; add it to migrations/index.ts.`);
  }
} finally {
  await orm.close(true);
  rmSync(dir, { recursive: true, force: true });
}
