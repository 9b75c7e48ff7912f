import { existsSync, mkdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { jsonOf, runSitter } from '../helpers/cli.js';
import { pngBytes, writeConsentFolder } from '../helpers/consent-fixture.js';
import { tempDir } from '../helpers/workspace.js';

describe('the CLI as an archivist uses it (real process, real SQLite file)', () => {
  const tmp = tempDir('sitter-cli-');
  const ws = join(tmp.dir, 'ws');
  const photos = join(tmp.dir, 'photos');
  const sitter = (...args: string[]) => runSitter(['--workspace', ws, ...args], { cwd: tmp.dir });
  const sitterJson = (...args: string[]) => runSitter(['--workspace', ws, '--json', ...args], { cwd: tmp.dir });
  let consentFile = '';

  beforeAll(async () => {
    mkdirSync(photos);
    consentFile = writeConsentFolder(join(tmp.dir, 'consent'), [
      { id: 'P1', name: 'Ada Model', consent: 'yes', photo: await pngBytes(1), scopes: 'web;print' },
      { id: 'P2', name: 'Ben "B" Stand-in', consent: 'no' },
      { id: 'P3', name: 'Cy Minor', consent: 'yes', minor: true, guardian: 'Dee Parent', photo: await pngBytes(3) },
    ]);
  });
  afterAll(() => tmp.cleanup());

  it('init makes an owner-only workspace and a second init changes nothing', async () => {
    const first = await sitterJson('init');
    expect(first.code).toBe(0);
    expect(jsonOf(first)).toMatchObject({ created: true });
    expect(statSync(ws).mode & 0o777).toBe(0o700);
    for (const f of ['sitter.db', 'master.key', 'workspace.json'])
      expect(statSync(join(ws, f)).mode & 0o777).toBe(0o600);
    const keyBefore = statSync(join(ws, 'master.key')).mtimeMs;
    const again = await sitter('init');
    expect(again.code).toBe(0);
    expect(again.stdout).toMatch(/already a Sitter workspace; nothing was changed/);
    expect(statSync(join(ws, 'master.key')).mtimeMs).toBe(keyBefore);
  });

  it('demo refuses -w (it builds its own workspace) and names --dir, writing nothing', async () => {
    const asked = join(tmp.dir, 'demo-here');
    const run = await runSitter(['-w', asked, '--json', 'demo'], { cwd: tmp.dir });
    expect(run.code).not.toBe(0);
    expect(jsonOf(run)).toMatchObject({ error: { code: 'DEMO_WORKSPACE_OPTION' } });
    expect(JSON.stringify(jsonOf(run))).toContain('--dir');
    expect(existsSync(asked)).toBe(false);
  });

  it('a folder that is not a workspace gets one message with a hint, exit 1', async () => {
    const run = await runSitter(['--workspace', join(tmp.dir, 'nowhere'), 'shoot', 'list']);
    expect(run.code).toBe(1);
    expect(run.stderr).toMatch(/is not a Sitter workspace/);
    expect(run.stderr).toMatch(/Hint: Create one with `sitter init/);
    expect(run.stdout).toBe('');
  });

  it('runs the foundation flow: create, import, approve, list, verify', async () => {
    const created = await sitterJson(
      'shoot',
      'create',
      'spring',
      '--name',
      'Spring campaign',
      '--source',
      photos,
      '--purpose',
      'Link models to their releases',
      '--retention-days',
      '90',
      '--reviewers',
      '2',
      '--from',
      '2026-04-20',
      '--to',
      '2026-04-21',
    );
    expect(created.code).toBe(0);
    expect(jsonOf(created)).toMatchObject({ shoot: 'spring', status: 'draft', reviewersRequired: 2, source: photos });

    const imported = await sitterJson('consent', 'import', 'spring', consentFile);
    expect(imported.code).toBe(0);
    expect(jsonOf(imported)).toMatchObject({ added: ['P1', 'P2', 'P3'], withdrawn: [] });

    const approved = await sitter(
      'shoot',
      'approve',
      'spring',
      '--dpia',
      'DPIA-2026-04',
      '--approved-by',
      'Dana Officer',
    );
    expect(approved.code).toBe(0);
    expect(approved.stdout).toMatch(
      /declares the roster complete: 3 participants: 2 eligible for matching, 1 photos only/,
    );

    const list = jsonOf(await sitterJson('consent', 'list', 'spring')) as {
      participants: { participant: string; status: string; guardian: string | null }[];
    };
    expect(list.participants.map((p) => [p.participant, p.status])).toEqual([
      ['P1', 'eligible'],
      ['P2', 'photos-only'],
      ['P3', 'eligible'],
    ]);
    expect(list.participants[2]?.guardian).toBe('Dee Parent');

    const verify = await sitterJson('audit', 'verify');
    expect(verify.code).toBe(0);
    expect(jsonOf(verify)).toMatchObject({ ok: true, entries: 3 });

    const exported = await sitter('audit', 'export');
    const actions = exported.stdout
      .trim()
      .split('\n')
      .map((l) => (JSON.parse(l) as { action: string }).action);
    // The export is itself on the record, as its last entry.
    expect(actions).toEqual(['shoot.created', 'consent.imported', 'shoot.approved', 'audit.exported']);
  });

  it('a re-import with a withdrawal updates the record and is audited', async () => {
    const updated = writeConsentFolder(join(tmp.dir, 'consent2'), [
      {
        id: 'P1',
        name: 'Ada Model',
        consent: 'yes',
        photo: await pngBytes(1),
        scopes: 'web;print',
        withdrawn: '2026-02-01',
      },
      { id: 'P2', name: 'Ben "B" Stand-in', consent: 'no' },
      { id: 'P3', name: 'Cy Minor', consent: 'yes', minor: true, guardian: 'Dee Parent', photo: await pngBytes(3) },
    ]);
    const run = await sitterJson('consent', 'import', 'spring', updated);
    expect(run.code).toBe(0);
    expect(jsonOf(run)).toMatchObject({ withdrawn: ['P1'], updated: expect.arrayContaining(['P1']) });
    const list = jsonOf(await sitterJson('consent', 'list', 'spring')) as {
      participants: { participant: string; status: string }[];
    };
    expect(list.participants.find((p) => p.participant === 'P1')?.status).toBe('withdrawn');
    const actions = (await sitter('audit', 'export')).stdout
      .trim()
      .split('\n')
      .map((l) => (JSON.parse(l) as { action: string }).action);
    expect(actions.slice(-3)).toEqual(['consent.withdrawn', 'consent.imported', 'audit.exported']);
  });

  it('a bad consent file is refused whole, with every problem, and changes nothing', async () => {
    const bad = join(tmp.dir, 'consent2', 'bad.csv');
    writeFileSync(
      bad,
      'participant_id,name,biometric_consent,signed_at,expires_at,withdrawn_at,form_ref,form_sha256,reference_photo,minor,guardian\nP9,New,maybe,2026-13-01,,,forms/P1.pdf,abc,,yes,\n',
    );
    const recordOf = async () =>
      (await sitter('audit', 'export')).stdout.split('\n').filter((l) => l && !l.includes('"audit.exported"'));
    const before = await recordOf();
    const run = await sitterJson('consent', 'import', 'spring', bad);
    expect(run.code).toBe(1);
    const err = jsonOf(run).error as { code: string; details: { line: number; column: string }[] };
    expect(err.code).toBe('CONSENT_FILE_INVALID');
    expect(err.details.map((d) => d.column)).toEqual(
      expect.arrayContaining(['biometric_consent', 'signed_at', 'guardian']),
    );
    expect(err.details.every((d) => d.line === 2)).toBe(true);
    expect(await recordOf()).toEqual(before);
  });

  it('--json prints exactly one JSON document for results, errors and usage errors', async () => {
    const ok = await sitterJson('shoot', 'list');
    expect(ok.code).toBe(0);
    expect((jsonOf(ok).shoots as unknown[]).length).toBe(1);
    const refused = await sitterJson('shoot', 'show', 'nope');
    expect(refused.code).toBe(1);
    expect(jsonOf(refused).error).toMatchObject({ code: 'SHOOT_NOT_FOUND', hint: expect.any(String) });
    const usage = await sitterJson('shoot', 'create', 'x');
    expect(usage.code).toBe(2);
    expect(jsonOf(usage).error).toMatchObject({ code: 'USAGE' });
    expect(usage.stderr).toBe('');
  });

  it('--version --json answers one JSON document, with the version package.json has', async () => {
    const pkg = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string };
    const run = await runSitter(['--version', '--json']);
    expect(run.code).toBe(0);
    expect(jsonOf(run)).toEqual({ version: pkg.version, node: process.version });
    expect((await runSitter(['--version'])).stdout.trim()).toBe(pkg.version);
  });

  it('a mistyped command names the closest ones, like a mistyped subcommand; a far one only points to --help', async () => {
    const typo = await sitter('sacn');
    expect(typo.code).toBe(2);
    expect(typo.stderr).toContain('There is no command "sacn"');
    expect(typo.stderr).toContain('Did you mean `sitter scan`?');
    const json = jsonOf(await sitterJson('pubish')).error as { code: string; details: { similar: string[] } };
    expect(json).toMatchObject({ code: 'UNKNOWN_COMMAND', details: { similar: ['publish'] } });
    // with the subcommand and arguments that follow it, too (not commander's "too many arguments")
    const withArgs = await sitter('shoo', 'list');
    expect(withArgs.code).toBe(2);
    expect(withArgs.stderr).toContain('Did you mean `sitter shoot`?');
    const far = await sitter('zzzzzz');
    expect(far.stderr).not.toContain('Did you mean');
    expect(far.stderr).toContain('sitter --help');
  });

  it('a draft shoot cannot be approved twice, an unknown shoot is named, a bad number is a usage error', async () => {
    expect((await sitter('shoot', 'approve', 'spring', '--dpia', 'X', '--approved-by', 'Y')).code).toBe(1);
    const bad = await sitter(
      'shoot',
      'create',
      'x',
      '--name',
      'n',
      '--source',
      photos,
      '--purpose',
      'p',
      '--retention-days',
      'ninety',
      '--from',
      '2026-04-20',
      '--to',
      '2026-04-21',
    );
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/--retention-days must be a whole number/);
  });

  it('lists the built-in and plugin connectors, and refuses a shoot on an unknown one', async () => {
    const list = jsonOf(await sitterJson('connectors')) as {
      connectors: { name: string }[];
      skippedPlugins: unknown[];
    };
    expect(list.connectors.map((c) => c.name)).toEqual(['asset-bank', 'json-sidecar', 'local', 'resourcespace']);
    expect(list.skippedPlugins).toEqual([]);
    const bad = await sitterJson(
      'shoot',
      'create',
      'x',
      '--name',
      'n',
      '--source',
      photos,
      '--purpose',
      'p',
      '--retention-days',
      '9',
      '--from',
      '2026-04-20',
      '--to',
      '2026-04-21',
      '--connector',
      'nope',
    );
    expect(bad.code).toBe(1);
    expect(jsonOf(bad).error).toMatchObject({
      code: 'CONNECTOR_UNKNOWN',
      hint: expect.stringContaining('json-sidecar'),
    });
    // Its own folder: "spring" is open over `photos`, and open shoots never overlap.
    const pluginPhotos = join(tmp.dir, 'plugin-photos');
    mkdirSync(pluginPhotos);
    const viaPlugin = await sitterJson(
      'shoot',
      'create',
      'viaplugin',
      '--name',
      'n',
      '--source',
      pluginPhotos,
      '--purpose',
      'p',
      '--retention-days',
      '9',
      '--from',
      '2026-04-20',
      '--to',
      '2026-04-21',
      '--connector',
      'json-sidecar',
    );
    expect(jsonOf(viaPlugin)).toMatchObject({ connector: 'json-sidecar', source: pluginPhotos });
  });

  it('prints no colour codes when stdout is not a terminal', async () => {
    const run = await sitter('shoot', 'list');
    expect(run.stdout).not.toContain('\u001b[');
    const err = await sitter('shoot', 'show', 'nope');
    expect(err.stderr).not.toContain('\u001b[');
  });

  it('closing needs --yes and then refuses further changes', async () => {
    expect((await sitter('shoot', 'close', 'spring')).code).toBe(2);
    const closed = await sitterJson('shoot', 'close', 'spring', '--yes');
    expect(closed.code).toBe(0);
    expect(jsonOf(closed)).toMatchObject({ status: 'closed', keyDestroyed: true });
    const imp = await sitterJson('consent', 'import', 'spring', consentFile);
    expect(jsonOf(imp).error).toMatchObject({ code: 'SHOOT_CLOSED' });
  });
});

describe('sitter demo', () => {
  const tmp = tempDir('sitter-demo-');
  afterAll(() => tmp.cleanup());

  it('runs the main job on a throwaway workspace and leaves an intact audit chain', async () => {
    const run = await runSitter(['--json', 'demo', '--dir', tmp.dir]);
    expect(run.code).toBe(0);
    const result = jsonOf(run) as { auditOk: boolean; workspace: string; steps: { step: string }[] };
    expect(result.auditOk).toBe(true);
    expect(result.steps.map((s) => s.step)).toEqual(
      expect.arrayContaining(['init', 'shoot create', 'consent import', 'shoot approve', 'audit verify']),
    );
    const list = jsonOf(await runSitter(['--json', '-w', result.workspace, 'consent', 'list', 'demo'])) as {
      participants: { status: string }[];
    };
    expect(list.participants.map((p) => p.status)).toEqual(['eligible', 'eligible', 'photos-only']);
  });
});
