import { z } from 'zod';
import { OUTPUT_SCHEMAS } from './index.js';

/** Where the schemas live, relative to the repository root. */
export const SCHEMAS_FOLDER = 'docs/schemas';

/** Each schema file's name and text, exactly as `npm run schemas` writes it (draft 2020-12). */
export function schemaFiles(): { name: string; text: string }[] {
  return Object.entries(OUTPUT_SCHEMAS).map(([name, schema]) => {
    const json = z.toJSONSchema(schema, { target: 'draft-2020-12' });
    const document = {
      $schema: json.$schema,
      $id: `https://sitter.invalid/schemas/${name}.schema.json`,
      title: `sitter ${name} --json`,
      ...json,
    };
    return { name: `${name}.schema.json`, text: `${JSON.stringify(document, null, 2)}\n` };
  });
}
