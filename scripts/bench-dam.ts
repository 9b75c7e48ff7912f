/**
 * What a shoot on Asset Bank costs in requests, time and bytes (issue 12, "Measured"), against the fake
 * Asset Bank on this machine (it counts every request and keeps its own limit of 15 per second):
 *
 *   npm run bench:dam [-- --assets 500 --rates 15,2]
 *
 * The shoot holds `--assets` photos, made from 10 generated 6000×4000 JPEGs, each copy unique by a
 * comment (COM) segment. The face engine is synthetic (one face per photo, the same person everywhere),
 * so the time measured is Sitter's requests and the budget, not a model. At the first rate: a first
 * scan, an unchanged rescan, a push of every photo and a withdrawal of the person; at each other rate, a
 * first scan only (its wall time). Bytes per asset: the scan's 2048-px previews, and the originals of a
 * sample fetched through the same connector. Prints a table and, last, one JSON object.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { availableParallelism, tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import sharp from 'sharp';
import { makeShootConnector, shootConnectorsIn } from '../src/app/connector-provider.js';
import { givenEngine } from '../src/app/given-providers.js';
import { BudgetRegistry } from '../src/connectors/http/budget.js';
import { parseConsentFile } from '../src/core/consent/index.js';
import { contentHashOf } from '../src/core/domain/content-hash.js';
import { systemClock } from '../src/core/ports/clock.js';
import type { FaceAnalysis, FaceEngine, MatchCalibration } from '../src/core/ports/face-engine.js';
import { importConsent } from '../src/core/services/consent-service.js';
import { requireShoot, type ServiceContext } from '../src/core/services/context.js';
import { decideFace } from '../src/core/services/decision-service.js';
import { enrolShoot } from '../src/core/services/enrol-service.js';
import { pushShoot } from '../src/core/services/push-service.js';
import { scanShoot } from '../src/core/services/scan-service.js';
import { approveShoot, createShoot } from '../src/core/services/shoot-service.js';
import { withdrawConsent } from '../src/core/services/withdraw-service.js';
import { consentFileAccessFor, readConsentFile } from '../src/core/store/files/consent-files.js';
import { fsFileReader } from '../src/core/store/files/file-reader.js';
import { initWorkspace, openWorkspace } from '../src/core/store/workspace.js';
import {
  FAKE_AB,
  startFakeAssetBank,
  type FakeAssetBank,
  type FakeAssetBankStats,
} from '../test/fakes/asset-bank/index.js';
import { assetBankShootOptions } from '../test/helpers/asset-bank.js';
import { pngBytes, writeConsentFolder } from '../test/helpers/consent-fixture.js';

const { values } = parseArgs({
  options: { assets: { type: 'string', default: '500' }, rates: { type: 'string', default: '15,2' } },
});
const ASSETS = Math.max(1, Number(values.assets));
const RATES = (values.rates ?? '15,2').split(',').map(Number);
const SAMPLE = Math.min(20, ASSETS);
const A = FAKE_AB.attributes;
const SHOOT = 'bench';

/** One face per photo, always the same person: what the scan, push and withdrawal need, without a model. */
const CALIBRATION: MatchCalibration = { modelDigest: 'synthetic', threshold: 0.5, margin: 0.1 };
const syntheticEngine: FaceEngine = {
  model: { id: 'synthetic', versions: {}, files: [], digest: 'synthetic' },
  async analyse(bytes: Uint8Array): Promise<FaceAnalysis> {
    const { width = 1, height = 1, format = 'jpeg' } = await sharp(bytes).metadata();
    return {
      image: { width, height, orientation: 1, contentHash: contentHashOf(bytes), format },
      faces: [
        {
          box: { x: 0.4, y: 0.3, w: 0.2, h: 0.3 },
          score: 0.99,
          landmarks: {},
          embedding: Float32Array.from([1, 0, 0]),
        },
      ],
    };
  },
  async close() {},
};

/** A 6000×4000 JPEG with a photo-like size (noise upscaled 2×: grain, not static), different per seed. */
async function basePhoto(seed: number): Promise<Buffer> {
  const [width, height] = [3000, 2000];
  const noise = await sharp({
    create: {
      width,
      height,
      channels: 3,
      background: '#808080',
      noise: { type: 'gaussian', mean: 96 + seed * 6, sigma: 40 },
    },
  })
    .raw()
    .toBuffer();
  return sharp(noise, { raw: { width, height, channels: 3 } })
    .resize(6000, 4000)
    .jpeg({ quality: 85 })
    .toBuffer();
}

