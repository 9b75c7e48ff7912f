/**
 * Writes docs/schemas/<command>.schema.json from the zod schemas of src/tui/output-schemas.
 * Usage: npm run schemas   (test/integration/json-schemas.test.ts fails while a file is out of date)
 */
import { mkdirSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { SCHEMAS_FOLDER, schemaFiles } from '../src/tui/output-schemas/json-schema-files.js';

const folder = resolve(SCHEMAS_FOLDER);
mkdirSync(folder, { recursive: true });
const files = schemaFiles();
// A schema no longer defined must not linger as a file a script would trust.
for (const old of readdirSync(folder))
  if (old.endsWith('.schema.json') && !files.some((f) => f.name === old)) rmSync(join(folder, old));
for (const f of files) writeFileSync(join(folder, f.name), f.text);
console.log(`Wrote ${files.length} schemas to ${SCHEMAS_FOLDER}.`);
