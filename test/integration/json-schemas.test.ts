import { mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { z } from 'zod';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLocalConnector } from '../../src/connectors/local/index.js';
import { wrapConnector } from '../../src/connectors/wrap-connector.js';
import { DEFAULT_CALIBRATION } from '../../src/core/engine/calibration.js';
import { OUTPUT_SCHEMAS } from '../../src/tui/output-schemas/index.js';
import { SCHEMAS_FOLDER, schemaFiles } from '../../src/tui/output-schemas/json-schema-files.js';
import { type CliRun, runSitter } from '../helpers/cli.js';
import { seedPushedPair, seedTemplate } from '../helpers/seed.js';
import { createArgs } from '../helpers/shoot-cli.js';
import { makeWorkspace, tempDir, type TestWorkspace } from '../helpers/workspace.js';

/** The issues of `value` against the named schema, as readable lines (none when it conforms). */
function issuesOf(name: string, value: unknown): string[] {
  const schema = OUTPUT_SCHEMAS[name] as z.ZodType;
  const parsed = schema.safeParse(value);
  return parsed.success ? [] : parsed.error.issues.map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`);
}

/** Parses the one JSON document a command printed and checks it against its schema. */
function expectConforms(name: string, run: CliRun, exitCode = 0): Record<string, unknown> {
  expect(run.code, `${name}: ${run.stdout}${run.stderr}`).toBe(exitCode);
  const value = JSON.parse(run.stdout) as Record<string, unknown>;
  expect(issuesOf(name, value), `${name} output:\n${run.stdout}`).toEqual([]);
  return value;
}

/**
 * Issue 14: every command's `--json` output has a JSON Schema in docs/schemas (draft 2020-12), and
 * each one is checked here against what the real CLI prints on a real workspace (seeded without
 * models: shoot "s" with Ada (P1) and Ben (P2), confirmed on a.jpg and b.jpg and pushed).
 */
describe('JSON Schemas of the --json output', { timeout: 400_000 }, () => {
  let t: TestWorkspace;
  let out: { dir: string; cleanup: () => void };
  const sitter = (...args: string[]) => runSitter(['--workspace', t.root, '--json', ...args]);

  beforeAll(async () => {
    // Today's clock: the CLI runs with the real one (a workspace seeded months ago would be purged first).
    t = await makeWorkspace(new Date());
    await seedPushedPair(t, wrapConnector(createLocalConnector({})));
    // A template for the shipped model, so a scan gets past NO_TEMPLATES; the photos, undated, are held.
    await seedTemplate(t, 's', 'P2', [0.3, 0.4, 0.5], DEFAULT_CALIBRATION.modelDigest);
    await t.ws.close();
    out = tempDir('sitter-json-');
    mkdirSync(join(out.dir, 'src2'));
  });
  afterAll(() => out.cleanup());

  it('docs/schemas holds the generated schema of each output, and nothing else (npm run schemas)', () => {
    const folder = resolve(import.meta.dirname, '../..', SCHEMAS_FOLDER);
    const files = schemaFiles();
    expect(readdirSync(folder).sort()).toEqual(files.map((f) => f.name).sort());
    for (const f of files) {
      const written = JSON.parse(readFileSync(join(folder, f.name), 'utf8')) as unknown;
      expect(written, `${f.name} is out of date: npm run schemas`).toEqual(JSON.parse(f.text));
      expect((written as { $schema: string }).$schema).toBe('https://json-schema.org/draft/2020-12/schema');
    }
  });

  it('catches a renamed or an extra field, not only a missing one', async () => {
    const show = expectConforms('shoot-show', await sitter('shoot', 'show', 's'));
    const { shoot, ...rest } = show;
    expect(issuesOf('shoot-show', { ...rest, id: shoot }).join('\n')).toMatch(/shoot|id/);
    expect(issuesOf('shoot-show', { ...show, shootId: 's' })).not.toEqual([]);
    const roster = show.roster as Record<string, number>;
    const { photosOnly, ...others } = roster;
    expect(issuesOf('shoot-show', { ...show, roster: { ...others, 'photos-only': photosOnly } })).not.toEqual([]);
  });

  it('shoot, settings, connectors and init', async () => {
    const fresh = join(out.dir, 'fresh-ws');
    expectConforms('init', await runSitter(['--workspace', fresh, '--json', 'init']));
    expectConforms('version', await runSitter(['--version', '--json']));
    expectConforms('settings', await sitter('settings', '--controller', 'Acme, 1 Road', '--contact', 'dpo@acme.test'));
    expectConforms('shoot-create', await sitter(...createArgs('s2', join(out.dir, 'src2'))));
    expectConforms('shoot-configure', await sitter('shoot', 'configure', 's2', '--option', 'sidecarNaming=replace'));
    expectConforms('shoot-dates', await sitter('shoot', 'dates', 's2', '--from', '2026-06-01', '--to', '2026-06-03'));
    expectConforms('shoot-list', await sitter('shoot', 'list'));
    expectConforms('shoot-hold', await sitter('shoot', 'hold', 's', '--reason', 'claim 1'));
    expect(expectConforms('shoot-show', await sitter('shoot', 'show', 's')).legalHold).toMatchObject({
      reason: 'claim 1',
    });
    expectConforms('shoot-hold', await sitter('shoot', 'hold', 's', '--release'));
    expectConforms('connectors', await sitter('connectors'));
    expectConforms('connectors-check', await sitter('connectors', 'check', 's'));
    expectConforms('shoot-approve', await sitter('shoot', 'approve', 's2', '--dpia', 'D-2', '--approved-by', 'Ann'));
    expectConforms('enrol', await sitter('enrol', 's2'));
    expectConforms('shoot-close', await sitter('shoot', 'close', 's2', '--yes'));
    expectConforms('purge', await sitter('purge'));
  });

  it('review, report, clearance and publish', async () => {
    const matches = expectConforms('matches', await sitter('matches', 's'));
    expect(matches.shoot).toBe('s');
    const undone = expectConforms('decide-undo', await sitter('decide', 's', '--undo', '--reviewer', 'Rita'));
    expectConforms('decide', await sitter('decide', 's', String(undone.face), '--confirm', '--reviewer', 'Rita'));
    expectConforms('decide-bulk', await sitter('decide', 's', '--all-above', '0.1', '--confirm', '--reviewer', 'Rita'));
    expectConforms('report', await sitter('report', 's'));
    expectConforms('clearance', await sitter('clearance', 's', '--scope', 'web'));
    expectConforms('clearance-table', await sitter('clearance', 's'));
    expectConforms('push', await sitter('push', 's'));
    expectConforms('push', await sitter('push', 's', '--withdrawals'));
    expectConforms('publish', await sitter('publish', 's', '--scope', 'web', '--out', join(out.dir, 'pub')));
  });

  // Before the scan: the scan holds the consent folder's files too, and their names carry the participant ids.
  it('consent, subject export, audit and the DPO records', async () => {
    expectConforms(
      'consent-import',
      await sitter('consent', 'import', 's', join(t.root, '..', 'consent-s', 'consent.csv')),
    );
    expectConforms('consent-list', await sitter('consent', 'list', 's'));
    expectConforms(
      'consent-form',
      await sitter('consent', 'form', 's', '--out', join(out.dir, 'forms'), '--scopes', 'web'),
    );
    mkdirSync(join(out.dir, 'signed'));
    writeFileSync(join(out.dir, 'signed', 'x.jpg'), 'not an image');
    const signed = expectConforms('consent-signed', await sitter('consent', 'signed', 's', join(out.dir, 'signed')), 1);
    expect(signed.counts).toMatchObject({ unreadable: 1, versionDiffers: 0 });
    expectConforms('subject-export', await sitter('subject', 'export', 's', 'P2', '--out', join(out.dir, 'subj')));
    expectConforms('records', await sitter('records'));
    expectConforms('model-card', await sitter('model-card'));
    expectConforms('dpia', await sitter('dpia', 's'));
    expectConforms('dpia-out', await sitter('dpia', 's', '--out', join(out.dir, 'dpia.md')));
    expectConforms('audit-verify', await sitter('audit', 'verify'));
    expectConforms('audit-export', await sitter('audit', 'export', '--output', join(out.dir, 'audit.jsonl')));
    expectConforms('withdraw', await sitter('withdraw', 's', 'P1'));
    expectConforms('erase', await sitter('erase', 's', 'P1'));
  });

  it('scan --json is NDJSON: progress events, then one summary', async () => {
    const run = await sitter('scan', 's');
    expect(run.code, run.stdout + run.stderr).toBe(0);
    const events = run.stdout
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line) as { type: string });
    expect(events.at(-1)?.type).toBe('summary');
    expect(events.slice(0, -1).every((e) => e.type === 'progress')).toBe(true);
    expect(events.length).toBeGreaterThan(1);
    for (const e of events) expect(issuesOf(`scan-${e.type}`, e), JSON.stringify(e)).toEqual([]);
    const summary = events.at(-1) as unknown as { shoot: string; noCaptureTime: string[] };
    expect(summary.shoot).toBe('s');
    // What the scan held for lack of a capture time, a person allows (the photos seeded are undated).
    expect(summary.noCaptureTime.length).toBeGreaterThan(0);
    expectConforms('shoot-allow-undated', await sitter('shoot', 'allow-undated', 's', '--all', '--reason', 'ok'));
  });

  it('an error is the one {error: {code, message, hint, details}} document, with the exit code', async () => {
    const missing = expectConforms('error', await sitter('shoot', 'show', 'nope'), 1);
    expect(missing).toMatchObject({ error: { code: 'SHOOT_NOT_FOUND' } });
    const usage = expectConforms('error', await sitter('decide', 's', '1'), 2);
    expect(usage).toMatchObject({ error: { code: 'DECISION_REQUIRED' } });
    const detailed = expectConforms('error', await sitter('shoot', 'configure', 's', '--option', 'sidecarNaming=x'), 1);
    expect(detailed).toMatchObject({ error: { code: 'CONNECTOR_OPTIONS_INVALID', details: { connector: 'local' } } });
  });
});