/** The base with a COM segment right after SOI: a different file (and sha256), the same picture. */
function unique(base: Buffer, n: number): Uint8Array {
  const text = Buffer.from(`sitter bench asset ${n}`);
  const com = Buffer.from([0xff, 0xfe, (text.length + 2) >> 8, (text.length + 2) & 0xff]);
  return new Uint8Array(Buffer.concat([base.subarray(0, 2), com, text, base.subarray(2)]));
}

function delta(before: FakeAssetBankStats, after: FakeAssetBankStats) {
  return {
    requests: after.requests - before.requests,
    rateLimited: after.rateLimited - before.rateLimited,
    contentBytes: after.contentBytes - before.contentBytes,
    contentRequests: after.contentRequests - before.contentRequests,
  };
}

async function timed<T>(fake: FakeAssetBank, work: () => Promise<T>) {
  const before = fake.stats();
  const t0 = performance.now();
  const result = await work();
  return { result, seconds: (performance.now() - t0) / 1000, ...delta(before, fake.stats()) };
}

/** A workspace with an approved, enrolled shoot on the fake at `rate` requests per second. */
async function shootAt(fake: FakeAssetBank, root: string, rate: number) {
  const dir = join(root, `ws-${rate}`);
  await initWorkspace(dir);
  const ws = await openWorkspace(dir);
  const ctx: ServiceContext = { store: ws.store, clock: systemClock, keyVault: ws.keyVault, actor: 'bench' };
  await createShoot(ctx, {
    id: SHOOT,
    name: SHOOT,
    purpose: 'benchmark',
    source: `folder:${FAKE_AB.folders.shoot}`,
    retentionDays: 1,
    connector: 'asset-bank',
    connectorOptions: assetBankShootOptions(
      fake,
      { clientSecret: 'BENCH_AB_CLIENT', password: 'BENCH_AB_PW' },
      { requestsPerSecond: rate },
    ),
    reviewersRequired: 1,
    from: '2026-05-01',
    to: '2026-06-30',
    utcOffset: '+00:00',
  });
  const file = writeConsentFolder(join(root, `consent-${rate}`), [
    { id: 'P1', name: 'Bench Person', consent: 'yes', scopes: 'all', photo: await pngBytes(1) },
  ]);
  await importConsent(
    ctx,
    SHOOT,
    await parseConsentFile(await readConsentFile(file), consentFileAccessFor(file)),
    file,
  );
  await approveShoot(ctx, SHOOT, 'BENCH', 'bench');
  const engines = givenEngine(syntheticEngine, CALIBRATION);
  await enrolShoot(ctx, { engines, files: fsFileReader }, SHOOT);
  // As `sitter scan` runs it: one fetch more in flight than the engine has workers (app/use-cases/scan.ts).
  const scan = async () =>
    scanShoot(ctx, { connectors: await shootConnectorsIn(dir), engines }, SHOOT, {
      concurrency: availableParallelism() + 1,
    });
  /** the shoot's connector as one command makes it (its own budget), closed after `work` */
  const withConnector = async <T>(work: (c: Awaited<ReturnType<typeof makeShootConnector>>) => Promise<T>) => {
    const shoot = await ctx.store.transaction((uow) => requireShoot(uow, SHOOT));
    const connector = await makeShootConnector(shoot, dir, new BudgetRegistry());
    try {
      return await work(connector);
    } finally {
      await connector.close?.();
    }
  };
  return { ctx, ws, scan, withConnector };
}

const secondsBetweenCommands = () => new Promise((resolve) => setTimeout(resolve, 1100));

Object.assign(process.env, {
  SITTER_SECRET_BENCH_AB_CLIENT: FAKE_AB.clientSecret,
  SITTER_SECRET_BENCH_AB_PW: FAKE_AB.users.archivist.password,
});
const root = mkdtempSync(join(tmpdir(), 'sitter-bench-dam-'));
const fake = await startFakeAssetBank({ limitPerSecond: 15, cacheTransforms: true });
const t0 = performance.now();
const bases = [];
for (let i = 0; i < 10; i++) bases.push(await basePhoto(i));
for (let n = 0; n < ASSETS; n++)
  fake.addAsset({
    originalFilename: `IMG_${String(n + 1).padStart(4, '0')}.jpg`,
    bytes: unique(bases[n % 10]!, n),
    accessLevelIds: [FAKE_AB.folders.shoot],
    values: { [A.shootId]: FAKE_AB.shootId, [A.dateTaken]: '01/06/2026 10:00:00' },
  });
