/**
 * The request budget of issue 12 ("Measured"), as targets: a scan of a 60-photo Asset Bank shoot through
 * the real application layer (the shoot's stored options and secrets, the session's budget registry,
 * the wrapped connector, the real scan service) against the fake Asset Bank, which counts every request
 * and enforces its own rate limit. The face engine is the recording one: the budget does not depend on
 * what a model finds.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { shootConnectorsIn } from '../../src/app/connector-provider.js';
import { givenEngine } from '../../src/app/given-providers.js';
import { scanShoot, type ScanSummary } from '../../src/core/services/scan-service.js';
import { FAKE_AB, startFakeAssetBank, type FakeAssetBank, type FakeAssetBankStats } from '../fakes/asset-bank/index.js';
import { assetBankShootOptions } from '../helpers/asset-bank.js';
import { recordingEngine, TEST_CALIBRATION } from '../helpers/fake-engine.js';
import { seedApprovedShoot, seedTemplate } from '../helpers/seed.js';
import { makeWorkspace, type TestWorkspace } from '../helpers/workspace.js';

const ASSETS = 60;
/** The fake's own limit and the connector's budget: a dedicated server's 15 requests per second. */
const PER_SECOND = 15;

/** Requests a scan made, by difference of the fake's counters. */
function delta(before: FakeAssetBankStats, after: FakeAssetBankStats) {
  const route = (r: keyof FakeAssetBankStats['byRoute']) => (after.byRoute[r] ?? 0) - (before.byRoute[r] ?? 0);
  return {
    requests: after.requests - before.requests,
    perAsset: route('asset') + route('content') + route('transform') + route('put'),
    search: route('search'),
    rateLimited: after.rateLimited - before.rateLimited,
    downloads: after.contentRequests - before.contentRequests,
  };
}

describe('asset-bank request budget (60 assets, the fake counting)', () => {
  let fake: FakeAssetBank;
  let t: TestWorkspace;
  let first: { summary: ScanSummary; cost: ReturnType<typeof delta> };
  let rescan: { summary: ScanSummary; cost: ReturnType<typeof delta> };
  const env = { SITTER_SECRET_AB_CLIENT: FAKE_AB.clientSecret, SITTER_SECRET_AB_PW: FAKE_AB.users.archivist.password };

  /** One scan as `sitter scan` runs it: a fresh session (budget registry, connector, token) each time. */
  const scan = async () => {
    const before = fake.stats();
    const summary = await scanShoot(
      t.ctx,
      { connectors: await shootConnectorsIn(t.root), engines: givenEngine(recordingEngine(), TEST_CALIBRATION) },
      's',
    );
    return { summary, cost: delta(before, fake.stats()) };
  };

  beforeAll(async () => {
    Object.assign(process.env, env);
    fake = await startFakeAssetBank({ limitPerSecond: PER_SECOND });
    await fake.seedShoot({ count: ASSETS });
    t = await makeWorkspace(new Date());
    await seedApprovedShoot(
      t,
      's',
      [{ id: 'P1', name: 'Ada Model', consent: 'yes' }],
      1,
      `folder:${FAKE_AB.folders.shoot}`,
      { from: '2026-05-30', to: '2026-06-02', utcOffset: '+00:00' },
      {
        name: 'asset-bank',
        options: assetBankShootOptions(
          fake,
          { clientSecret: 'AB_CLIENT', password: 'AB_PW' },
          { requestsPerSecond: PER_SECOND, concurrency: 4 },
        ),
      },
    );
    await seedTemplate(t, 's', 'P1', [1, 0, 0], TEST_CALIBRATION.modelDigest);
    first = await scan();
    // Each `sitter scan` is a process of its own with its own budget: as between two commands, the
    // first session's last second is over before the second one starts.
    await new Promise((resolve) => setTimeout(resolve, 1100));
    rescan = await scan();
  }, 120_000);
  afterAll(async () => {
    for (const k of Object.keys(env)) delete process.env[k];
    await t?.cleanup();
    await fake?.close();
  });

  it('a first scan makes at most 2 requests per asset', () => {
    expect(first.summary.failed).toEqual([]);
    expect(first.summary.processed).toBe(ASSETS);
    expect(first.cost.downloads).toBe(ASSETS);
    // Everything the Asset Bank server answered, sign-in, discovery and listing included.
    expect(first.cost.requests / ASSETS).toBeLessThanOrEqual(2);
    expect(first.cost.perAsset).toBeLessThanOrEqual(ASSETS);
  });

  it('a rescan of unchanged assets makes no per-asset request', () => {
    expect(rescan.summary.failed).toEqual([]);
    expect(rescan.summary.processed).toBe(0);
    expect(rescan.summary.unchanged).toBe(ASSETS);
    expect(rescan.cost.perAsset).toBe(0);
    expect(rescan.cost.downloads).toBe(0);
    // What is left is the session's fixed cost and the listing: one window per 100 assets and its probe.
    expect(rescan.cost.search).toBeLessThanOrEqual(Math.ceil(ASSETS / 100) + 1);
    expect(rescan.cost.requests).toBeLessThan(10);
  });

  it('a clean run never meets a 429', () => {
    expect(first.cost.rateLimited + rescan.cost.rateLimited).toBe(0);
    expect(fake.stats().authorizationLeaks).toBe(0);
  });
});
