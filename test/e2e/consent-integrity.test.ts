import { existsSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { exiftool } from 'exiftool-vendored';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLocalConnector } from '../../src/connectors/local/index.js';
import { wrapConnector } from '../../src/connectors/wrap-connector.js';
import { commitWithdrawal } from '../../src/core/services/withdraw-service.js';
import { jsonOf, runSitter, shootDaysAroundToday } from '../helpers/cli.js';
import { type FixtureParticipant, pngBytes, writeConsentFolder } from '../helpers/consent-fixture.js';
import { seedPushedPair } from '../helpers/seed.js';
import { makeWorkspace, type TestWorkspace, tempDir } from '../helpers/workspace.js';

/** Issue 9, items 2 and 8: a withdrawal stands until a new consent, and the approved roster needs a sign-off to grow. */
describe('consent import guards a withdrawal and the approved roster (real CLI, real workspace)', () => {
  const tmp = tempDir('sitter-consent-');
  const ws = join(tmp.dir, 'ws');
  const photos = join(tmp.dir, 'photos');
  const sitter = (...args: string[]) => runSitter(['--workspace', ws, ...args], { cwd: tmp.dir });
  const sitterJson = (...args: string[]) => runSitter(['--workspace', ws, '--json', ...args], { cwd: tmp.dir });
  const statusOf = async (who: string) =>
    (
      jsonOf(await sitterJson('consent', 'list', 'spring')).participants as { participant: string; status: string }[]
    ).find((p) => p.participant === who)?.status;
  const auditActions = async () =>
    (await sitter('audit', 'export')).stdout
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as { action: string; details: Record<string, unknown> });
  let people: FixtureParticipant[] = [];
  let original = '';

  beforeAll(async () => {
    mkdirSync(photos);
    people = [
      { id: 'P1', name: 'Ada Model', consent: 'yes', photo: await pngBytes(1) },
      { id: 'P2', name: 'Ben Model', consent: 'yes', photo: await pngBytes(2) },
    ];
    original = writeConsentFolder(join(tmp.dir, 'consent'), people);
    for (const args of [
      ['init'],
      [
        'shoot',
        'create',
        'spring',
        '--name',
        'Spring',
        '--source',
        photos,
        '--purpose',
        'Link models to their releases',
        '--retention-days',
        '90',
        ...shootDaysAroundToday(),
      ],
      ['consent', 'import', 'spring', original],
      ['shoot', 'approve', 'spring', '--dpia', 'DPIA-1', '--approved-by', 'Dana Officer'],
    ])
      expect((await sitter(...args)).code).toBe(0);
  });
  afterAll(() => tmp.cleanup());

  it('re-importing the old file after `withdraw` is refused as a withdrawn form, names the person, and changes nothing', async () => {
    expect((await sitter('withdraw', 'spring', 'P1')).code).toBe(0);
    const before = (await auditActions()).length;
    const run = await sitterJson('consent', 'import', 'spring', original);
    expect(run.code).toBe(1);
    const err = jsonOf(run).error as {
      code: string;
      message: string;
      hint: string;
      details: { participant: string; line: number }[];
    };
    expect(err.code).toBe('FORM_WITHDRAWN');
    expect(err.message).toMatch(
      /P1 \(line 2\): that signed form was withdrawn on \d{4}-\d\d-\d\d and cannot be used again/,
    );
    expect(err.hint).toMatch(/A new consent needs a newly signed form/);
    expect(err.details.map((d) => d.participant)).toEqual(['P1']);
    expect(await statusOf('P1')).toBe('withdrawn');
    // Nothing was written: only the export itself was added to the chain.
    expect((await auditActions()).length).toBe(before + 1);
    const text = await sitter('consent', 'import', 'spring', original);
    expect(text.stderr).toMatch(/A withdrawal stands until a new consent is given/);
  });

  it('the withdrawn form with only signed_at moved after the withdrawal (or into the future) is refused, and the old file stays refused', async () => {
    for (const [i, signed] of [new Date(Date.now() + 60_000).toISOString(), '2031-01-01'].entries()) {
      const edited = writeConsentFolder(join(tmp.dir, `consent-redated-${i}`), [{ ...people[0]!, signed }, people[1]!]);
      const run = await sitterJson('consent', 'import', 'spring', edited);
      expect(run.code).toBe(1);
      expect((jsonOf(run).error as { code: string }).code).toBe('FORM_WITHDRAWN');
    }
    expect((jsonOf(await sitterJson('consent', 'import', 'spring', original)).error as { code: string }).code).toBe(
      'FORM_WITHDRAWN',
    );
    expect(await statusOf('P1')).toBe('withdrawn');
  });

  it('a file that keeps the withdrawal is accepted, and only a newly signed form, signed after the withdrawal and not in the future, makes the person eligible again', async () => {
    const withdrawnAt = (
      jsonOf(await sitterJson('consent', 'list', 'spring')).participants as {
        participant: string;
        withdrawnAt: string;
      }[]
    ).find((p) => p.participant === 'P1')!.withdrawnAt;
    const kept = writeConsentFolder(join(tmp.dir, 'consent-kept'), [
      { ...people[0]!, withdrawn: withdrawnAt },
      people[1]!,
    ]);
    const keptRun = await sitterJson('consent', 'import', 'spring', kept);
    expect(keptRun.code).toBe(0);
    expect(await statusOf('P1')).toBe('withdrawn');

    const newForm = 'Signed consent form of Ada Model (P1), signed again after her withdrawal';
    for (const [i, signed] of ['2026-01-11', '2031-01-01'].entries()) {
      const wrongDate = writeConsentFolder(join(tmp.dir, `consent-new-form-${i}`), [
        { ...people[0]!, form: newForm, signed },
        people[1]!,
      ]);
      const run = await sitterJson('consent', 'import', 'spring', wrongDate);
      expect(run.code).toBe(1);
      expect(jsonOf(run).error).toMatchObject({
        code: 'WITHDRAWAL_STANDS',
        hint: expect.stringMatching(/not in the future/),
      });
    }

    people[0] = { ...people[0]!, form: newForm };
    const renewed = writeConsentFolder(join(tmp.dir, 'consent-renewed'), [
      { ...people[0], signed: new Date().toISOString() },
      people[1]!,
    ]);
    const run = await sitterJson('consent', 'import', 'spring', renewed);
    expect(run.code).toBe(0);
    expect(jsonOf(run)).toMatchObject({ updated: expect.arrayContaining(['P1']), added: [], amendment: null });
    expect(await statusOf('P1')).toBe('eligible');
  });

  it('a participant added after approval is refused without an amendment sign-off, with a hint naming it', async () => {
    const grown = writeConsentFolder(join(tmp.dir, 'consent-grown'), [
      ...people.map((p) => ({ ...p, signed: new Date().toISOString() })),
      { id: 'P3', name: 'Cy Late', consent: 'yes', photo: await pngBytes(3) },
    ]);
    const before = (await auditActions()).length;
    const refused = await sitterJson('consent', 'import', 'spring', grown);
    expect(refused.code).toBe(1);
    const err = jsonOf(refused).error as { code: string; message: string; hint: string };
    expect(err).toMatchObject({
      code: 'ROSTER_AMENDMENT_REQUIRED',
      message: expect.stringContaining('adds 1 participant: P3'),
    });
    expect(err.hint).toContain(`sitter consent import spring ${grown} --amend --approved-by NAME`);
    expect((jsonOf(await sitterJson('consent', 'list', 'spring')).participants as unknown[]).length).toBe(2);
    expect((await auditActions()).length).toBe(before + 1);

    expect((await sitterJson('consent', 'import', 'spring', grown, '--amend')).code).toBe(2);
    expect((await sitterJson('consent', 'import', 'spring', grown, '--approved-by', 'Dana Officer')).code).toBe(2);

    const amended = await sitterJson('consent', 'import', 'spring', grown, '--amend', '--approved-by', 'Dana Officer');
    expect(amended.code).toBe(0);
    expect(jsonOf(amended)).toMatchObject({
      added: ['P3'],
      amendment: { approvedBy: 'Dana Officer', participants: ['P3'] },
    });
    expect(await statusOf('P3')).toBe('eligible');
    const entry = (await auditActions()).find((e) => e.action === 'roster.amended');
    expect(entry?.details).toMatchObject({
      approvedBy: 'Dana Officer',
      participants: [expect.stringMatching(/^#\d+$/)],
      fileSha256: expect.stringMatching(/^[0-9a-f]{64}$/),
      file: grown,
      approval: { approvedBy: 'Dana Officer' },
    });
  });

  it('changes to people already on the roster need no amendment (a withdrawal by re-import)', async () => {
    const leaving = writeConsentFolder(join(tmp.dir, 'consent-leaving'), [
      { ...people[0]!, signed: new Date().toISOString() },
      { ...people[1]!, withdrawn: '2026-02-01' },
      { id: 'P3', name: 'Cy Late', consent: 'yes', photo: await pngBytes(3) },
    ]);
    const amendmentsBefore = (await auditActions()).filter((e) => e.action === 'roster.amended').length;
    const run = await sitterJson('consent', 'import', 'spring', leaving);
    expect(run.code).toBe(0);
    expect(jsonOf(run)).toMatchObject({ added: [], withdrawn: ['P2'], amendment: null });
    expect(await statusOf('P2')).toBe('withdrawn');
    // A sign-off offered where nothing joins is not recorded as an amendment, and the output says so.
    const offered = await sitter('consent', 'import', 'spring', leaving, '--amend', '--approved-by', 'Dana Officer');
    expect(offered.code).toBe(0);
    expect(offered.stdout).toMatch(/no amendment needed/);
    expect((await auditActions()).filter((e) => e.action === 'roster.amended').length).toBe(amendmentsBefore);
  });

  it('a re-import corrects the name, minor and guardian of a person on the roster in place (stored, not a new person)', async () => {
    const corrected = writeConsentFolder(join(tmp.dir, 'consent-corrected'), [
      { ...people[0]!, signed: new Date().toISOString() },
      { ...people[1]!, withdrawn: '2026-02-01' },
      { id: 'P3', name: 'Cy Later', consent: 'yes', photo: await pngBytes(3), minor: true, guardian: 'Gil Guardian' },
    ]);
    const run = await sitterJson('consent', 'import', 'spring', corrected);
    expect(run.code).toBe(0);
    expect(jsonOf(run)).toMatchObject({ added: [], updated: expect.arrayContaining(['P3']), amendment: null });
    const listed = jsonOf(await sitterJson('consent', 'list', 'spring')).participants as {
      participant: string;
      name: string;
      minor: boolean;
      guardian: string | null;
    }[];
    expect(listed.map((p) => p.participant)).toEqual(['P1', 'P2', 'P3']);
    expect(listed.find((p) => p.participant === 'P3')).toMatchObject({
      name: 'Cy Later',
      minor: true,
      guardian: 'Gil Guardian',
    });
    expect(listed.find((p) => p.participant === 'P1')).toMatchObject({
      name: 'Ada Model',
      minor: false,
      guardian: null,
    });
  });

  it('after `erase`, the original file cannot bring the person back, with or without an amendment, and says why first', async () => {
    const erased = await sitterJson('erase', 'spring', 'P3');
    expect(erased.code).toBe(0);
    const stale = writeConsentFolder(join(tmp.dir, 'consent-after-erase'), [
      { id: 'P3', name: 'Cy Late', consent: 'yes', photo: await pngBytes(3) },
    ]);
    for (const extra of [[], ['--amend', '--approved-by', 'Dana Officer']]) {
      const run = await sitterJson('consent', 'import', 'spring', stale, ...extra);
      expect(run.code).toBe(1);
      const err = jsonOf(run).error as { code: string; message: string; hint: string };
      expect(err).toMatchObject({
        code: 'FORM_WITHDRAWN',
        message: expect.stringMatching(/P3 \(line 2\): that signed form was withdrawn on .* cannot be used again/),
        hint: expect.stringMatching(/newly signed form/),
      });
    }
    expect(await statusOf('P3')).toBeUndefined();
  });
});

/** Issue 9 item 2, found by the reliability campaign: a withdrawal killed between its commit and its DAM update. */
describe('`withdraw` again finishes an interrupted withdrawal (real CLI, real sidecars)', () => {
  let t: TestWorkspace;
  let source = '';
  const sitterJson = (...args: string[]) => runSitter(['--workspace', t.root, '--json', ...args]);
  const sitter = (...args: string[]) => runSitter(['--workspace', t.root, ...args]);
  const namesIn = async (file: string) =>
    ((await exiftool.read(join(source, file))) as unknown as { PersonInImage?: string[] }).PersonInImage ?? [];
  const receipts = async () =>
    (await sitter('audit', 'export')).stdout
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as { seq: number; action: string; details: Record<string, unknown> })
      .filter((e) => e.action === 'consent.withdrawal-receipt');

  beforeAll(async () => {
    // The CLI runs on the real clock: seed on it too.
    t = await makeWorkspace(new Date());
    source = (await seedPushedPair(t, wrapConnector(createLocalConnector({})))).source;
  });
  afterAll(async () => {
    await exiftool.end();
    await t.cleanup();
  });

  it('the rerun clears every sidecar Sitter wrote naming the person and puts the missing receipt on the chain', async () => {
    // The state a kill -9 right after the withdrawal's commit leaves: withdrawn in the store, named in the sidecars, no receipt.
    await commitWithdrawal(t.ctx, 's', 'P1');
    expect(await namesIn('a.jpg.xmp')).toContain('Ada Leaving');
    expect(existsSync(join(source, 'b.jpg.xmp'))).toBe(true);
    expect(await receipts()).toEqual([]);

    const run = await sitterJson('withdraw', 's', 'P1');
    expect(run.code).toBe(0);
    const r = jsonOf(run) as { outcome: string; audit: { seq: number } };
    expect(r.outcome).toBe('completed');
    expect(await namesIn('a.jpg.xmp')).toEqual(['Ben Staying']);
    expect(existsSync(join(source, 'b.jpg.xmp'))).toBe(false);
    expect((await receipts()).map((e) => e.seq)).toEqual([r.audit.seq]);

    const again = await sitter('withdraw', 's', 'P1');
    expect(again.code).toBe(0);
    expect(again.stdout).toMatch(new RegExp(`nothing left to do.*receipt is audit entry ${r.audit.seq}\\b`));
    expect((await receipts()).length).toBe(1);
  });

  it('`push --withdrawals` reaches the places an interrupted withdrawal left, and `withdraw` then records the receipt', async () => {
    await commitWithdrawal(t.ctx, 's', 'P2');
    expect(await namesIn('a.jpg.xmp')).toEqual(['Ben Staying']);
    expect((await sitter('push', 's', '--withdrawals')).code).toBe(0);
    expect(existsSync(join(source, 'a.jpg.xmp')) ? await namesIn('a.jpg.xmp') : []).toEqual([]);
    const run = await sitter('withdraw', 's', 'P2');
    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(/Completed an earlier interrupted withdrawal/);
    expect((await receipts()).length).toBe(2);
  });
});
