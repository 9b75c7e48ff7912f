import type { Constructor } from '@mikro-orm/core';
import type { Migration } from '@mikro-orm/migrations';
import { Migration20261127121141 } from './Migration20261127121141.js';
import { Migration20261128161814 } from './Migration20261128161814.js';
import { Migration20261128161843 } from './Migration20261128161843.js';
import { Migration20261128161905 } from './Migration20261128161905.js';
import { Migration20261128173810 } from './Migration20261128173810.js';
import { Migration20261128185003 } from './Migration20261128185003.js';
import { Migration20261128200937 } from './Migration20261128200937.js';
import { Migration20261128214150 } from './Migration20261128214150.js';
import { Migration20261128214204 } from './Migration20261128214204.js';
import { Migration20261129004921 } from './Migration20261129004921.js';
import { Migration20261129005059 } from './Migration20261129005059.js';
import { Migration20261129013815 } from './Migration20261129013815.js';

/**
 * Every committed migration, in order. Listed explicitly (not globbed) so the compiled CLI finds
 * them without scanning folders. `npm run migrations:create` writes a new file; add it here.
 * test/integration/migrations.test.ts fails when the entities and these migrations disagree.
 */
export const migrationsList: { name: string; class: Constructor<Migration> }[] = [
  { name: 'Migration20261127121141', class: Migration20261127121141 },
  // decision.consent_record_id and consent_form_sha256: the consent version each confirmation relied on
  { name: 'Migration20261128161814', class: Migration20261128161814 },
  // shoot dates (scope in time): null on shoots made before, which must declare them to scan
  { name: 'Migration20261128161843', class: Migration20261128161843 },
  // push_record: what Sitter wrote where (issue 9, withdrawal reaches every place)
  { name: 'Migration20261128161905', class: Migration20261128161905 },
  // withdrawn_form: withdrawn signed forms per shoot, no person named, kept through erasure (issue 9, rule 6)
  { name: 'Migration20261128173810', class: Migration20261128173810 },
  // asset.orientation: the EXIF orientation the engine applied at scan (null on assets scanned before)
  { name: 'Migration20261128185003', class: Migration20261128185003 },
  // erasure: erasures under way or done, found by a digest of shoot and reference (a rerun finishes an interrupted one)
  { name: 'Migration20261128200937', class: Migration20261128200937 },
  // consent forms (issue 13): consent_record.signed_scan, workspace_setting (controller, contact), consent_form_setup (scopes offered)
  { name: 'Migration20261128214150', class: Migration20261128214150 },
  // connector contract 3: asset.source_revision and asset.rendition (skip unchanged assets without a download,
  // push's guard), push_record.state ('written' or 'pending-approval' for a DAM's edit-with-approval queue)
  { name: 'Migration20261128214204', class: Migration20261128214204 },
  // scan_job (issue 15): the team's scan queue as Sitter records it, settled with each asset's result
  { name: 'Migration20261129004921', class: Migration20261129004921 },
  // team mode (issue 15): shoot_key (per-shoot data keys wrapped by the master key, in the database) and
  // workspace_identity (the master key's check value); both stay empty in a SQLite workspace
  { name: 'Migration20261129005059', class: Migration20261129005059 },
  // face.quality_band: the quality band a face was matched in (issue 16, open-set safety); null on faces scanned before
  { name: 'Migration20261129013815', class: Migration20261129013815 },
];
