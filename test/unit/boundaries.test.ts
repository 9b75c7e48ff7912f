import { mkdirSync, symlinkSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { cruise, type IViolation } from 'dependency-cruiser';
import { ESLint } from 'eslint';
import extractDepcruiseOptions from 'dependency-cruiser/config-utl/extract-depcruise-options';
import extractTSConfig from 'dependency-cruiser/config-utl/extract-ts-config';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { tempDir } from '../helpers/workspace.js';

/**
 * Proves the layer rules of .dependency-cruiser.cjs (docs/architecture.md, "Layer rules") bite: a tree
 * mirroring the project's layout gets one module per forbidden import, cruised with the project's own
 * config, and each must be reported under its rule; the allowed imports beside them must not be. The
 * real tree must report nothing.
 */
const projectRoot = resolve(import.meta.dirname, '../..');

async function cruiseViolations(baseDir: string): Promise<IViolation[]> {
  const options = await extractDepcruiseOptions(join(projectRoot, '.dependency-cruiser.cjs'));
  const tsConfig = extractTSConfig(join(projectRoot, 'tsconfig.json'));
  const result = await cruise(['src', 'plugins'], { ...options, baseDir }, undefined, { tsConfig });
  if (typeof result.output === 'string') throw new Error('expected a cruise result, got a report');
  return result.output.summary.violations;
}

/** Modules the violators import: one per layer, so relative imports resolve as in the real tree. */
const targets: Record<string, string> = {
  'src/tui/program.ts': 'export const runCli = 1;',
  'src/app/use-cases.ts': 'export const scan = 1;',
  'src/core/store/orm.ts': 'export const initOrm = 1;',
  'src/core/engine/pool.ts': 'export const pool = 1;',
  'src/connectors/local/local-connector.ts': 'export const local = 1;',
  'plugins/example/index.ts': 'export const plugin = 1;',
  'src/core/domain/errors.ts': 'export const SitterError = 1;',
  'src/core/ports/connector.ts': 'export type Connector = { id: string };',
  'src/core/services/scan-service.ts': 'export const scanShoot = 1;',
  'src/core/consent/parse.ts': 'export const parse = 1;',
  'src/testing/index.ts': 'export const runConnectorContract = 1;',
  'src/connectors/errors.ts': 'export const connectorFailure = 1;',
  // a light module of the kit that (wrongly) reaches the local connector: the kit must see it transitively
  'src/connectors/wrap-connector.ts':
    "import { local } from './local/local-connector.js';\nexport const wrapConnector = local;",
};

/** [rule, violating module, its source]: every case of issue 11's list and of the former ESLint rules. */
const violations: Array<[rule: string, file: string, source: string]> = [
  ['core-no-ui', 'src/core/services/v-ink.ts', "import { render } from 'ink';\nexport const x = render;"],
  ['core-no-ui', 'src/core/domain/v-react.ts', "import React from 'react';\nexport const x = React;"],
  [
    'core-no-ui',
    'src/core/services/v-tui.ts',
    "import { runCli } from '../../tui/program.js';\nexport const x = runCli;",
  ],
  ['core-no-ui', 'src/core/consent/v-tui.ts', "export { runCli } from '../../tui/program.js';"],
  ['core-no-http', 'src/core/services/v-axios.ts', "import axios from 'axios';\nexport const x = axios;"],
  [
    'core-no-orm',
    'src/core/ports/v-orm.ts',
    "import type { MikroORM } from '@mikro-orm/sqlite';\nexport type X = MikroORM;",
  ],
  [
    'core-no-fs',
    'src/core/services/v-fs.ts',
    "import { readFileSync } from 'node:fs';\nexport const x = readFileSync;",
  ],
  ['core-no-fs', 'src/core/consent/v-fs.ts', "import { readFile } from 'fs/promises';\nexport const x = readFile;"],
  ['core-no-fs', 'src/core/domain/v-fs.ts', "import * as fs from 'fs';\nexport const x = fs;"],
  [
    'core-no-fs',
    'src/core/services/v-dynamic-fs.ts',
    "export async function read(p: string) {\n  const fs = await import('node:fs');\n  return fs.readFileSync(p);\n}",
  ],
  [
    'core-no-fs',
    'src/core/services/v-dynamic-fs-promises.ts',
    "export async function read(p: string) {\n  return (await import('node:fs/promises')).readFile(p);\n}",
  ],
  [
    'core-no-node-io',
    'src/core/services/v-node-child_process.ts',
    "import { spawn } from 'node:child_process';\nexport const x = spawn;",
  ],
  [
    'core-no-node-io',
    'src/core/consent/v-child_process.ts',
    "import { spawn } from 'child_process';\nexport const x = spawn;",
  ],
  [
    'core-no-node-io',
    'src/core/services/v-node-worker_threads.ts',
    "import { Worker } from 'node:worker_threads';\nexport const x = Worker;",
  ],
  [
    'core-no-node-io',
    'src/core/ports/v-worker_threads.ts',
    "import { Worker } from 'worker_threads';\nexport const x = Worker;",
  ],
  [
    'core-no-node-io',
    'src/core/services/v-node-module.ts',
    "import { createRequire } from 'node:module';\nexport const x = createRequire;",
  ],
  [
    'core-no-node-io',
    'src/core/domain/v-module.ts',
    "import { createRequire } from 'module';\nexport const x = createRequire;",
  ],
  [
    'core-no-node-io',
    'src/core/services/v-node-net.ts',
    "import { connect } from 'node:net';\nexport const x = connect;",
  ],
  ['core-no-node-io', 'src/core/consent/v-net.ts', "import { connect } from 'net';\nexport const x = connect;"],
  [
    'core-no-node-io',
    'src/core/services/v-node-tls.ts',
    "import { connect } from 'node:tls';\nexport const x = connect;",
  ],
  ['core-no-node-io', 'src/core/ports/v-tls.ts', "import { connect } from 'tls';\nexport const x = connect;"],
  [
    'core-no-node-io',
    'src/core/services/v-node-dgram.ts',
    "import { createSocket } from 'node:dgram';\nexport const x = createSocket;",
  ],
  [
    'core-no-node-io',
    'src/core/domain/v-dgram.ts',
    "import { createSocket } from 'dgram';\nexport const x = createSocket;",
  ],
  [
    'core-no-node-io',
    'src/core/services/v-node-dns.ts',
    "import { lookup } from 'node:dns';\nexport const x = lookup;",
  ],
  ['core-no-node-io', 'src/core/consent/v-dns.ts', "import { lookup } from 'dns';\nexport const x = lookup;"],
  [
    'core-no-node-io',
    'src/core/services/v-node-http2.ts',
    "import { connect } from 'node:http2';\nexport const x = connect;",
  ],
  ['core-no-node-io', 'src/core/ports/v-http2.ts', "import { connect } from 'http2';\nexport const x = connect;"],
  [
    'core-no-node-io',
    'src/core/services/v-exiftool.ts',
    "import { exiftool } from 'exiftool-vendored';\nexport const x = exiftool;",
  ],
  ['core-no-sharp', 'src/core/domain/v-sharp.ts', "import sharp from 'sharp';\nexport const x = sharp;"],
  [
    'core-no-adapters',
    'src/core/services/v-store.ts',
    "import { initOrm } from '../store/orm.js';\nexport const x = initOrm;",
  ],
  [
    'core-no-adapters',
    'src/core/ports/v-engine.ts',
    "import { pool } from '../engine/pool.js';\nexport const x = pool;",
  ],
  [
    'core-no-connectors',
    'src/core/services/v-connector.ts',
    "import { local } from '../../connectors/local/local-connector.js';\nexport const x = local;",
  ],
  [
    'core-no-connectors',
    'src/core/services/v-plugin.ts',
    "import { plugin } from '../../../plugins/example/index.js';\nexport const x = plugin;",
  ],
  [
    'core-no-app',
    'src/core/services/v-app.ts',
    "import { scan } from '../../app/use-cases.js';\nexport const x = scan;",
  ],
  [
    'domain-innermost',
    'src/core/domain/v-port.ts',
    "import type { Connector } from '../ports/connector.js';\nexport type X = Connector;",
  ],
  [
    'domain-innermost',
    'src/core/domain/v-service.ts',
    "import { scanShoot } from '../services/scan-service.js';\nexport const x = scanShoot;",
  ],
  [
    'adapters-no-outer',
    'src/core/store/v-tui.ts',
    "import { runCli } from '../../tui/program.js';\nexport const x = runCli;",
  ],
  [
    'adapters-no-outer',
    'src/core/engine/v-tui.ts',
    "import { runCli } from '../../tui/program.js';\nexport const x = runCli;",
  ],
  [
    'adapters-no-outer',
    'src/core/store/files/v-app.ts',
    "import { scan } from '../../../app/use-cases.js';\nexport const x = scan;",
  ],
  [
    'adapters-no-outer',
    'src/core/store/v-connector.ts',
    "import { local } from '../../connectors/local/local-connector.js';\nexport const x = local;",
  ],
  [
    'connectors-domain-and-ports-only',
    'src/connectors/v-tui.ts',
    "import { runCli } from '../tui/program.js';\nexport const x = runCli;",
  ],
  [
    'connectors-domain-and-ports-only',
    'src/connectors/v-app.ts',
    "import { scan } from '../app/use-cases.js';\nexport const x = scan;",
  ],
  [
    'connectors-domain-and-ports-only',
    'src/connectors/local/v-store.ts',
    "import { initOrm } from '../../core/store/orm.js';\nexport const x = initOrm;",
  ],
  [
    'connectors-domain-and-ports-only',
    'src/connectors/local/v-service.ts',
    "import { scanShoot } from '../../core/services/scan-service.js';\nexport const x = scanShoot;",
  ],
  [
    'connectors-domain-and-ports-only',
    'plugins/example/v-store.ts',
    "import { initOrm } from '../../src/core/store/orm.js';\nexport const x = initOrm;",
  ],
  [
    'connectors-domain-and-ports-only',
    'plugins/example/v-service.ts',
    "import { scanShoot } from '../../src/core/services/scan-service.js';\nexport const x = scanShoot;",
  ],
  [
    'connectors-no-db',
    'src/connectors/v-orm.ts',
    "import { MikroORM } from '@mikro-orm/sqlite';\nexport const x = MikroORM;",
  ],
  [
    'connectors-no-db',
    'plugins/example/v-orm.ts',
    "import { EntityManager } from '@mikro-orm/core';\nexport const x = EntityManager;",
  ],
  [
    'connectors-no-db',
    'src/connectors/local/v-sqlite3.ts',
    "import sqlite3 from 'sqlite3';\nexport const x = sqlite3;",
  ],
  [
    'connectors-no-db',
    'plugins/example/v-better-sqlite3.ts',
    "import Database from 'better-sqlite3';\nexport const x = Database;",
  ],
  ['connectors-no-db', 'src/connectors/v-knex.ts', "import knex from 'knex';\nexport const x = knex;"],
  ['app-no-ui', 'src/app/v-tui.ts', "import { runCli } from '../tui/program.js';\nexport const x = runCli;"],
  ['app-no-ui', 'src/app/v-ink.ts', "import { render } from 'ink';\nexport const x = render;"],
  ['core-no-tsx', 'src/core/services/v-view.tsx', 'export const View = () => null;'],
  ['core-no-tsx', 'src/core/domain/v-used-view.tsx', 'export const Used = () => null;'],
  [
    'kit-stays-light',
    'src/public/v-store.ts',
    "import { initOrm } from '../core/store/orm.js';\nexport const x = initOrm;",
  ],
  ['kit-stays-light', 'src/testing/v-sharp.ts', "import sharp from 'sharp';\nexport const x = sharp;"],
  [
    'kit-stays-light',
    'src/testing/v-through-wrapper.ts',
    "import { wrapConnector } from '../connectors/wrap-connector.js';\nexport const x = wrapConnector;",
  ],
  ['kit-stays-light', 'src/connectors/v-vitest.ts', "import { expect } from 'vitest';\nexport const x = expect;"],
  [
    'kit-stays-light',
    'src/tui/v-testing.ts',
    "import { runConnectorContract } from '../testing/index.js';\nexport const x = runConnectorContract;",
  ],
  ['no-circular', 'src/core/services/v-cycle-a.ts', "import { b } from './v-cycle-b.js';\nexport const a = () => b;"],
  ['no-circular', 'src/core/services/v-cycle-b.ts', "import { a } from './v-cycle-a.js';\nexport const b = () => a;"],
];

/** Imports each layer is allowed: none of these may be reported. */
const allowed: Array<[file: string, source: string]> = [
  ['src/core/services/ok.ts', "import { SitterError } from '../domain/errors.js';\nexport const x = SitterError;"],
  [
    'src/core/services/ok-port.ts',
    "import type { Connector } from '../ports/connector.js';\nexport type X = Connector;",
  ],
  [
    'src/core/store/ok.ts',
    "import { readFileSync } from 'node:fs';\nimport { MikroORM } from '@mikro-orm/sqlite';\nexport const x = [readFileSync, MikroORM];",
  ],
  ['src/core/engine/ok.ts', "import sharp from 'sharp';\nexport const x = sharp;"],
  [
    'src/connectors/local/ok.ts',
    "import { readFile } from 'node:fs/promises';\nimport axios from 'axios';\nimport { SitterError } from '../../core/domain/errors.js';\nimport type { Connector } from '../../core/ports/connector.js';\nexport const x: [unknown, unknown, unknown, Connector?] = [readFile, axios, SitterError];",
  ],
  [
    'src/testing/ok.ts',
    "import { expect } from 'vitest';\nimport { z } from 'zod';\nimport { createHash } from 'node:crypto';\nimport { connectorFailure } from '../connectors/errors.js';\nimport type { Connector } from '../core/ports/connector.js';\nexport const x: [unknown, unknown, unknown, unknown, Connector?] = [expect, z, createHash, connectorFailure];",
  ],
  [
    'src/app/ok.ts',
    "import { initOrm } from '../core/store/orm.js';\nimport { local } from '../connectors/local/local-connector.js';\nimport { scanShoot } from '../core/services/scan-service.js';\nexport const x = [initOrm, local, scanShoot];",
  ],
  [
    'src/tui/ok.tsx',
    "import { render } from 'ink';\nimport { scan } from '../app/use-cases.js';\nimport { initOrm } from '../core/store/orm.js';\nexport const x = [render, scan, initOrm];",
  ],
];

describe('layer boundaries (dependency-cruiser, .dependency-cruiser.cjs)', () => {
  let found: IViolation[] = [];
  let cleanup = () => {};

  beforeAll(async () => {
    const tmp = tempDir('sitter-boundaries-');
    cleanup = tmp.cleanup;
    const files = { ...targets, ...Object.fromEntries(allowed) };
    for (const [, file, source] of violations) files[file] = source;
    // A module that imports the .tsx, so the rule also holds for a view something depends on.
    files['src/core/domain/v-uses-view.ts'] = "import { Used } from './v-used-view.js';\nexport const x = Used;";
    for (const [file, source] of Object.entries(files)) {
      mkdirSync(dirname(join(tmp.dir, file)), { recursive: true });
      writeFileSync(join(tmp.dir, file), `${source}\n`);
    }
    // Packages resolve as they do in the project (ink, react, sharp... are real targets of the rules).
    symlinkSync(join(projectRoot, 'node_modules'), join(tmp.dir, 'node_modules'));
    found = await cruiseViolations(tmp.dir);
  }, 60_000);

  afterAll(() => cleanup());

  const reported = (rule: string, file: string) =>
    found.some((v) => v.rule.name === rule && (v.from === file || v.to === file));

  it.each(violations)('%s fires on %s', (rule, file) => {
    expect(
      reported(rule, file),
      `${rule} on ${file}; found: ${JSON.stringify(found.map((v) => [v.rule.name, v.from, v.to]))}`,
    ).toBe(true);
  });

  it('reports none of the imports each layer is allowed', () => {
    const okFiles = [...allowed.map(([file]) => file), ...Object.keys(targets)];
    expect(found.filter((v) => okFiles.includes(v.from))).toEqual([]);
  });

  it('the real tree (src, plugins) reports no violation', async () => {
    expect(await cruiseViolations(projectRoot)).toEqual([]);
  }, 60_000);
});

/**
 * What no import names, so dependency-cruiser cannot see it: ESLint (eslint.config.js) bans it in the
 * core, linted here with the project's own config as if the code sat in the core or outside it.
 */
describe('layer boundaries ESLint holds (process.getBuiltinModule, fetch)', () => {
  const eslint = new ESLint({ cwd: projectRoot });
  const rulesFired = async (code: string, file: string) =>
    (await eslint.lintText(code, { filePath: join(projectRoot, file) }))
      .flatMap((r) => r.messages)
      .map((m) => m.ruleId);

  it.each([
    ['no-restricted-properties', 'src/core/services/v.ts', "export const fs = process.getBuiltinModule('node:fs');\n"],
    [
      'no-restricted-properties',
      'src/core/domain/v.ts',
      "export const cp = process.getBuiltinModule('child_process');\n",
    ],
    ['no-restricted-globals', 'src/core/consent/v.ts', "export const get = () => fetch('https://dam.example');\n"],
    ['no-restricted-properties', 'src/core/ports/v.ts', "export const get = () => globalThis.fetch('https://x');\n"],
  ])('%s fires in %s', async (rule, file, code) => {
    expect(await rulesFired(code, file)).toContain(rule);
  });

  it('outside the core (an adapter, a connector) the same code is allowed', async () => {
    const code =
      "export const fs = process.getBuiltinModule('node:fs');\nexport const get = () => fetch('https://x');\n";
    expect(await rulesFired(code, 'src/connectors/v.ts')).toEqual([]);
    expect(await rulesFired(code, 'src/core/store/files/v.ts')).toEqual([]);
  });
});
