import { chmodSync, mkdirSync, readFileSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { createHash } from 'node:crypto';
import { join } from 'node:path';
import { exiftool } from 'exiftool-vendored';
import { afterAll, afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createLocalConnector } from '../../src/connectors/local/index.js';
import { wrapConnector } from '../../src/connectors/wrap-connector.js';
import { decideFace } from '../../src/core/services/decision-service.js';
import type { SubjectExport } from '../../src/core/services/subject-export-service.js';
import { jsonOf, runSitter, type CliRun } from '../helpers/cli.js';
import { seedProposal, seedPushedPair } from '../helpers/seed.js';
import { makeWorkspace, tempDir, type TestWorkspace } from '../helpers/workspace.js';

interface ExportRun {
  folder: string;
  files: { name: string; sha256: string }[];
  audit: { seq: number; hash: string };
  anchor: string;
}

/**
 * GDPR Art. 15/20 through the real CLI on a real workspace: P1 (Ada) is confirmed on a.jpg (with P2,
 * Ben) and on b.jpg, pushed; a reviewer said a face on c.jpg (someone else's) is not her.
 */
describe('sitter subject export', () => {
  let t: TestWorkspace;
  let out: { dir: string; cleanup: () => void };
  const connector = wrapConnector(createLocalConnector({}));
  const sitter = (...args: string[]) => runSitter(['--workspace', t.root, '--json', ...args]);
  /** someone else's face, that a reviewer said is not P1: its box must never be in P1's export */
  const OTHER_BOX = { x: 0.45, y: 0.55, w: 0.15, h: 0.25 };

  beforeEach(async () => {
    t = await makeWorkspace(new Date());
    await seedPushedPair(t, connector, ['c.jpg']);
    const doubt = await seedProposal(t, 's', 'c.jpg', 'P1', 0.6, OTHER_BOX);
    await decideFace(t.ctx, 's', doubt.id, { kind: 'reject' }, 'Rita');
    out = tempDir('sitter-subject-');
  });
  afterEach(async () => {
    out.cleanup();
    await t.cleanup();
  });
  afterAll(async () => {
    await exiftool.end();
  });

  const exportTo = (dir: string, ...extra: string[]): Promise<CliRun> =>
    sitter('subject', 'export', 's', 'P1', '--out', dir, ...extra);

  it('writes the record, faces, decisions, pushes, clearance and audit entries as JSON and Markdown, owner-only, and audits the export', async () => {
    const dir = join(out.dir, 'ada');
    const run = await exportTo(dir);
    expect(run.code, run.stdout).toBe(0);
    const receipt = jsonOf(run) as unknown as ExportRun;
    expect(receipt.files.map((f) => f.name)).toEqual(['subject.json', 'subject.md']);
    expect(statSync(dir).mode & 0o777).toBe(0o700);
    for (const f of receipt.files) {
      const path = join(dir, f.name);
      expect(statSync(path).mode & 0o777, f.name).toBe(0o600);
      expect(createHash('sha256').update(readFileSync(path)).digest('hex')).toBe(f.sha256);
    }

    const x = JSON.parse(readFileSync(join(dir, 'subject.json'), 'utf8')) as SubjectExport;
    expect(x.participant).toMatchObject({ ref: 'P1', name: 'Ada Leaving', pseudonym: expect.stringMatching(/^#\d+$/) });
    expect(x.consentRecords).toHaveLength(1);
    expect(Object.keys(x.consentRecords[0]!).sort()).toEqual(
      [
        'id',
        'biometricConsent',
        'publicationScopes',
        'signedAt',
        'expiresAt',
        'withdrawnAt',
        'formRef',
        'formSha256',
        'referencePhoto',
        'referencePhotoSha256',
        'importedFrom',
        'importedFileSha256',
        'importedAt',
        'signedScan',
      ].sort(),
    );
    expect(x.consentRecords[0]).toMatchObject({ biometricConsent: true, publicationScopes: ['web'] });
    expect(x.faces.map((f) => [f.asset, f.state, f.box.x])).toEqual([
      ['a.jpg', 'confirmed', 0.1],
      ['b.jpg', 'confirmed', 0.3],
    ]);
    expect(x.decisions.map((d) => [d.asset, d.reviewer, d.effect])).toEqual([
      ['a.jpg', 'Rita', 'named them'],
      ['b.jpg', 'Rita', 'named them'],
      ['c.jpg', 'Rita', 'said the face is not them'],
    ]);
    expect(x.pushes.map((p) => [p.asset, p.clearedAt])).toEqual([
      ['a.jpg', null],
      ['b.jpg', null],
    ]);
    expect(x.clearance).toEqual([
      { asset: 'a.jpg', face: x.faces[0]!.face, scopes: { web: 'cleared' } },
      { asset: 'b.jpg', face: x.faces[1]!.face, scopes: { web: 'cleared' } },
    ]);
    expect(x.audit.map((e) => e.action)).toEqual(expect.arrayContaining(['decision.confirm', 'decision.reject']));

    const md = readFileSync(join(dir, 'subject.md'), 'utf8');
    expect(md).toMatch(/^# What Sitter holds about Ada Leaving \(P1\)/);
    expect(md).toMatch(/\| Rita \| \d+ \| a\.jpg \| named them \| - \|/);
    expect(md).toMatch(/\| Rita \| \d+ \| c\.jpg \| said the face is not them \| - \|/);

    // On the chain: the export, naming the person by pseudonym only, with the sha256 of what was handed over.
    const chain = (await runSitter(['--workspace', t.root, 'audit', 'export'])).stdout
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as { action: string; subject: string; seq: number });
    const entry = chain.find((e) => e.action === 'subject.exported')!;
    expect(entry).toMatchObject({ seq: receipt.audit.seq, subject: `participant:${x.participant.pseudonym}` });
    expect(JSON.stringify(entry)).toContain(receipt.files[0]!.sha256);
    // Nor the folder: its path may hold the name.
    expect(JSON.stringify(entry)).not.toMatch(/Ada Leaving|P1\b/);
    expect(JSON.stringify(entry)).not.toContain(out.dir);
  });

  it('never an embedding, never another person’s name or face box (byte search of both files)', async () => {
    const dir = join(out.dir, 'ada');
    expect((await exportTo(dir)).code).toBe(0);
    const bytes = Buffer.concat([readFileSync(join(dir, 'subject.json')), readFileSync(join(dir, 'subject.md'))]);
    const text = bytes.toString('utf8');
    // Ben is on a.jpg with Ada; his face sits at x 0.6.
    expect(text).not.toMatch(/Ben Staying|\bP2\b/);
    expect(text).not.toMatch(/"x": 0\.6\b|60\.0%/);
    // The face a reviewer said is not her is someone else's: listed as a decision, without its box.
    expect(text).not.toMatch(/0\.45|0\.55|45\.0%|55\.0%/);
    // Every stored ciphertext of the shoot (her templates), in any encoding, is absent.
    const templates = await t.ws.store.transaction((uow) => uow.templates.listByShoot('s'));
    expect(templates.length).toBeGreaterThan(0);
    for (const tpl of templates) {
      const blob = Buffer.from(tpl.embedding);
      expect(bytes.includes(blob)).toBe(false);
      expect(text).not.toContain(blob.toString('base64').slice(0, 24));
      expect(text).not.toContain(blob.toString('hex').slice(0, 32));
    }
    expect(text).not.toMatch(/"embedding|"template/i);
  });

  it('an existing empty folder becomes owner-only (0700) like a new one; a folder holding other files keeps its mode', async () => {
    const dir = join(out.dir, 'empty');
    mkdirSync(dir);
    chmodSync(dir, 0o755);
    expect((await exportTo(dir)).code).toBe(0);
    expect(statSync(dir).mode & 0o777).toBe(0o700);
    const busy = join(out.dir, 'theirs');
    mkdirSync(busy);
    writeFileSync(join(busy, 'notes.txt'), 'keep me');
    chmodSync(busy, 0o750);
    expect((await exportTo(busy, '--force')).code).toBe(0);
    expect(statSync(busy).mode & 0o777).toBe(0o750);
  });

  it('refuses a folder that is not empty unless --force, a link, and an unknown participant', async () => {
    const dir = join(out.dir, 'busy');
    mkdirSync(dir);
    writeFileSync(join(dir, 'notes.txt'), 'keep me');
    const refused = await exportTo(dir);
    expect(refused.code).toBe(1);
    expect(jsonOf(refused)).toMatchObject({
      error: { code: 'OUTPUT_NOT_EMPTY', hint: expect.stringMatching(/--force/) },
    });
    const forced = await exportTo(dir, '--force');
    expect(forced.code, forced.stdout).toBe(0);
    expect(readFileSync(join(dir, 'notes.txt'), 'utf8')).toBe('keep me');
    expect((await exportTo(dir, '--force')).code).toBe(0);

    symlinkSync(dir, join(out.dir, 'link'));
    expect(jsonOf(await exportTo(join(out.dir, 'link'), '--force'))).toMatchObject({
      error: { code: 'OUTPUT_IS_A_LINK' },
    });

    const missing = await sitter('subject', 'export', 's', 'P9', '--out', join(out.dir, 'nobody'));
    expect(jsonOf(missing)).toMatchObject({ error: { code: 'PARTICIPANT_NOT_FOUND' } });

    const text = await runSitter([
      '--workspace',
      t.root,
      'subject',
      'export',
      's',
      'P1',
      '--out',
      join(out.dir, 'txt'),
    ]);
    expect(text.code).toBe(0);
    expect(text.stdout).toMatch(/Wrote subject\.json and subject\.md to .*\(owner-only\)/);
    expect(text.stdout).toMatch(/anchor [0-9a-f]{64}@\d+/);
  });
});
