import { join } from 'node:path';
import sharp from 'sharp';
import { exiftool } from 'exiftool-vendored';
import { afterAll, afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createLocalConnector } from '../../src/connectors/local/index.js';
import { wrapConnector } from '../../src/connectors/wrap-connector.js';
import { clearanceForScope } from '../../src/core/services/clearance-service.js';
import { decideFace } from '../../src/core/services/decision-service.js';
import { pushShoot } from '../../src/core/services/push-service.js';
import type { ScopeClearance, ScopeTable } from '../../src/core/services/clearance-service.js';
import { jsonOf, runSitter } from '../helpers/cli.js';
import { seedApprovedShoot, seedProposal } from '../helpers/seed.js';
import { makeWorkspace, type TestWorkspace } from '../helpers/workspace.js';

const DAY = 86_400_000;
const isoDay = (d: Date) => d.toISOString().slice(0, 10);

/**
 * Issue 13, usage clearance, through the real CLI on a real workspace seeded without models:
 * every reason an asset is not cleared, the table by scope, what changed since the last push, and
 * the answer moving with the clock.
 */
describe('sitter clearance', () => {
  let t: TestWorkspace;
  const connector = wrapConnector(createLocalConnector({}));
  const sitter = (...args: string[]) => runSitter(['--workspace', t.root, '--json', ...args]);
  /** face ids by "asset/participant" */
  const faces = new Map<string, number>();

  beforeEach(async () => {
    // Today's clock: the CLI runs with the real one (a workspace seeded months ago would be purged first).
    t = await makeWorkspace(new Date());
    const tomorrow = isoDay(new Date(t.clock.now().getTime() + DAY));
    await seedApprovedShoot(t, 's', [
      { id: 'P1', name: 'Ada Web', consent: 'yes', scopes: 'web;print' },
      { id: 'P2', name: 'Ben Print', consent: 'yes', scopes: 'print' },
      { id: 'P3', name: 'Cleo Photos', consent: 'no', scopes: 'web' },
      { id: 'P4', name: 'Dora Minor', consent: 'yes', scopes: 'web', minor: true, guardian: 'Gus Guardian' },
      { id: 'P5', name: 'Eve Expiring', consent: 'yes', scopes: 'web', expires: tomorrow },
      { id: 'P6', name: 'Finn Leaving', consent: 'yes', scopes: 'web;print' },
    ]);
    const source = join(t.root, '..');
    for (const f of ['a.jpg', 'b.jpg', 'c.jpg', 'd.jpg', 'e.jpg', 'f.jpg', 'g.jpg'])
      await sharp({ create: { width: 64, height: 48, channels: 3, background: '#777' } })
        .jpeg()
        .toFile(join(source, f));
    faces.clear();
    for (const [asset, who, x, decision] of [
      ['a.jpg', 'P1', 0.1, 'confirm'],
      ['b.jpg', 'P1', 0.1, 'confirm'],
      ['b.jpg', 'P2', 0.6, 'confirm'],
      ['c.jpg', 'P1', 0.1, null],
      ['d.jpg', 'P2', 0.1, 'reject'],
      ['e.jpg', 'P4', 0.1, 'confirm'],
      ['f.jpg', 'P5', 0.1, 'confirm'],
      ['g.jpg', 'P6', 0.1, 'confirm'],
    ] as const) {
      const face = await seedProposal(t, 's', asset, who, 0.8, { x, y: 0.1, w: 0.2, h: 0.3 });
      faces.set(`${asset}/${who}`, face.id);
      if (decision) await decideFace(t.ctx, 's', face.id, { kind: decision }, 'Rita');
    }
    // seedProposal stamps the scan with the real time: the push comes after it, as it would.
    t.clock.set(new Date());
    await pushShoot(t.ctx, connector, 's');
  });
  afterEach(async () => {
    await t.cleanup();
  });
  afterAll(async () => {
    await exiftool.end();
  });

  it('--scope web: each asset cleared or not, and every reason why not', async () => {
    expect((await runSitter(['--workspace', t.root, 'withdraw', 's', 'P6'])).code).toBe(0);
    const run = await sitter('clearance', 's', '--scope', 'web');
    expect(run.code, run.stdout).toBe(0);
    const r = jsonOf(run) as unknown as ScopeClearance;
    expect(r).toMatchObject({ shoot: 's', scope: 'web', scopeOnRecord: true, scopesOnRecord: ['print', 'web'] });
    const byAsset = Object.fromEntries(r.assets.map((a) => [a.asset, a]));
    expect(byAsset['a.jpg']).toMatchObject({ cleared: true, people: ['P1'], problems: [] });
    expect(byAsset['b.jpg']).toMatchObject({
      cleared: false,
      people: ['P1'],
      problems: [{ reason: 'scope-missing', face: faces.get('b.jpg/P2'), participant: 'P2', name: 'Ben Print' }],
    });
    expect(byAsset['c.jpg']!.problems).toMatchObject([{ reason: 'face-unreviewed', face: faces.get('c.jpg/P1') }]);
    expect(byAsset['d.jpg']!.problems).toMatchObject([{ reason: 'face-unidentified', participant: null }]);
    // A minor is cleared on the scope their guardian signed.
    expect(byAsset['e.jpg']).toMatchObject({ cleared: true, people: ['P4'] });
    expect(byAsset['f.jpg']).toMatchObject({ cleared: true, people: ['P5'] });
    // The withdrawn person's face is unlinked: the reason is said, the person is not named.
    expect(byAsset['g.jpg']).toMatchObject({
      cleared: false,
      problems: [{ reason: 'consent-withdrawn', participant: null, name: null }],
    });
    expect(r.counts).toMatchObject({ assets: 7, cleared: 3, notCleared: 4 });
    // Cleo said "photos yes, biometrics no" with "web": allowed, but nobody can link her to a face.
    expect(r.notLinked).toEqual([{ participant: 'P3', name: 'Cleo Photos', why: expect.stringMatching(/reviewer/) }]);

    const text = await runSitter(['--workspace', t.root, 'clearance', 's', '--scope', 'web']);
    expect(text.code).toBe(0);
    expect(text.stdout).toMatch(/3 of 7 assets cleared/);
    expect(text.stdout).toMatch(
      /b\.jpg( \*)? +no +face \d+: a person's consent does not include this scope \(P2 Ben Print\)/,
    );
    expect(text.stdout).toMatch(/P3 Cleo Photos: photos only/);
    expect(text.stdout).not.toMatch(/Finn Leaving/);
  });

  it('without --scope: a table of assets by scope', async () => {
    const run = await sitter('clearance', 's');
    expect(run.code, run.stdout).toBe(0);
    const r = jsonOf(run) as unknown as ScopeTable;
    expect(r.scopes).toEqual(['print', 'web']);
    const row = (asset: string) => r.assets.find((a) => a.asset === asset)!.clearance;
    expect(row('b.jpg')).toEqual({
      print: { cleared: true, reasons: [] },
      web: { cleared: false, reasons: ['scope-missing'] },
    });
    expect(row('e.jpg')).toEqual({
      print: { cleared: false, reasons: ['scope-missing'] },
      web: { cleared: true, reasons: [] },
    });
    const text = await runSitter(['--workspace', t.root, 'clearance', 's']);
    expect(text.stdout).toMatch(/^asset +print +web$/m);
    expect(text.stdout).toMatch(/^b\.jpg( \*)? +yes +no: scope-missing$/m);
  });

  it('lists first the assets whose clearance facts changed after their last push', async () => {
    // After the push, a reviewer says the face on b.jpg is not Ben.
    const reject = await runSitter(['--workspace', t.root, 'decide', 's', String(faces.get('b.jpg/P2')), '--reject']);
    expect(reject.code, reject.stdout + reject.stderr).toBe(0);
    const r = jsonOf(await sitter('clearance', 's', '--scope', 'print')) as unknown as ScopeClearance;
    expect(r.assets.map((a) => [a.asset, a.changedSincePush])).toEqual([
      ['b.jpg', true],
      ['a.jpg', false],
      ['c.jpg', false],
      ['d.jpg', false],
      ['e.jpg', false],
      ['f.jpg', false],
      ['g.jpg', false],
    ]);
    expect(r.counts.changedSincePush).toBe(1);
    const text = await runSitter(['--workspace', t.root, 'clearance', 's', '--scope', 'print']);
    expect(text.stdout).toMatch(/^b\.jpg \* +no/m);
    expect(text.stdout).toMatch(/changed since the last push/);
  });

  it('is computed as of now: an expiry tomorrow changes the answer tomorrow', async () => {
    const today = await clearanceForScope(t.ctx, 's', 'web');
    expect(today.assets.find((a) => a.asset === 'f.jpg')).toMatchObject({ cleared: true });
    t.clock.set(new Date(t.clock.now().getTime() + 2 * DAY));
    const later = await clearanceForScope(t.ctx, 's', 'web');
    expect(later.assets.find((a) => a.asset === 'f.jpg')).toMatchObject({
      cleared: false,
      problems: [{ reason: 'consent-expired', participant: 'P5' }],
    });
    // And the DAM (pushed before the expiry) is now out of date for that asset: listed first.
    expect(later.assets[0]).toMatchObject({ asset: 'f.jpg', changedSincePush: true });
  });

  it('a scope nobody signed for is said, and a malformed one is refused', async () => {
    const r = jsonOf(await sitter('clearance', 's', '--scope', 'wbe')) as unknown as ScopeClearance;
    expect(r).toMatchObject({ scopeOnRecord: false, counts: { cleared: 0 } });
    const text = await runSitter(['--workspace', t.root, 'clearance', 's', '--scope', 'wbe']);
    expect(text.stdout).toMatch(/No consent record in this shoot lists "wbe"; scopes on record: print, web/);
    const bad = await sitter('clearance', 's', '--scope', 'web;print');
    expect(bad.code).toBe(2);
    expect(jsonOf(bad)).toMatchObject({ error: { code: 'BAD_SCOPE' } });
    expect(jsonOf(await sitter('clearance', 'nope', '--scope', 'web'))).toMatchObject({
      error: { code: 'SHOOT_NOT_FOUND' },
    });
  });
});
