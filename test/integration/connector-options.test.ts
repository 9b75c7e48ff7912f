/**
 * Connector configuration through the real CLI on a real workspace (issue 11): options validated
 * by the connector's own schema at `shoot create` and `shoot configure`, listed by `sitter
 * connectors`, and `sitter connectors check` reaching the source and saying what is wrong.
 */
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { jsonOf, runSitter } from '../helpers/cli.js';
import { auditEntries, createArgs } from '../helpers/shoot-cli.js';
import { withRawDb } from '../helpers/raw-db.js';
import { datedJpeg } from '../helpers/seed.js';
import { tempDir } from '../helpers/workspace.js';

import type { Json } from '../helpers/shoot-cli.js';
interface Problem {
  key: string;
  problem: string;
}
interface Finding {
  step: string;
  ok: boolean;
  code?: string;
  hint?: string;
  message: string;
}

/** Each test runs several CLI processes, which a loaded machine slows down. */
const CLI_STEPS = 180_000;

describe('connector options from the CLI (local connector)', () => {
  const tmp = tempDir('sitter-connopts-');
  const ws = join(tmp.dir, 'ws');
  const photos = join(tmp.dir, 'photos');
  const sitter = (...args: string[]) => runSitter(['--workspace', ws, '--json', ...args], { cwd: tmp.dir });

  beforeAll(async () => {
    mkdirSync(photos);
    writeFileSync(join(photos, 'a.jpg'), await datedJpeg());
    expect((await sitter('init')).code).toBe(0);
  });
  afterAll(() => tmp.cleanup());

  it(
    'shoot create refuses bad options, naming each bad key and listing the accepted ones, and stores nothing',
    async () => {
      const run = await sitter(
        ...createArgs('bad', photos),
        '--option',
        'colour=red',
        '--option',
        'maxFileBytes=lots',
        '--option',
        'sidecarNaming=sideways',
      );
      expect(run.code).toBe(1);
      const error = jsonOf(run).error as { code: string; hint: string; details: { problems: Problem[] } };
      expect(error.code).toBe('CONNECTOR_OPTIONS_INVALID');
      expect(error.details.problems.map((p) => p.key).sort()).toEqual(['colour', 'maxFileBytes', 'sidecarNaming']);
      expect(error.details.problems.find((p) => p.key === 'colour')?.problem).toBe('unknown option');
      expect(error.details.problems.find((p) => p.key === 'maxFileBytes')?.problem).toMatch(/number.*"lots"/);
      expect(error.hint).toContain('sidecarNaming ("append" | "replace", default "append")');
      expect(error.hint).toContain('maxFileBytes (integer');
      expect(jsonOf(await sitter('shoot', 'list'))).toEqual({ shoots: [] });

      const noEquals = await sitter(...createArgs('bad', photos), '--option', 'sidecarNaming');
      expect(noEquals.code).toBe(2);
      expect((jsonOf(noEquals).error as Json).code).toBe('BAD_OPTION');
      const badFile = join(tmp.dir, 'bad-options.json');
      writeFileSync(badFile, '["sidecarNaming"]');
      const notAnObject = await sitter(...createArgs('bad', photos), '--options-file', badFile);
      expect((jsonOf(notAnObject).error as Json).code).toBe('OPTIONS_FILE_INVALID');
    },
    CLI_STEPS,
  );

  it(
    'shoot create stores the options given (the file, then --option over it), typed, shown, and on the audit chain',
    async () => {
      const file = join(tmp.dir, 'options.json');
      writeFileSync(file, JSON.stringify({ sidecarNaming: 'append', defaultPageSize: 50 }));
      const run = await sitter(
        ...createArgs('spring', photos),
        '--options-file',
        file,
        '--option',
        'sidecarNaming=replace',
      );
      expect(run.code).toBe(0);
      const stored = { sidecarNaming: 'replace', defaultPageSize: 50 };
      expect(jsonOf(run).connectorOptions).toEqual(stored);
      expect(jsonOf(await sitter('shoot', 'show', 'spring')).connectorOptions).toEqual(stored);
      const text = await runSitter(['--workspace', ws, 'shoot', 'show', 'spring']);
      expect(text.stdout).toMatch(/options: +sidecarNaming=replace, defaultPageSize=50/);
      const created = (await auditEntries(sitter, join(tmp.dir, 'audit.jsonl'))).find(
        (e) => e.action === 'shoot.created',
      );
      expect(created?.details.connectorOptions).toEqual(stored);
    },
    CLI_STEPS,
  );

  it(
    'shoot configure changes the options of a draft shoot, recorded with before and after; bad or empty changes are refused; a closed shoot is not changed',
    async () => {
      const run = await sitter(
        'shoot',
        'configure',
        'spring',
        '--option',
        'maxFileBytes=1000',
        '--unset',
        'defaultPageSize',
      );
      expect(run.code).toBe(0);
      expect(jsonOf(run)).toMatchObject({
        connectorOptions: { sidecarNaming: 'replace', maxFileBytes: 1000 },
        changed: ['defaultPageSize', 'maxFileBytes'],
      });
      const again = await sitter('shoot', 'configure', 'spring', '--option', 'maxFileBytes=1000');
      expect(jsonOf(again)).toMatchObject({ changed: [] });
      const configured = (await auditEntries(sitter, join(tmp.dir, 'audit.jsonl'))).filter(
        (e) => e.action === 'shoot.configured',
      );
      expect(configured.map((e) => e.details)).toEqual([
        {
          connector: 'local',
          before: { sidecarNaming: 'replace', defaultPageSize: 50 },
          after: { sidecarNaming: 'replace', maxFileBytes: 1000 },
          changed: ['defaultPageSize', 'maxFileBytes'],
        },
      ]);

      const bad = await sitter('shoot', 'configure', 'spring', '--option', 'defaultPageSize=0');
      expect(bad.code).toBe(1);
      expect((jsonOf(bad).error as { details: { problems: Problem[] } }).details.problems[0]?.key).toBe(
        'defaultPageSize',
      );
      const nothing = await sitter('shoot', 'configure', 'spring');
      expect(nothing.code).toBe(2);
      expect((jsonOf(nothing).error as Json).code).toBe('OPTIONS_REQUIRED');
      expect(jsonOf(await sitter('shoot', 'show', 'spring')).connectorOptions).toEqual({
        sidecarNaming: 'replace',
        maxFileBytes: 1000,
      });

      mkdirSync(join(tmp.dir, 'closing'));
      expect((await sitter(...createArgs('closing', join(tmp.dir, 'closing')))).code).toBe(0);
      expect((await sitter('shoot', 'close', 'closing', '--yes')).code).toBe(0);
      const closed = await sitter('shoot', 'configure', 'closing', '--option', 'sidecarNaming=replace');
      expect(closed.code).toBe(1);
      expect((jsonOf(closed).error as Json).code).toBe('SHOOT_CLOSED');
    },
    CLI_STEPS,
  );

  it(
    'connectors lists every connector with its options (type, default, description, secret)',
    async () => {
      const list = jsonOf(await sitter('connectors')) as {
        connectors: { name: string; options: { key: string; type: string; default?: unknown; secret: boolean }[] }[];
      };
      const local = list.connectors.find((c) => c.name === 'local');
      expect(local?.options.map((o) => o.key)).toEqual([
        'sidecarNaming',
        'peopleTags',
        'maxFileBytes',
        'defaultPageSize',
      ]);
      expect(local?.options[0]).toMatchObject({ type: '"append" | "replace"', default: 'append', secret: false });
      const plugin = list.connectors.find((c) => c.name === 'json-sidecar');
      expect(plugin?.options).toEqual([
        expect.objectContaining({ key: 'pageSize', type: 'integer', default: 100, secret: false }),
      ]);
      const text = await runSitter(['--workspace', ws, 'connectors']);
      expect(text.stdout).toMatch(/--option sidecarNaming="append" \| "replace" {2}\(default "append"\)/);
    },
    CLI_STEPS,
  );

  it(
    'connectors check reaches the folder, and says what is wrong with a hint when it is gone or an option no longer holds (exit 1)',
    async () => {
      const ok = await sitter('connectors', 'check', 'spring');
      expect(ok.code).toBe(0);
      expect(jsonOf(ok)).toMatchObject({ ok: true, connector: 'local' });
      expect((jsonOf(ok).findings as Finding[]).map((f) => [f.step, f.ok])).toEqual([
        ['connector', true],
        ['options', true],
        ['source', true],
      ]);
      expect((jsonOf(ok).findings as Finding[])[2]?.message).toMatch(/first asset a\.jpg/);

      rmSync(photos, { recursive: true });
      const gone = await sitter('connectors', 'check', 'spring');
      expect(gone.code).toBe(1);
      const source = (jsonOf(gone).findings as Finding[]).find((f) => f.step === 'source');
      expect(source).toMatchObject({ ok: false, code: 'SOURCE_NOT_FOUND', hint: expect.stringMatching(/path|mount/) });
      const text = await runSitter(['--workspace', ws, 'connectors', 'check', 'spring']);
      expect(text.code).toBe(1);
      expect(text.stdout).toMatch(/FAIL source: .*SOURCE_NOT_FOUND/);
      expect(text.stdout).toMatch(/hint: /);

      // A stored option the connector no longer accepts (an older version wrote it, or a hand edit).
      mkdirSync(photos);
      await withRawDb(join(ws, 'sitter.db'), (sql) =>
        sql(`update shoot set connector_options = ? where id = 'spring'`, [
          JSON.stringify({ sidecarNaming: 'sideways' }),
        ]),
      );
      const stale = await sitter('connectors', 'check', 'spring');
      expect(stale.code).toBe(1);
      expect((jsonOf(stale).findings as Finding[]).find((f) => f.step === 'options')).toMatchObject({
        ok: false,
        code: 'CONNECTOR_OPTIONS_INVALID',
        hint: expect.stringContaining('sidecarNaming'),
      });
      // and a command that needs the connector refuses the same way rather than guessing
      const push = await sitter('push', 'spring');
      expect(push.code).toBe(1);
      expect((jsonOf(push).error as Json).code).toBe('CONNECTOR_OPTIONS_INVALID');
    },
    CLI_STEPS,
  );
});
