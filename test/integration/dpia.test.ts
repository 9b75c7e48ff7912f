import { existsSync, mkdirSync, readFileSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { DPIA_RISKS } from '../../src/core/domain/dpia-risks.js';
import { decideFace } from '../../src/core/services/decision-service.js';
import { jsonOf, runSitter } from '../helpers/cli.js';
import { seedApprovedShoot, seedProposal, seedUnidentifiedFace } from '../helpers/seed.js';
import { auditEntries, createArgs } from '../helpers/shoot-cli.js';
import { makeWorkspace, type TestWorkspace } from '../helpers/workspace.js';

/* eslint-disable @typescript-eslint/no-explicit-any -- reading the CLI's JSON */

const ROOT = resolve(import.meta.dirname, '../..');

/**
 * Six faces decided as a shoot's reviewers would, at the default threshold 0.565 (bands of distance
 * 0.05 below it; score = 1 - distance): band 0 (score 0.435-0.485) one rejected, one confirmed; band 1
 * one reassigned to someone else; band 3 one confirmed, one pending; and a face never proposed that a
 * reviewer named (a miss of the matcher).
 */
async function seedDecisions(t: TestWorkspace): Promise<void> {
  const decide = async (asset: string, who: string, score: number, action: Parameters<typeof decideFace>[3] | null) => {
    const face = await seedProposal(t, 's', asset, who, score);
    if (action) await decideFace(t.ctx, 's', face.id, action, 'Rita');
  };
  await decide('a1.jpg', 'P1', 0.45, { kind: 'reject' });
  await decide('a2.jpg', 'P1', 0.46, { kind: 'confirm' });
  await decide('a3.jpg', 'P2', 0.5, { kind: 'assign', participantRef: 'P1' });
  await decide('a4.jpg', 'P2', 0.8, { kind: 'confirm' });
  await decide('a5.jpg', 'P1', 0.9, null);
  const missed = await seedUnidentifiedFace(t, 's', 'a6.jpg', 'P2');
  await decideFace(t.ctx, 's', missed.id, { kind: 'assign', participantRef: 'P2' }, 'Rita');
}

/** Shoot "s" with Ada (P1) and Ben (P2), and whoever else is given, its faces decided as above. */
async function decidedShoot(others: Parameters<typeof seedApprovedShoot>[2] = []): Promise<TestWorkspace> {
  const t = await makeWorkspace(new Date());
  await seedApprovedShoot(t, 's', [
    { id: 'P1', name: 'Ada Adult', consent: 'yes' },
    { id: 'P2', name: 'Ben Adult', consent: 'yes' },
    ...others,
  ]);
  await seedDecisions(t);
  return t;
}

describe('report: accuracy on this shoot, by score band', () => {
  let t: TestWorkspace;
  beforeEach(async () => {
    t = await decidedShoot();
  });
  afterEach(async () => {
    await t.cleanup();
  });

  it('counts confirmed, rejected, reassigned and pending proposals per band around the threshold, and the faces the matcher missed', async () => {
    const run = await runSitter(['--workspace', t.root, '--json', 'report', 's']);
    expect(run.code, run.stderr).toBe(0);
    const a = (jsonOf(run) as any).accuracy;
    expect(a.threshold).toEqual({ value: 0.565, source: 'calibration' });
    expect(
      a.bands.map((b: any) => [b.band, b.proposals, b.confirmed, b.rejected, b.reassigned, b.pending, b.precision]),
    ).toEqual([
      ['0.515 < d <= 0.565', 2, 1, 1, 0, 0, 0.5],
      ['0.465 < d <= 0.515', 1, 0, 0, 1, 0, 0],
      ['0.415 < d <= 0.465', 0, 0, 0, 0, 0, null],
      ['d <= 0.415', 2, 1, 0, 0, 1, 1],
    ]);
    expect(a.bands[0].score).toEqual({ atLeast: 0.435, below: 0.485 });
    expect(a.total).toMatchObject({
      proposals: 5,
      confirmed: 2,
      rejected: 1,
      reassigned: 1,
      pending: 1,
      precision: 0.5,
    });
    expect(a.missed).toBe(1);
    expect(a.foundByMatcher).toBe(0.5);

    const text = await runSitter(['--workspace', t.root, 'report', 's']);
    expect(text.stdout).toContain('Accuracy on this shoot at threshold 0.565 (the model calibration)');
    expect(text.stdout).toMatch(/^0\.515 < d <= 0\.565 +0\.435-0\.485 +2 +1 +1 +0 +0 +0\.5$/m);
    expect(text.stdout).toMatch(/^all proposals +- +5 +2 +1 +1 +1 +0\.5$/m);
    expect(text.stdout).toMatch(/Missed by the matcher \(found but never proposed, then named by a reviewer\): 1\./);
    // a share as a person reads it, with the counts behind it (it printed "0.5", a bare "1" at 100%)
    expect(text.stdout).toContain('Of the faces reviewers named, the matcher proposed rightly: 50% (2 of 4).');
    const dpia = await runSitter(['--workspace', t.root, 'dpia', 's']);
    expect(dpia.stdout).toContain('the matcher proposed rightly: 50% (2 of 4).');
  });

  it('an undone decision leaves the proposal pending again', async () => {
    expect((await runSitter(['--workspace', t.root, 'decide', 's', '--undo', '--reviewer', 'Rita'])).code).toBe(0);
    const a = (jsonOf(await runSitter(['--workspace', t.root, '--json', 'report', 's'])) as any).accuracy;
    // the last decision (the assignment of the missed face) is undone: no miss any more
    expect(a.missed).toBe(0);
    expect(a.total.proposals).toBe(5);
  });
});

describe('shoot create --threshold', () => {
  let t: TestWorkspace;
  const sitter = (...args: string[]) =>
    runSitter(['--workspace', t.root, ...args], { env: { SITTER_ACTOR: 'Dora DPO' } });
  let photos: string;
  beforeEach(async () => {
    t = await makeWorkspace(new Date());
    photos = join(t.root, '..', 'photos');
    mkdirSync(photos);
  });
  afterEach(async () => {
    await t.cleanup();
  });

  it('records a threshold within the bounds on the shoot and in the audit, and report, records and dpia use it', async () => {
    const created = await sitter('--json', ...createArgs('s', photos), '--threshold', '0.5');
    expect(created.code, created.stdout + created.stderr).toBe(0);
    expect(jsonOf(created)).toMatchObject({ shoot: 's', matchThreshold: 0.5 });
    const entry = (await auditEntries(sitter, join(t.root, '..', 'audit.jsonl'))).find(
      (e) => e.action === 'shoot.created',
    );
    expect(entry?.details).toMatchObject({ matchThreshold: 0.5, thresholdBounds: { min: 0.35, max: 0.582 } });

    const report = jsonOf(await sitter('--json', 'report', 's')) as any;
    expect(report.accuracy.threshold).toEqual({ value: 0.5, source: 'shoot' });
    expect(report.accuracy.bands[0].band).toBe('0.45 < d <= 0.5');
    const records = jsonOf(await sitter('--json', 'records')) as any;
    expect(records.shoots[0].matchThreshold).toEqual({ value: 0.5, source: 'shoot' });
    expect((await sitter('records')).stdout).toMatch(/0\.5 \(set by the shoot\)/);
    const dpia = jsonOf(await sitter('--json', 'dpia', 's')) as any;
    expect(dpia.threshold).toMatchObject({ value: 0.5, source: 'shoot', setBy: 'Dora DPO' });
    expect((await sitter('dpia', 's')).stdout).toMatch(
      /Threshold: 0\.5 \(Euclidean distance\): set at creation by Dora DPO on \d{4}-/,
    );
  });

  it.each(['0.6', '0.3', 'abc'])(
    'refuses %s, outside the bounds, with a hint naming them, and creates nothing',
    async (value) => {
      const run = await sitter('--json', ...createArgs('s', photos), '--threshold', value);
      expect(run.code).not.toBe(0);
      const error = (jsonOf(run) as any).error;
      if (value === 'abc') expect(error.code).toBe('BAD_OPTION');
      else {
        expect(error.code).toBe('THRESHOLD_OUT_OF_BOUNDS');
        expect(error.hint).toMatch(/from 0\.35 \(strictest\) to 0\.582 \(most permissive\).*FAR 0\.1%/);
      }
      expect((jsonOf(await sitter('--json', 'shoot', 'list')) as any).shoots).toEqual([]);
    },
  );

  it('without --threshold the shoot follows the model calibration', async () => {
    expect((await sitter(...createArgs('s', photos))).code).toBe(0);
    expect(jsonOf(await sitter('--json', 'shoot', 'show', 's'))).toMatchObject({ matchThreshold: null });
    expect((jsonOf(await sitter('--json', 'dpia', 's')) as any).threshold).toMatchObject({
      value: 0.565,
      source: 'calibration',
      setBy: null,
    });
  });
});

describe('sitter dpia', () => {
  let t: TestWorkspace;
  beforeEach(async () => {
    t = await decidedShoot([
      { id: 'P3', name: 'Mo Minor', consent: 'yes', minor: true, guardian: 'Gus Guardian' },
      { id: 'P4', name: 'Cleo Photos', consent: 'no' },
    ]);
    expect((await runSitter(['--workspace', t.root, 'withdraw', 's', 'P3'])).code).toBe(0);
  });
  afterEach(async () => {
    await t.cleanup();
  });

  it('drafts the annex from the configuration, roster, processing, accuracy, threshold and the measures for each risk', async () => {
    const run = await runSitter(['--workspace', t.root, '--json', 'dpia', 's']);
    expect(run.code, run.stderr).toBe(0);
    const d = jsonOf(run) as any;
    expect(d.shoot).toMatchObject({
      shoot: 's',
      purpose: 'test',
      retentionDays: 30,
      approval: { dpiaRef: 'DPIA-T', approvedBy: 'Approver' },
      recipient: { connector: 'local' },
      subjects: { total: 4, minors: 1, withdrawn: 1 },
    });
    expect(d.consent).toEqual({ biometricYes: 3, biometricNo: 1, noRecord: 0, withdrawn: 1 });
    expect(d.processing).toMatchObject({ assetsScanned: 6, faces: 6, confirmed: 4, rejected: 1, proposed: 1 });
    expect(d.accuracy.total).toMatchObject({ proposals: 5, confirmed: 2, rejected: 1, reassigned: 1 });
    expect(d.models.accuracy.figures.length).toBeGreaterThan(5);
    expect(d.legalBasis.join(' ')).toMatch(/Art\. 9\(2\)\(a\)/);
    // An annex names no data subject.
    expect(run.stdout).not.toMatch(/Ada Adult|Ben Adult|Mo Minor|Gus Guardian|Cleo Photos/);

    const text = await runSitter(['--workspace', t.root, 'dpia', 's']);
    expect(text.code).toBe(0);
    expect(text.stdout).toMatch(/^# DPIA annex: shoot s \(`s`\)$/m);
    expect(text.stdout).toMatch(/Approved .* under DPIA DPIA-T\./);
    expect(text.stdout).toMatch(/^\| 4 \| 3 \| 1 \| 0 \| 2 \| 1 \| 0 \| 1 \|$/m);
    expect(text.stdout).toMatch(
      /\| TAR @ FAR 0\.1% \| 0\.976 \(threshold 0\.582\) \| \\>= 0\.95 \| 2026-11-29 \| npm run eval/,
    );
    expect(text.stdout).toMatch(/^\| 0\.515 \\< d \\<= 0\.565 \| 0\.435-0\.485 \| 2 \| 1 \| 1 \| 0 \| 0 \| 0\.5 \|$/m);
    for (const r of DPIA_RISKS) expect(text.stdout).toContain(r.tests.join(', '));
    expect(text.stdout).not.toMatch(/Ada Adult|Ben Adult|Mo Minor|Gus Guardian|Cleo Photos/);
  });

  it('states the controller and contact set with sitter settings, in the annex and the record of processing', async () => {
    const none = await runSitter(['--workspace', t.root, 'dpia', 's']);
    expect(none.stdout).toMatch(/Controller: \(not set: `sitter settings --controller NAME`\)/);
    const set = await runSitter([
      '--workspace',
      t.root,
      'settings',
      '--controller',
      'ACME Archive Ltd',
      '--contact',
      'dpo@acme.example',
    ]);
    expect(set.code, set.stderr).toBe(0);
    const d = jsonOf(await runSitter(['--workspace', t.root, '--json', 'dpia', 's']));
    expect(d).toMatchObject({ controller: 'ACME Archive Ltd', contact: 'dpo@acme.example' });
    const text = await runSitter(['--workspace', t.root, 'dpia', 's']);
    expect(text.stdout).toContain('Controller: ACME Archive Ltd; contact: dpo@acme.example.');
    const records = jsonOf(await runSitter(['--workspace', t.root, '--json', 'records']));
    expect(records).toMatchObject({ controller: 'ACME Archive Ltd', contact: 'dpo@acme.example' });
  });

  it('names as proof only tests that exist and that docs/architecture.md lists for a rule', () => {
    const architecture = readFileSync(join(ROOT, 'docs/architecture.md'), 'utf8');
    for (const r of DPIA_RISKS)
      for (const test of r.tests) {
        expect(existsSync(join(ROOT, test)), test).toBe(true);
        expect(architecture, test).toContain(`\`${test}\``);
      }
  });

  it('--out writes the Markdown annex owner-only and refuses to replace a file without --force', async () => {
    const out = join(t.root, '..', 'dpia-s.md');
    const run = await runSitter(['--workspace', t.root, '--json', 'dpia', 's', '--out', out]);
    expect(run.code, run.stderr).toBe(0);
    expect(jsonOf(run)).toMatchObject({ written: out, sha256: expect.stringMatching(/^[0-9a-f]{64}$/) });
    expect(statSync(out).mode & 0o777).toBe(0o600);
    expect(readFileSync(out, 'utf8')).toMatch(/^# DPIA annex: shoot s/);
    const again = await runSitter(['--workspace', t.root, '--json', 'dpia', 's', '--out', out]);
    expect(again.code).toBe(1);
    expect(jsonOf(again)).toMatchObject({ error: { code: 'OUTPUT_EXISTS' } });
    expect((await runSitter(['--workspace', t.root, 'dpia', 's', '--out', out, '--force'])).code).toBe(0);
  });

  it('refuses a shoot that does not exist', async () => {
    const run = await runSitter(['--workspace', t.root, '--json', 'dpia', 'nope']);
    expect(run.code).toBe(1);
    expect(jsonOf(run)).toMatchObject({ error: { code: 'SHOOT_NOT_FOUND' } });
  });
});
