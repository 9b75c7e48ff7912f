import { ESLint } from 'eslint';
import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';

/** Proves the layering rule of eslint.config.js bites: each forbidden import is an error where it is forbidden. */
const eslint = new ESLint({ cwd: resolve(import.meta.dirname, '../..') });

async function ruleHits(code: string, filePath: string): Promise<string[]> {
  const [result] = await eslint.lintText(code, { filePath });
  return (result?.messages ?? []).filter((m) => m.ruleId === 'no-restricted-imports').map((m) => m.message);
}

describe('layer boundaries', () => {
  const forbiddenInCore = [
    "import { render } from 'ink';",
    "import React from 'react';",
    "import axios from 'axios';",
    "import { MikroORM } from '@mikro-orm/sqlite';",
    "import { readFileSync } from 'node:fs';",
    "import { readFile } from 'fs/promises';",
    "import { initOrm } from '../store/orm.js';",
    "import { runCli } from '../../tui/program.js';",
  ];

  it.each(forbiddenInCore)('core domain code may not %s', async (line) => {
    expect(await ruleHits(`${line}\nexport const x = 1;\n`, 'src/core/services/fixture.ts')).toHaveLength(1);
  });

  it('adapters under src/core/adapters/store and src/core/adapters/engine may use the ORM and the filesystem', async () => {
    expect(
      await ruleHits(
        "import { readFileSync } from 'node:fs';\nimport { MikroORM } from '@mikro-orm/sqlite';\nexport const x = [readFileSync, MikroORM];\n",
        'src/core/adapters/store/fixture.ts',
      ),
    ).toEqual([]);
    expect(
      await ruleHits(
        "import { readFileSync } from 'node:fs';\nexport const x = readFileSync;\n",
        'src/core/adapters/engine/fixture.ts',
      ),
    ).toEqual([]);
  });

  it('connectors may not import the UI', async () => {
    expect(
      await ruleHits(
        "import { runCli } from '../tui/program.js';\nexport const x = runCli;\n",
        'src/connectors/fixture.ts',
      ),
    ).toHaveLength(1);
  });

  it('the CLI may import anything', async () => {
    expect(
      await ruleHits(
        "import { initOrm } from '../core/adapters/store/orm.js';\nexport const x = initOrm;\n",
        'src/tui/fixture.ts',
      ),
    ).toEqual([]);
  });
});
