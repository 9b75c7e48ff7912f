import type { z } from 'zod';
import { errorDocument } from './common.js';
import { jobSchemas } from './job.js';
import { queueSchemas } from './queue.js';
import { recordSchemas } from './records.js';
import { shootSchemas } from './shoot.js';
import { teamSchemas } from './team.js';

/**
 * Every command's `--json` output, by schema name: `docs/schemas/<name>.schema.json` is
 * `z.toJSONSchema` of the entry (`npm run schemas` writes them; the schema test fails when a file
 * differs), and test/integration/json-schemas.test.ts checks real output against each.
 */
export const OUTPUT_SCHEMAS: Record<string, z.ZodType> = {
  ...shootSchemas,
  ...jobSchemas,
  ...queueSchemas,
  ...recordSchemas,
  ...teamSchemas,
  error: errorDocument,
};
