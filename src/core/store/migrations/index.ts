import type { Constructor } from '@mikro-orm/core';
import type { Migration } from '@mikro-orm/migrations';
import { Migration20261127121141 } from './Migration20261127121141.js';
import { Migration20261128161905 } from './Migration20261128161905.js';

/**
 * Every committed migration, in order. Listed explicitly (not globbed) so the compiled CLI finds
 * them without scanning folders. `npm run migrations:create` writes a new file; add it here.
 * test/integration/migrations.test.ts fails when the entities and these migrations disagree.
 */
export const migrationsList: { name: string; class: Constructor<Migration> }[] = [
  { name: 'Migration20261127121141', class: Migration20261127121141 },
  // push_record: what Sitter wrote where (issue 9, withdrawal reaches every place)
  { name: 'Migration20261128161905', class: Migration20261128161905 },
];
