import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { jsonOf, runSitter, shootDaysAroundToday } from '../helpers/cli.js';
import { type FixtureParticipant, pngBytes, writeConsentFolder } from '../helpers/consent-fixture.js';
import { tempDir } from '../helpers/workspace.js';

/** Issue 9, items 2 and 8: a withdrawal stands until a new consent, and the approved roster needs a sign-off to grow. */
describe('consent import guards a withdrawal and the approved roster (real CLI, real workspace)', () => {
  const tmp = tempDir('sitter-consent-');
  const ws = join(tmp.dir, 'ws');
  const photos = join(tmp.dir, 'photos');
  const sitter = (...args: string[]) => runSitter(['--workspace', ws, ...args], { cwd: tmp.dir });
  const sitterJson = (...args: string[]) => runSitter(['--workspace', ws, '--json', ...args], { cwd: tmp.dir });
  const statusOf = async (who: string) => ((jsonOf(await sitterJson('consent', 'list', 'spring')).participants as { participant: string; status: string }[]).find((p) => p.participant === who))?.status;
  const auditActions = async () => (await sitter('audit', 'export')).stdout.trim().split('\n').map((l) => JSON.parse(l) as { action: string; details: Record<string, unknown> });
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
      ['shoot', 'create', 'spring', '--name', 'Spring', '--source', photos, '--purpose', 'Link models to their releases', '--retention-days', '90', ...shootDaysAroundToday()],
      ['consent', 'import', 'spring', original],
      ['shoot', 'approve', 'spring', '--dpia', 'DPIA-1', '--approved-by', 'Dana Officer'],
    ]) expect((await sitter(...args)).code).toBe(0);
  });
  afterAll(() => tmp.cleanup());

  it('re-importing the old file after `withdraw` is refused, names the person, and changes nothing', async () => {
    expect((await sitter('withdraw', 'spring', 'P1')).code).toBe(0);
    const before = (await auditActions()).length;
    const run = await sitterJson('consent', 'import', 'spring', original);
    expect(run.code).toBe(1);
    const err = jsonOf(run).error as { code: string; message: string; hint: string; details: { participant: string; line: number }[] };
    expect(err.code).toBe('WITHDRAWAL_STANDS');
    expect(err.message).toMatch(/P1 \(line 2: signed 2026-01-10, withdrew /);
    expect(err.hint).toMatch(/signed_at after the withdrawal/);
    expect(err.details.map((d) => d.participant)).toEqual(['P1']);
    expect(await statusOf('P1')).toBe('withdrawn');
    // Nothing was written: only the export itself was added to the chain.
    expect((await auditActions()).length).toBe(before + 1);
    const text = await sitter('consent', 'import', 'spring', original);
    expect(text.stderr).toMatch(/A withdrawal stands until a new consent is given/);
  });

  it('a file that keeps the withdrawal is accepted, and a new consent signed after the withdrawal makes the person eligible again', async () => {
    const withdrawnAt = (jsonOf(await sitterJson('consent', 'list', 'spring')).participants as { participant: string; withdrawnAt: string }[]).find((p) => p.participant === 'P1')!.withdrawnAt;
    const kept = writeConsentFolder(join(tmp.dir, 'consent-kept'), [{ ...people[0]!, withdrawn: withdrawnAt }, people[1]!]);
    const keptRun = await sitterJson('consent', 'import', 'spring', kept);
    expect(keptRun.code).toBe(0);
    expect(await statusOf('P1')).toBe('withdrawn');

    const renewed = writeConsentFolder(join(tmp.dir, 'consent-renewed'), [{ ...people[0]!, signed: new Date().toISOString() }, people[1]!]);
    const run = await sitterJson('consent', 'import', 'spring', renewed);
    expect(run.code).toBe(0);
    expect(jsonOf(run)).toMatchObject({ updated: expect.arrayContaining(['P1']), added: [], amendment: null });
    expect(await statusOf('P1')).toBe('eligible');
  });

  it('a participant added after approval is refused without an amendment sign-off, with a hint naming it', async () => {
    const grown = writeConsentFolder(join(tmp.dir, 'consent-grown'), [...people.map((p) => ({ ...p, signed: new Date().toISOString() })), { id: 'P3', name: 'Cy Late', consent: 'yes', photo: await pngBytes(3) }]);
    const before = (await auditActions()).length;
    const refused = await sitterJson('consent', 'import', 'spring', grown);
    expect(refused.code).toBe(1);
    const err = jsonOf(refused).error as { code: string; message: string; hint: string };
    expect(err).toMatchObject({ code: 'ROSTER_AMENDMENT_REQUIRED', message: expect.stringContaining('adds 1 participant: P3') });
    expect(err.hint).toContain(`sitter consent import spring ${grown} --amend --approved-by NAME`);
    expect((jsonOf(await sitterJson('consent', 'list', 'spring')).participants as unknown[]).length).toBe(2);
    expect((await auditActions()).length).toBe(before + 1);

    expect((await sitterJson('consent', 'import', 'spring', grown, '--amend')).code).toBe(2);
    expect((await sitterJson('consent', 'import', 'spring', grown, '--approved-by', 'Dana Officer')).code).toBe(2);

    const amended = await sitterJson('consent', 'import', 'spring', grown, '--amend', '--approved-by', 'Dana Officer');
    expect(amended.code).toBe(0);
    expect(jsonOf(amended)).toMatchObject({ added: ['P3'], amendment: { approvedBy: 'Dana Officer', participants: ['P3'] } });
    expect(await statusOf('P3')).toBe('eligible');
    const entry = (await auditActions()).find((e) => e.action === 'roster.amended');
    expect(entry?.details).toMatchObject({ approvedBy: 'Dana Officer', participants: [expect.stringMatching(/^#\d+$/)], fileSha256: expect.stringMatching(/^[0-9a-f]{64}$/), file: grown, approval: { approvedBy: 'Dana Officer' } });
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
    const listed = jsonOf(await sitterJson('consent', 'list', 'spring')).participants as { participant: string; name: string; minor: boolean; guardian: string | null }[];
    expect(listed.map((p) => p.participant)).toEqual(['P1', 'P2', 'P3']);
    expect(listed.find((p) => p.participant === 'P3')).toMatchObject({ name: 'Cy Later', minor: true, guardian: 'Gil Guardian' });
    expect(listed.find((p) => p.participant === 'P1')).toMatchObject({ name: 'Ada Model', minor: false, guardian: null });
  });
});
