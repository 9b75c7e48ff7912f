import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import sharp from 'sharp';
import { exiftool } from 'exiftool-vendored';
import { afterAll, afterEach, beforeEach, describe, expect, it } from 'vitest';
import { openSession } from '../../src/app/session.js';
import { push } from '../../src/app/use-cases/push.js';
import { FixedClock } from '../../src/core/ports/clock.js';
import { decideFace } from '../../src/core/services/decision-service.js';
import type { PushSummary } from '../../src/core/services/push-service.js';
import { jsonOf, runSitter } from '../helpers/cli.js';
import { seedApprovedShoot, seedProposal } from '../helpers/seed.js';
import { makeWorkspace, type TestWorkspace } from '../helpers/workspace.js';

const DAY = 86_400_000;
type Raw = Record<string, unknown>;

/** Every XMP tag of a sidecar as ExifTool reads it, structures kept. */
async function xmpOf(file: string): Promise<Raw> {
  return (await exiftool.readRaw(file, ['-struct', '-n', '-XMP:all'])) as Raw;
}

/** The PublicationScopes of each PersonInImageWDetails entry, by name. */
function scopesByName(tags: Raw): Record<string, unknown> {
  const details = (tags.PersonInImageWDetails ?? []) as { PersonName?: unknown; PublicationScopes?: unknown }[];
  return Object.fromEntries(details.map((d) => [String(d.PersonName), d.PublicationScopes]));
}

/**
 * Issue 13: push writes the asset's clearance per scope and each person's scopes next to the release
 * fields, through the real CLI on a real workspace seeded without models, read back by ExifTool; the
 * next push after an expiry (an injected clock) writes the new answer and says why.
 */
