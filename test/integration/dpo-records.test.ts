import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { ModelCard } from '../../src/core/engine/model-card.js';
import { jsonOf, runSitter } from '../helpers/cli.js';
import { seedApprovedShoot } from '../helpers/seed.js';
import { makeWorkspace, type TestWorkspace } from '../helpers/workspace.js';

const ROOT = resolve(import.meta.dirname, '../..');
const manifest = JSON.parse(readFileSync(join(ROOT, 'models/manifest.json'), 'utf8')) as {
  id: string;
  files: { path: string; sha256: string; licence: string; version: string }[];
};

/** Issue 13, "Records a DPO asks for", through the real CLI. */
describe('sitter model-card', () => {
  it('lists the model files in use with versions, sha256 and licences, and each measured figure with its date and command', async () => {
    const run = await runSitter(['--json', 'model-card']);
    expect(run.code, run.stdout).toBe(0);
    const card = jsonOf(run) as unknown as ModelCard;
    expect(card.id).toBe(manifest.id);
    expect(card.files.map((f) => [f.path, f.sha256, f.licence, f.version])).toEqual(
      manifest.files.map((f) => [f.path, f.sha256, f.licence, f.version]),
    );
    expect(card.files.every((f) => f.versionMatches)).toBe(true);
    expect(card.calibration).toMatchObject({ threshold: 0.565, margin: 0.05 });
    expect(card.accuracy.appliesToThisModel).toBe(true);
    expect(card.accuracy.figures.length).toBeGreaterThan(5);
    // No figure is invented: each is a row of docs/engine.md's measured accuracy, with its value.
    const engineDoc = readFileSync(join(ROOT, 'docs/engine.md'), 'utf8').split('\n');
    for (const f of card.accuracy.figures) {
      expect(f).toMatchObject({
        measuredOn: '2026-11-29',
        command: 'npm run eval -- --data ../shared/faces --calibrate',
      });
      const row = engineDoc.find((l) => l.startsWith(`| ${f.figure} |`));
      expect(row, f.figure).toBeDefined();
      expect(row!.replace(/\*/g, ''), f.figure).toContain(`| ${f.value} |`);
    }
    const text = await runSitter(['model-card']);
    expect(text.stdout).toContain(manifest.files[0]!.sha256);
    expect(text.stdout).toMatch(/TAR @ FAR 0\.1% +0\.976 \(threshold 0\.582\) +>= 0\.95 +2026-11-29 +npm run eval/);
    expect(text.stdout).toMatch(/Limitations:\n(?: +- .*\n)*? +- .*children/);
  });
});

describe('sitter records', () => {
  let t: TestWorkspace;
  beforeEach(async () => {
    t = await makeWorkspace(new Date());
    await seedApprovedShoot(t, 's', [
      { id: 'P1', name: 'Ada Adult', consent: 'yes' },
      { id: 'P2', name: 'Mo Minor', consent: 'yes', minor: true, guardian: 'Gus Guardian' },
      { id: 'P3', name: 'Cleo Photos', consent: 'no' },
    ]);
  });
  afterEach(async () => {
    await t.cleanup();
  });

  it('prints a record of processing from the workspace: purposes, subjects, data, retention, recipients, models, security', async () => {
    const run = await runSitter(['--workspace', t.root, '--json', 'records']);
    expect(run.code, run.stdout).toBe(0);
    const r = jsonOf(run) as Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any
    expect(r.purposes).toEqual([{ shoot: 's', purpose: 'test' }]);
    expect(r.recipients).toEqual([{ connector: 'local', shoots: ['s'] }]);
    expect(r.shoots[0]).toMatchObject({
      shoot: 's',
      status: 'approved',
      retentionDays: 30,
      approval: { dpiaRef: 'DPIA-T', approvedBy: 'Approver' },
      subjects: { total: 3, minors: 1, eligible: 2, photosOnly: 1 },
      recipient: { connector: 'local' },
    });
    expect(Date.parse(r.shoots[0].biometricDataUntil) - Date.parse(r.shoots[0].approval.approvedAt)).toBe(
      30 * 86_400_000,
    );
    expect(r.categoriesOfData.filter((c: { special: boolean }) => c.special)).toHaveLength(1);
    expect(r.workspace).toMatchObject({ masterKey: { kind: 'workspace' }, folderMode: '0700', databaseMode: '0600' });
    expect(r.auditChain).toMatchObject({ ok: true, head: expect.stringMatching(/^[0-9a-f]{64}@\d+$/) });
    expect(r.models.id).toBe(manifest.id);
    expect(r.securityMeasures.join(' ')).toMatch(/secure_delete/);
    // A record of processing names no data subject.
    expect(run.stdout).not.toMatch(/Ada Adult|Mo Minor|Gus Guardian|Cleo Photos/);

    const text = await runSitter(['--workspace', t.root, 'records']);
    expect(text.code).toBe(0);
    expect(text.stdout).toMatch(/Record of processing activities \(GDPR Art\. 30\)/);
    expect(text.stdout).toMatch(/^ {2}s: test$/m);
    expect(text.stdout).toMatch(/\[special category, Art\. 9\] face templates/);
    expect(text.stdout).toMatch(/master key: beside the database/);
    expect(text.stdout).toMatch(/audit chain: verifies/);
  });

  it('the text shows what the JSON holds: per shoot the days, every consent status, the data held and the threshold; and says where the rest is', async () => {
    const r = jsonOf(await runSitter(['--workspace', t.root, '--json', 'records'])) as Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any
    const s = r.shoots[0];
    const text = (await runSitter(['--workspace', t.root, 'records'])).stdout;
    expect(text).toMatch(new RegExp(`^s +s +approved +${s.days.from} to ${s.days.to} `, 'm'));
    expect(text).toMatch(
      /^shoot +participants +eligible +photos only +withdrawn +expired +not yet signed +no record +minors$/m,
    );
    expect(text).toMatch(/^s +3 +2 +1 +0 +0 +0 +0 +1$/m);
    expect(text).toMatch(
      /^shoot +assets +faces +confirmed +templates +DAM places naming people +reviewers +threshold$/m,
    );
    expect(text).toMatch(
      new RegExp(
        `^s +${s.data.assets} +${s.data.faces} +${s.data.confirmedFaces} +${s.data.templates} +${s.data.placesNamingPeople} +${s.reviewers} +0\\.565 \\(model calibration\\)$`,
        'm',
      ),
    );
    expect(text).toMatch(/^ {2}local: shoots s$/m);
    expect(text).toMatch(/as data: `sitter records --json`; the models in full: `sitter model-card`/);
  });

  it('refuses a folder that is not a workspace', async () => {
    const run = await runSitter(['--workspace', join(t.root, '..', 'nope'), '--json', 'records']);
    expect(run.code).toBe(1);
    expect(jsonOf(run)).toMatchObject({ error: { code: 'WORKSPACE_NOT_FOUND' } });
  });
});