const meanOriginal = bases.reduce((n, b) => n + b.length, 0) / bases.length;
console.error(
  `${ASSETS} assets from 10 generated 6000x4000 JPEGs (${(meanOriginal / 1e6).toFixed(1)} MB each) in ${((performance.now() - t0) / 1000).toFixed(0)} s`,
);

const perAsset = (n: number) => +(n / ASSETS).toFixed(3);
const result: Record<string, unknown> = { assets: ASSETS, serverLimitPerSecond: 15 };
const scanSeconds: Record<string, number> = {};
for (const [i, rate] of RATES.entries()) {
  const s = await shootAt(fake, root, rate);
  const first = await timed(fake, s.scan);
  if (first.result.processed !== ASSETS || first.result.failed.length)
    throw new Error(`the first scan at ${rate} req/s processed ${first.result.processed} of ${ASSETS}`);
  scanSeconds[String(rate)] = +first.seconds.toFixed(1);
  console.error(
    `first scan at ${rate} req/s: ${first.seconds.toFixed(1)} s, ${first.requests} requests, ${first.rateLimited} 429s`,
  );
  if (i === 0) {
    await secondsBetweenCommands();
    const rescan = await timed(fake, s.scan);
    const faces = await s.ctx.store.transaction((uow) => uow.faces.listByShoot(SHOOT));
    for (const f of faces.filter((x) => x.state === 'proposed'))
      await decideFace(s.ctx, SHOOT, f.id, { kind: 'confirm' }, 'bench');
    await secondsBetweenCommands();
    const push = await timed(fake, () => s.withConnector((c) => pushShoot(s.ctx, c, SHOOT)));
    if (push.result.written !== ASSETS) throw new Error(`push wrote ${push.result.written} of ${ASSETS}`);
    await secondsBetweenCommands();
    const withdrawal = await timed(fake, () => s.withConnector((c) => withdrawConsent(s.ctx, c, SHOOT, 'P1')));
    await secondsBetweenCommands();
    const originals = await timed(fake, () =>
      s.withConnector(async (c) => {
        const source = `folder:${FAKE_AB.folders.shoot}`;
        const { assets } = await c.list(source);
        for (const a of assets.slice(0, SAMPLE)) await c.fetch(source, a.id, { rendition: 'original' });
      }),
    );
    Object.assign(result, {
      rate,
      requestsPerAsset: {
        firstScan: perAsset(first.requests),
        unchangedRescan: perAsset(rescan.requests),
        push: perAsset(push.requests),
        withdrawal: perAsset(withdrawal.requests),
      },
      requests: {
        firstScan: first.requests,
        unchangedRescan: rescan.requests,
        push: push.requests,
        withdrawal: withdrawal.requests,
      },
      downloads: { firstScan: first.contentRequests, unchangedRescan: rescan.contentRequests },
      seconds: {
        unchangedRescan: +rescan.seconds.toFixed(1),
        push: +push.seconds.toFixed(1),
        withdrawal: +withdrawal.seconds.toFixed(1),
      },
      verifiedInSource: withdrawal.result.verifiedInSource,
      bytesPerAsset: {
        preview2048: Math.round(first.contentBytes / ASSETS),
        original: Math.round(originals.contentBytes / SAMPLE),
      },
      rateLimited: first.rateLimited + rescan.rateLimited + push.rateLimited + withdrawal.rateLimited,
    });
  }
  await s.ws.close();
}
result.firstScanSeconds = scanSeconds;
await fake.close();
rmSync(root, { recursive: true, force: true });

const r = result as {
  requestsPerAsset: Record<string, number>;
  bytesPerAsset: { preview2048: number; original: number };
};
console.log(
  `requests per asset: first scan ${r.requestsPerAsset.firstScan}, unchanged rescan ${r.requestsPerAsset.unchangedRescan}, push ${r.requestsPerAsset.push}, withdrawal ${r.requestsPerAsset.withdrawal}`,
);
console.log(
  `first scan of ${ASSETS} assets: ${Object.entries(scanSeconds)
    .map(([k, v]) => `${v} s at ${k} req/s`)
    .join(', ')}`,
);
console.log(
  `bytes per asset: ${(r.bytesPerAsset.preview2048 / 1e6).toFixed(2)} MB as a 2048-px preview, ${(r.bytesPerAsset.original / 1e6).toFixed(2)} MB as the original`,
);
console.log(JSON.stringify(result));