describe('push writes the clearance and the scopes per person', () => {
  let t: TestWorkspace;
  let source = '';
  const sitter = (...args: string[]) => runSitter(['--workspace', t.root, '--json', ...args]);
  let tomorrow: Date;

  beforeEach(async () => {
    // Today's clock: the CLI runs with the real one.
    t = await makeWorkspace(new Date());
    tomorrow = new Date(Math.ceil(t.clock.now().getTime() / DAY) * DAY + DAY);
    await seedApprovedShoot(t, 's', [
      { id: 'P1', name: 'Ada Web', consent: 'yes', scopes: 'web;print' },
      { id: 'P2', name: 'Ben Print', consent: 'yes', scopes: 'print' },
      { id: 'P5', name: 'Eve Expiring', consent: 'yes', scopes: 'web', expires: tomorrow.toISOString().slice(0, 10) },
    ]);
    source = join(t.root, '..');
    for (const f of ['a.jpg', 'b.jpg', 'c.jpg'])
      await sharp({ create: { width: 64, height: 48, channels: 3, background: '#777' } })
        .jpeg()
        .toFile(join(source, f));
    for (const [asset, who, x, decide] of [
      ['a.jpg', 'P1', 0.1, true],
      ['a.jpg', 'P5', 0.6, true],
      ['b.jpg', 'P1', 0.1, true],
      ['b.jpg', 'P2', 0.6, true],
      ['c.jpg', 'P1', 0.1, true],
      ['c.jpg', 'P2', 0.6, false],
    ] as const) {
      const face = await seedProposal(t, 's', asset, who, 0.8, { x, y: 0.1, w: 0.2, h: 0.3 });
      if (decide) await decideFace(t.ctx, 's', face.id, { kind: 'confirm' }, 'Rita');
    }
  });
  afterEach(async () => {
    await t.cleanup();
  });
  afterAll(async () => {
    await exiftool.end();
  });

  it('sitter:Clearance per scope and sitter:PublicationScopes per person, read back by ExifTool; a second push changes nothing', async () => {
    const run = await sitter('push', 's');
    expect(run.code, run.stdout + run.stderr).toBe(0);
    const s = jsonOf(run) as unknown as PushSummary;
    expect(s).toMatchObject({ written: 3, broughtUpToDate: { assets: 3, why: { 'first-push': 3 } } });
    expect(s.updated.every((u) => u.why?.join() === 'first-push')).toBe(true);

    const a = await xmpOf(join(source, 'a.jpg.xmp'));
    // Eve's consent ends tomorrow: cleared for the web until then; nobody gave print for her.
    expect(a.Clearance).toEqual([
      { Scope: 'print', Cleared: false, Reasons: ['scope-missing'] },
      // Written as an XMP date (ISO 8601); ExifTool shows XMP dates in its own form.
      { Scope: 'web', Cleared: true, Until: tomorrow.toISOString().replace(/^(\d{4})-(\d\d)-(\d\d)T/, '$1:$2:$3 ') },
    ]);
    expect(readFileSync(join(source, 'a.jpg.xmp'), 'utf8')).toContain(
      `<sitter:Until>${tomorrow.toISOString()}</sitter:Until>`,
    );
    expect(scopesByName(a)).toEqual({ 'Ada Web': ['print', 'web'], 'Eve Expiring': ['web'] });
    // By default (peopleTags none) no name goes into the tools' tags or keywords.
    expect([a.TagsList, a.HierarchicalSubject, a.Subject]).toEqual([undefined, undefined, undefined]);
    const b = await xmpOf(join(source, 'b.jpg.xmp'));
    expect(b.Clearance).toEqual([
      { Scope: 'print', Cleared: true },
      { Scope: 'web', Cleared: false, Reasons: ['scope-missing'] },
    ]);
    // An unconfirmed face keeps the asset from every use, as `sitter clearance` says.
    const c = await xmpOf(join(source, 'c.jpg.xmp'));
    expect(c.Clearance).toEqual([
      { Scope: 'print', Cleared: false, Reasons: ['face-unreviewed'] },
      { Scope: 'web', Cleared: false, Reasons: ['face-unreviewed'] },
    ]);
    // ExifTool's flat output (-G1) runs every scope's reasons into one list, no longer per scope (the
    // command line without -a even shows the first scope's only). The summary line keeps each scope's
    // answer and reasons together, whole.
    const flat = async (f: string, ...args: string[]) =>
      (await exiftool.readRaw(join(source, f), ['-G1', ...args, '-XMP-sitter:all'])) as Raw;
    expect((await flat('c.jpg.xmp'))['XMP-sitter:ClearanceReasons']).toEqual(['face-unreviewed', 'face-unreviewed']);
    expect((await flat('a.jpg.xmp'))['XMP-sitter:ClearanceSummary']).toBe(
      `print: not cleared (scope-missing); web: cleared until ${tomorrow.toISOString()}`,
    );
    expect((await flat('b.jpg.xmp'))['XMP-sitter:ClearanceSummary']).toBe(
      'print: cleared; web: not cleared (scope-missing)',
    );
    expect((await flat('c.jpg.xmp', '-a'))['XMP-sitter:ClearanceSummary']).toBe(
      'print: not cleared (face-unreviewed); web: not cleared (face-unreviewed)',
    );
    const web = jsonOf(await sitter('clearance', 's', '--scope', 'web')) as {
      assets: { asset: string; cleared: boolean }[];
    };
    expect(web.assets.map((x) => [x.asset, x.cleared]).sort()).toEqual([
      ['a.jpg', true],
      ['b.jpg', false],
      ['c.jpg', false],
    ]);
    for (const f of ['a.jpg.xmp', 'b.jpg.xmp', 'c.jpg.xmp']) {
      const v = await exiftool.readRaw(join(source, f), ['-validate', '-warning', '-a']);
      expect(v.Validate, f).toBe('OK');
    }

    const again = await runSitter(['--workspace', t.root, 'push', 's']);
    expect(again.code).toBe(0);
    expect(again.stdout).toMatch(/3 unchanged/);
    expect(again.stdout).toMatch(/Brought up to date: none/);
  });

  it('an expiry tomorrow changes what the next push writes, and the summary says why (injected clock)', async () => {
    const first = await runSitter(['--workspace', t.root, 'push', 's']);
    expect(first.code, first.stderr).toBe(0);
    expect(first.stdout).toMatch(/Brought up to date: 3 assets \(first push: 3\)/);

    // The day after tomorrow, through the same use case the CLI calls, with the clock moved on.
    const session = await openSession(t.root, { clock: new FixedClock(new Date(tomorrow.getTime() + DAY)) });
    let s: PushSummary;
    try {
      s = await push(session, 's');
    } finally {
      await session.close();
    }
    expect(s.heldBack).toEqual([{ asset: 'a.jpg', participant: 'P5', consent: 'expired' }]);
    expect(s.broughtUpToDate).toEqual({ assets: 1, why: { 'consent-expired': 1 } });
    expect(s.updated.find((u) => u.asset === 'a.jpg')).toMatchObject({ action: 'written', why: ['consent-expired'] });
    expect(s.updated.find((u) => u.asset === 'b.jpg')).toMatchObject({ action: 'unchanged' });

    const a = await xmpOf(join(source, 'a.jpg.xmp'));
    expect(a.PersonInImage).toEqual(['Ada Web']);
    expect(a.Clearance).toEqual([
      { Scope: 'print', Cleared: false, Reasons: ['consent-expired'] },
      { Scope: 'web', Cleared: false, Reasons: ['consent-expired'] },
    ]);
    expect(a.ClearanceSummary).toBe('print: not cleared (consent-expired); web: not cleared (consent-expired)');
    expect(scopesByName(a)).toEqual({ 'Ada Web': ['print', 'web'] });
  });

  it('on a closed shoot push is refused and names its withdrawal part, which still runs', async () => {
    expect((await sitter('push', 's')).code).toBe(0);
    expect((await sitter('shoot', 'close', 's', '--yes')).code).toBe(0);
    const refused = await sitter('push', 's');
    expect(refused.code).toBe(1);
    expect(jsonOf(refused)).toMatchObject({
      error: { code: 'SHOOT_CLOSED', hint: expect.stringContaining('sitter push s --withdrawals') },
    });
    const withdrawals = await sitter('push', 's', '--withdrawals');
    expect(withdrawals.code, withdrawals.stdout).toBe(0);
    expect(jsonOf(withdrawals)).toMatchObject({ unchanged: 3, broughtUpToDate: { assets: 0 } });
  });

  it('a withdrawal rewrites the clearance; the last person taken off takes it out with everything else', async () => {
    expect((await runSitter(['--workspace', t.root, 'push', 's'])).code).toBe(0);
    const w = await runSitter(['--workspace', t.root, 'withdraw', 's', 'P5']);
    expect(w.code, w.stdout + w.stderr).toBe(0);
    const a = await xmpOf(join(source, 'a.jpg.xmp'));
    expect(a.PersonInImage).toEqual(['Ada Web']);
    expect(a.Clearance).toEqual([
      { Scope: 'print', Cleared: false, Reasons: ['consent-withdrawn'] },
      { Scope: 'web', Cleared: false, Reasons: ['consent-withdrawn'] },
    ]);
    expect(a.ClearanceSummary).toBe('print: not cleared (consent-withdrawn); web: not cleared (consent-withdrawn)');
    expect(JSON.stringify(a)).not.toMatch(/Eve Expiring/);

    // Withdrawing everyone on b.jpg leaves no trace of Sitter: the file Sitter created is gone.
    for (const p of ['P1', 'P2']) expect((await runSitter(['--workspace', t.root, 'withdraw', 's', p])).code).toBe(0);
    expect(existsSync(join(source, 'b.jpg.xmp'))).toBe(false);
    expect(existsSync(join(source, 'a.jpg.xmp'))).toBe(false);
  });
});
