import type { Constructor } from '@mikro-orm/core';
import type { Migration } from '@mikro-orm/migrations';
import { Migration20261129005059 } from './Migration20261129005059.js';
import { Migration20261129012357 } from './Migration20261129012357.js';
import { Migration20261129013815 } from './Migration20261129013815.js';
import { Migration20261129021629 } from './Migration20261129021629.js';
import { Migration20261129022500 } from './Migration20261129022500.js';

/**
 * Every committed PostgreSQL migration, in order (team workspaces). The SQLite set is
 * `../migrations/index.ts`; `npm run migrations:create` writes one file into each folder from the
 * same entity change. test/integration/migrations.test.ts fails when the entities and either set disagree.
 */
export const postgresMigrationsList: { name: string; class: Constructor<Migration> }[] = [
  // the schema of every SQLite migration up to Migration20261129005059, generated from the entities in one step
  { name: 'Migration20261129005059', class: Migration20261129005059 },
  // scan_job (issue 15): the team's scan queue as Sitter records it (SQLite: Migration20261129004921)
  { name: 'Migration20261129012357', class: Migration20261129012357 },
  // face.quality_band (issue 16, open-set safety), as the SQLite migration of the same name
  { name: 'Migration20261129013815', class: Migration20261129013815 },
  // every string column text and asset.size bigint: what SQLite holds (any length, 8-byte integers), with
  // no SQLite counterpart (SQLite's text and integer already hold it)
  { name: 'Migration20261129021629', class: Migration20261129021629 },
  // triggers (issue 15 review): audit_event append-only, a decision only under the role that makes it
  { name: 'Migration20261129022500', class: Migration20261129022500 },
];
