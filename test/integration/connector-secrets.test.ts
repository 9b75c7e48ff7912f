/**
 * Secrets of connector options, through the real CLI on a real workspace (issue 11): referenced by
 * name, resolved from SITTER_SECRET_<NAME> or an owner-only `<workspace>/secrets/<name>` only when the
 * connector is made, refused as a literal, and never in any byte of the workspace or the audit export.
 * The connector is a test plugin standing in for a DAM behind an API token (its folder's `.token`).
 */
import { chmodSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { jsonOf, runSitter, type CliRun } from '../helpers/cli.js';
import { auditEntries, createArgs, type Json } from '../helpers/shoot-cli.js';
import { occurrences } from '../helpers/workspace-bytes.js';
import { tempDir } from '../helpers/workspace.js';

const PLUGINS = resolve(import.meta.dirname, '../fixtures/plugins');
const TOKEN = 'tok-7f3a9c1e-DAM-secret-value';

interface Finding {
  step: string;
  ok: boolean;
  code?: string;
  hint?: string;
}

/** Each test runs several CLI processes, which a loaded machine slows down. */
const CLI_STEPS = 180_000;

describe('connector secrets referenced by name', () => {
  const tmp = tempDir('sitter-secrets-');
  const ws = join(tmp.dir, 'ws');
  const dam = join(tmp.dir, 'dam');
  const secretFile = join(ws, 'secrets', 'dam-token');
  const outputs: CliRun[] = [];
  const sitter = async (args: string[], env: Record<string, string | undefined> = {}) => {
    const run = await runSitter(['--workspace', ws, '--json', ...args], {
      cwd: tmp.dir,
      env: { SITTER_PLUGINS: PLUGINS, SITTER_SECRET_DAM_TOKEN: undefined, ...env },
    });
    outputs.push(run);
    return run;
  };
  const findings = (run: CliRun) => jsonOf(run).findings as Finding[];
  const create = (id: string, ...options: string[]) =>
    sitter([...createArgs(id, dam), '--connector', 'token-folder', ...options.flatMap((o) => ['--option', o])]);

  beforeAll(async () => {
    mkdirSync(dam);
    writeFileSync(join(dam, '.token'), TOKEN);
    writeFileSync(join(dam, 'a.jpg'), 'x');
    expect((await sitter(['init'])).code).toBe(0);
  });
  afterAll(() => tmp.cleanup());

  it(
    'a literal value for a secret option is refused without being repeated; secret: on an ordinary option too',
    async () => {
      const literal = await create('s', `token=${TOKEN}`);
      expect(literal.code).toBe(1);
      const error = jsonOf(literal).error as { code: string; hint: string; details: { problems: Json[] } };
      expect(error.code).toBe('CONNECTOR_OPTIONS_INVALID');
      expect(error.details.problems).toEqual([
        { key: 'token', problem: expect.stringContaining('pass a reference secret:NAME, never the value') },
      ]);
      expect(error.hint).toContain('token (a secret, as secret:NAME, required)');
      const misplaced = await create('s', 'token=secret:dam-token', 'region=secret:dam-region');
      expect((jsonOf(misplaced).error as { details: { problems: Json[] } }).details.problems).toEqual([
        { key: 'region', problem: expect.stringContaining('not a secret option') },
      ]);
      const missing = await create('s');
      expect((jsonOf(missing).error as { details: { problems: Json[] } }).details.problems).toEqual([
        { key: 'token', problem: 'required (secret:NAME)' },
      ]);
      expect(jsonOf(await sitter(['shoot', 'list']))).toEqual({ shoots: [] });
    },
    CLI_STEPS,
  );

  it(
    'connectors check says which secret is missing and where to put it, refuses a file others can read, and reports a token the source refuses (exit 1 each)',
    async () => {
      expect((await create('s', 'token=secret:dam-token', 'region=us')).code).toBe(0);
      expect(jsonOf(await sitter(['shoot', 'show', 's'])).connectorOptions).toEqual({
        token: 'secret:dam-token',
        region: 'us',
      });

      const unset = await sitter(['connectors', 'check', 's']);
      expect(unset.code).toBe(1);
      expect(findings(unset).find((f) => !f.ok)).toMatchObject({
        step: 'secret',
        code: 'SECRET_MISSING',
        hint: expect.stringContaining('SITTER_SECRET_DAM_TOKEN'),
      });
      expect(findings(unset).find((f) => !f.ok)?.hint).toContain(secretFile);
      // The same refusal, with its hint, from a command that needs the connector.
      const push = await sitter(['push', 's']);
      expect(push.code).toBe(1);
      expect((jsonOf(push).error as Json).code).toBe('SECRET_MISSING');

      const wrong = await sitter(['connectors', 'check', 's'], { SITTER_SECRET_DAM_TOKEN: 'not-the-token' });
      expect(wrong.code).toBe(1);
      expect(findings(wrong).map((f) => [f.step, f.ok])).toEqual([
        ['connector', true],
        ['options', true],
        ['secret', true],
        ['source', false],
      ]);
      expect(findings(wrong)[3]).toMatchObject({ code: 'SOURCE_UNAUTHORIZED', hint: expect.stringContaining('token') });

      mkdirSync(join(ws, 'secrets'), { mode: 0o700 });
      writeFileSync(secretFile, `${TOKEN}\n`, { mode: 0o644 });
      chmodSync(secretFile, 0o644);
      const exposed = await sitter(['connectors', 'check', 's']);
      expect(exposed.code).toBe(1);
      expect(findings(exposed).find((f) => !f.ok)).toMatchObject({
        code: 'SECRET_EXPOSED',
        hint: `Make it yours alone with \`chmod 600 ${secretFile}\`, then run the command again; if others may have read it, rotate the secret at its source.`,
      });

      chmodSync(secretFile, 0o600);
      const fromFile = await sitter(['connectors', 'check', 's']);
      expect(fromFile.code).toBe(0);
      expect(jsonOf(fromFile)).toMatchObject({ ok: true });
      // The environment wins over the file (a CI secret overrides a stale file).
      const envWins = await sitter(['connectors', 'check', 's'], { SITTER_SECRET_DAM_TOKEN: 'not-the-token' });
      expect(envWins.code).toBe(1);
    },
    CLI_STEPS,
  );

  it(
    "the secret's value is in no byte of the workspace but its own file, nor in the audit export or any output",
    async () => {
      // More commands that store, record and read the shoot's options.
      expect((await sitter(['shoot', 'configure', 's', '--option', 'pageSize=5'])).code).toBe(0);
      expect((await sitter(['connectors', 'check', 's'], { SITTER_SECRET_DAM_TOKEN: TOKEN })).code).toBe(0);
      const entries = await auditEntries((...a) => sitter(a), join(tmp.dir, 'audit.jsonl'));
      expect(entries.find((e) => e.action === 'shoot.configured')?.details).toMatchObject({
        after: { token: 'secret:dam-token', region: 'us', pageSize: 5 },
      });

      const needle = Buffer.from(TOKEN);
      expect(occurrences(ws, needle).map((h) => h.path)).toEqual([secretFile]);
      expect(readFileSync(join(tmp.dir, 'audit.jsonl')).includes(needle)).toBe(false);
      for (const run of outputs) expect(`${run.stdout}${run.stderr}`).not.toContain(TOKEN);
    },
    CLI_STEPS,
  );
});
