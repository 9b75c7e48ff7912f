import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PAIRS, pairTrial } from '../../scripts/campaign/cases/concurrency.js';
import { CRASH_TARGETS, crashCase } from '../../scripts/campaign/cases/crash.js';
import { hostileScan, PEAK_MB_LIMIT, writeHostileSet } from '../../scripts/campaign/cases/hostile-images.js';
import { keysNeverPrinted, noSocketDuringScan, ownerOnlyUnderUmask } from '../../scripts/campaign/cases/security.js';
import { campaignContext } from '../../scripts/campaign/lib/context.js';

/**
 * The quick cases of the reliability campaign (docs/reliability.md), through the same modules as
 * `npm run campaign`: one kill -9 per command, one concurrent pair, one hostile image set, the security
 * checks. Real processes, real files, the real models; the long counts are the campaign's.
 */
describe('reliability campaign, quick cases', () => {
  const ctx = campaignContext({ trials: 1, seed: 7 });
  beforeAll(async () => {
    await ctx.baseline();
  }, 300_000);
  afterAll(() => ctx.dispose());

  for (const target of CRASH_TARGETS) {
    it(`kill -9 during ${target.name}: integrity ok, chain verifies, no half-written sidecar, a rerun reaches the uninterrupted state`, async () => {
      const row = await crashCase(ctx, target, 1);
      expect(row.passed, row.notes.join('; ')).toBe(row.runs);
    }, 240_000);
  }

  it('push and withdraw at once: no corruption, no broken chain, clear messages', async () => {
    const pair = PAIRS.find((p) => p.name === 'push + withdraw')!;
    const { problems } = await pairTrial(ctx, pair, 500);
    expect(problems).toEqual([]);
  }, 120_000);

  it(`hostile images are analysed or recorded with a reason; the scan stays under ${PEAK_MB_LIMIT} MB`, async () => {
    const set = await writeHostileSet(`${ctx.workDir}/hostile`, false);
    const { problems, observation } = await hostileScan(await ctx.baseline(), set);
    expect(problems, observation).toEqual([]);
  }, 300_000);

  it('workspace 0700 and files 0600 under umask 000', async () => {
    expect(await ownerOnlyUnderUmask(ctx, '000')).toEqual([]);
  }, 120_000);

  it('a local scan opens no network socket (preload refusing every Node network API, and strace where present)', async () => {
    const { problems } = await noSocketDuringScan(ctx);
    expect(problems).toEqual([]);
  }, 180_000);

  it('key material never appears in any command output, debug stacks included', async () => {
    expect(await keysNeverPrinted(ctx)).toEqual([]);
  }, 120_000);
});
