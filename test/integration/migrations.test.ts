import { join } from 'node:path';
import { afterEach, beforeEach, expect, it } from 'vitest';
import { initOrm } from '../../src/core/store/orm.js';
import { tempDir } from '../helpers/workspace.js';

let tmp: ReturnType<typeof tempDir>;
beforeEach(() => {
  tmp = tempDir('sitter-migrations-');
});
afterEach(() => tmp.cleanup());

it('the committed migrations build exactly the schema the entities describe', async () => {
  const orm = await initOrm({ dbName: join(tmp.dir, 'check.db') });
  try {
    const migrator = orm.getMigrator();
    await migrator.up();
    // What a new migration would contain if the entities changed without one being committed.
    const diff = await orm.schema.getUpdateSchemaSQL({ wrap: false });
    expect(diff.trim(), 'entities changed: run `npm run migrations:create` and commit the file').toBe('');
    expect(await migrator.checkMigrationNeeded()).toBe(false);
  } finally {
    await orm.close(true);
  }
});
