/**
 * Low findings of the last review on connector options, through the real CLI with a plugin whose
 * manifest declares a URL, a key named like a credential that is not secret, and a secret token.
 */
import { copyFileSync, mkdirSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { jsonOf, runSitter } from '../helpers/cli.js';
import { createArgs, type Json } from '../helpers/shoot-cli.js';
import { tempDir } from '../helpers/workspace.js';

const FIXTURE = resolve(import.meta.dirname, '../fixtures/plugins/token-folder/index.js');

describe('connector options: credentials, duplicate keys, one line per problem', () => {
  const tmp = tempDir('sitter-optfind-');
  const ws = join(tmp.dir, 'ws');
  const plugins = join(tmp.dir, 'plugins');
  const sitter = (...args: string[]) =>
    runSitter(['--workspace', ws, ...args], { cwd: tmp.dir, env: { SITTER_PLUGINS: plugins } });
  const create = (id: string, ...options: string[]) =>
    sitter('--json', ...createArgs(id, `collection-${id}`), '--connector', 'rest-dam', ...options);

  beforeAll(async () => {
    mkdirSync(join(plugins, 'rest-dam'), { recursive: true });
    copyFileSync(FIXTURE, join(plugins, 'rest-dam', 'index.js'));
    writeFileSync(
      join(plugins, 'rest-dam', 'sitter-plugin.json'),
      JSON.stringify({
        name: 'rest-dam',
        title: 'a DAM behind a REST API',
        version: '1.0.0',
        entry: 'index.js',
        contract: 2,
        options: {
          token: { type: 'string', secret: true, required: true },
          baseUrl: { type: 'string', required: true },
          apiKey: { type: 'string' },
        },
      }),
    );
    expect((await sitter('init')).code).toBe(0);
  });
  afterAll(() => tmp.cleanup());

  it('refuses a credential in a URL (user:pass@) and warns under a key named like one, naming secret:NAME, never repeating either', async () => {
    const inUrl = await create(
      'a',
      '--option',
      'baseUrl=https://archivist:hunter2@dam.example/api',
      '--option',
      'token=secret:dam',
    );
    // stored and audited in clear for good, so refused, not warned about
    expect(inUrl.code, inUrl.stdout + inUrl.stderr).toBe(1);
    expect(jsonOf(inUrl).error).toMatchObject({ code: 'CONNECTOR_OPTIONS_INVALID' });
    expect(JSON.stringify(jsonOf(inUrl))).toMatch(/baseUrl.*user name or password.*token=secret:NAME/);
    expect(inUrl.stdout + inUrl.stderr).not.toMatch(/hunter2/);
    expect((await sitter('--json', 'shoot', 'show', 'a')).code).toBe(1);
    const audit = await sitter('audit', 'export');
    expect(audit.stdout).not.toMatch(/hunter2/);

    const run = await create(
      'a',
      '--option',
      'baseUrl=https://dam.example/api',
      '--option',
      'apiKey=k-123456',
      '--option',
      'token=secret:dam',
    );
    expect(run.code, run.stdout + run.stderr).toBe(0);
    const warnings = jsonOf(run).warnings as string[];
    expect(warnings).toEqual([
      expect.stringMatching(/^option apiKey is named like a credential.*token as secret:NAME/),
    ]);
    expect(run.stderr.trim().split('\n')).toEqual(warnings.map((w) => `Warning: ${w}`));
    expect(run.stderr + JSON.stringify(warnings)).not.toMatch(/k-123456/);
    // Nothing to warn about for a plain URL and no credential-named key.
    const plain = await create('b', '--option', 'baseUrl=https://dam.example/api', '--option', 'token=secret:dam');
    expect(jsonOf(plain).warnings).toEqual([]);
    expect(plain.stderr).toBe('');
    // shoot configure warns about the keys it changes.
    const configured = await sitter('--json', 'shoot', 'configure', 'b', '--option', 'apiKey=k-9');
    expect(configured.code).toBe(0);
    expect(jsonOf(configured).warnings).toEqual([expect.stringMatching(/^option apiKey is named like a credential/)]);
  });

  it('refuses an options file that gives a key twice, naming it, and stores nothing', async () => {
    const file = join(tmp.dir, 'twice.json');
    writeFileSync(file, '{"baseUrl": "https://dam.example", "token": "secret:a", "token": "secret:b"}');
    const run = await create('c', '--options-file', file);
    expect(run.code).toBe(2);
    expect((jsonOf(run).error as Json).code).toBe('OPTIONS_FILE_DUPLICATE_KEY');
    expect((jsonOf(run).error as Json).message).toMatch(/gives "token" more than once/);
    expect((jsonOf(await sitter('--json', 'shoot', 'show', 'c')).error as Json).code).toBe('SHOOT_NOT_FOUND');
    // the same key in two different objects is not a duplicate
    writeFileSync(file, '{"baseUrl": "https://dam.example", "token": "secret:a", "apiKey": "x"}');
    expect((await create('c', '--options-file', file)).code).toBe(0);
  });

  it('secret:NAME for a required plain option is one clear problem, without a second "Invalid input" line', async () => {
    const run = await create('d', '--option', 'baseUrl=secret:foo', '--option', 'token=secret:dam');
    expect(run.code).toBe(1);
    const error = jsonOf(run).error as { code: string; message: string; details: { problems: unknown[] } };
    expect(error.code).toBe('CONNECTOR_OPTIONS_INVALID');
    expect(error.details.problems).toEqual([
      { key: 'baseUrl', problem: 'is not a secret option: secret: is not allowed' },
    ]);
    const text = await sitter(
      ...createArgs('d', 'collection-d'),
      '--connector',
      'rest-dam',
      '--option',
      'baseUrl=secret:foo',
      '--option',
      'token=secret:dam',
    );
    expect(text.stderr).not.toMatch(/Invalid input/);
    expect(text.stderr).toMatch(/baseUrl: is not a secret option/);
  });
});
