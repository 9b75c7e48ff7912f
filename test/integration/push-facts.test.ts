import { givenConnector, givenEngine } from '../../src/app/given-providers.js';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { exiftool } from 'exiftool-vendored';
import sharp from 'sharp';
import { afterAll, afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { createLocalConnector } from '../../src/connectors/index.js';
import { contentHashOf } from '../../src/core/domain/content-hash.js';
import type { ExifOrientation } from '../../src/core/domain/orientation.js';
import type { Connector } from '../../src/core/ports/connector.js';
import type { FaceEngine } from '../../src/core/ports/face-engine.js';
import { decideFace } from '../../src/core/services/decision-service.js';
import { pushShoot } from '../../src/core/services/push-service.js';
import { scanShoot } from '../../src/core/services/scan-service.js';
import { jsonOf, runSitter } from '../helpers/cli.js';
import { datedJpeg, seedApprovedShoot, seedProposal, seedTemplate } from '../helpers/seed.js';
import { makeWorkspace, type TestWorkspace } from '../helpers/workspace.js';

/**
 * Counts every image sharp opens in this process (the real sharp does the work): how the test knows
 * whether the local connector decoded a photo during a push.
 */
const opened = vi.hoisted(() => ({ count: 0 }));
vi.mock('sharp', async (importOriginal) => {
  const real = ((await importOriginal()) as { default: typeof sharp }).default;
  const counting = (...args: Parameters<typeof real>) => {
    opened.count += 1;
    return real(...args);
  };
  return { default: Object.assign(counting, real) };
});

type Area = { X: number; Y: number; W: number; H: number };
interface Mwg {
  RegionInfo: { AppliedToDimensions: { W: number; H: number }; RegionList: { Area: Area }[] };
}

/** The face as the engine reports it: relative to the displayed (EXIF-oriented) picture. */
const BOX = { x: 0.1, y: 0.1, w: 0.2, h: 0.3 };
/** BOX in the stored frame of an orientation-6 photo, as an MWG area (centre, size): (u, v) is stored at (v, 1 - u). */
const AREA_6 = { X: 0.1 + 0.3 / 2, Y: 1 - (0.1 + 0.2 / 2), W: 0.3, H: 0.2 };

/**
 * Facts flow once (issue 11): push hands the connector the orientation the engine applied at scan,
 * from the asset record, and the connector maps the boxes with it instead of decoding the photo. Only
 * an asset scanned before Sitter recorded it (orientation null) takes the old path: the file's header.
 */
describe('push carries the facts of the scan', () => {
  let t: TestWorkspace;
  let source = '';
  const sitter = (...args: string[]) => runSitter(['--workspace', t.root, '--json', ...args]);
  /** A 60x40 stored photo, with or without an EXIF orientation tag. */
  const photo = async (name: string, orientation?: ExifOrientation) => {
    const img = sharp({ create: { width: 60, height: 40, channels: 3, background: '#777' } }).jpeg();
    await (orientation ? img.withMetadata({ orientation }) : img).toFile(join(source, name));
  };
  /** A confirmed face on `asset`, whose record says what the scan learnt (or nothing, as before the migration). */
  const confirmed = async (asset: string, facts: { orientation: ExifOrientation | null; w: number; h: number }) => {
    const face = await seedProposal(t, 's', asset, 'P1', 0.8, BOX);
    await t.ws.store.transaction(async (uow) => {
      const a = (await uow.assets.findByConnectorId('s', asset))!;
      a.orientation = facts.orientation;
      a.width = facts.w;
      a.height = facts.h;
    });
    await decideFace(t.ctx, 's', face.id, { kind: 'confirm' }, 'Rita');
  };
  const regionsOf = async (name: string) =>
    ((await exiftool.read(join(source, `${name}.xmp`))) as unknown as Mwg).RegionInfo;
  const expectArea = (got: Area, want: Area) => {
    for (const k of ['X', 'Y', 'W', 'H'] as const) expect(got[k], k).toBeCloseTo(want[k], 6);
  };

  beforeEach(async () => {
    // The CLI runs on the system clock: seed with the real time so the shoot is within its retention.
    t = await makeWorkspace(new Date());
    await seedApprovedShoot(t, 's', [{ id: 'P1', name: 'Ada Model', consent: 'yes' }]);
    source = join(t.root, '..');
    mkdirSync(source, { recursive: true });
  });
  afterEach(async () => {
    await t.cleanup();
  });
  afterAll(async () => {
    await exiftool.end();
  });

  it('sitter push writes regions by the orientation on the asset record, not by the file it could decode', async () => {
    // The file carries no orientation tag (read, it would say 1); the record says the engine turned it (6).
    await photo('turned.jpg');
    await confirmed('turned.jpg', { orientation: 6, w: 40, h: 60 });
    const run = await sitter('push', 's');
    expect(run.code, run.stdout).toBe(0);
    expect(jsonOf(run)).toMatchObject({ written: 1 });
    const mwg = await regionsOf('turned.jpg');
    expect(mwg.AppliedToDimensions).toMatchObject({ W: 60, H: 40 });
    expect(mwg.RegionList).toHaveLength(1);
    expectArea(mwg.RegionList[0]!.Area, AREA_6);
  });

  it('the local connector opens no image during a push when the record has the orientation', async () => {
    await photo('turned.jpg', 6);
    await confirmed('turned.jpg', { orientation: 6, w: 40, h: 60 });
    opened.count = 0;
    const pushed = await pushShoot(t.ctx, createLocalConnector(), 's');
    expect(pushed).toMatchObject({ written: 1, failed: [] });
    expect(opened.count).toBe(0);
    expectArea((await regionsOf('turned.jpg')).RegionList[0]!.Area, AREA_6);
  });

  it('an asset scanned before Sitter recorded orientation (null) is mapped by its file header, as before', async () => {
    await photo('legacy.jpg', 6);
    await confirmed('legacy.jpg', { orientation: null, w: 40, h: 60 });
    opened.count = 0;
    const pushed = await pushShoot(t.ctx, createLocalConnector(), 's');
    expect(pushed).toMatchObject({ written: 1, failed: [] });
    expect(opened.count).toBe(1); // the header, once: the old path, kept only for these assets
    const mwg = await regionsOf('legacy.jpg');
    expect(mwg.AppliedToDimensions).toMatchObject({ W: 60, H: 40 });
    expectArea(mwg.RegionList[0]!.Area, AREA_6);
  });
});

/** Finds one face everywhere and reports the facts of the bytes it was given, as the real engine does. */
const oneFaceEngine: FaceEngine = {
  model: { id: 'fixed', versions: {}, files: [], digest: 'fixed-digest' },
  analyse: (bytes) =>
    Promise.resolve({
      image: { width: 32, height: 32, orientation: 1, contentHash: contentHashOf(bytes), format: 'jpeg' },
      faces: [{ box: BOX, score: 0.9, landmarks: {}, embedding: Float32Array.from([0.3, 0.4, 0.5]) }],
    }),
  close: () => Promise.resolve(),
};

describe('the content hash on the record is the one of what the engine analysed', () => {
  let t: TestWorkspace;
  let photos = '';
  const scan = (connector: Connector) =>
    scanShoot(
      t.ctx,
      {
        connectors: givenConnector(connector),
        engines: givenEngine(oneFaceEngine, { modelDigest: 'fixed-digest', threshold: 0.5, margin: 0.1 }),
      },
      's',
    );
  const assetRow = () => t.ws.store.transaction(async (uow) => (await uow.assets.findByConnectorId('s', 'a.jpg'))!);

  beforeEach(async () => {
    t = await makeWorkspace(new Date());
    photos = join(t.root, '..', 'photos');
    mkdirSync(photos);
    await seedApprovedShoot(t, 's', [{ id: 'P1', name: 'Ada Model', consent: 'yes' }], 1, photos);
    await seedTemplate(t, 's', 'P1', [0.3, 0.4, 0.5], 'fixed-digest');
    writeFileSync(join(photos, 'a.jpg'), await datedJpeg());
  });
  afterEach(async () => {
    await t.cleanup();
  });

  it('a connector whose fetch misreports the hash fails the asset, named, and nothing of it is recorded', async () => {
    const local = createLocalConnector();
    const misreporting: Connector = {
      ...local,
      fetch: async (source, id) => ({ ...(await local.fetch(source, id)), contentHash: `sha256:${'0'.repeat(64)}` }),
    };
    const summary = await scan(misreporting);
    expect(summary.failed).toEqual([expect.objectContaining({ asset: 'a.jpg', code: 'CONNECTOR_CONTENT_HASH_WRONG' })]);
    expect(summary.failed[0]!.message).toMatch(/^Connector "local" said "a\.jpg" is sha256:0{64}, but the bytes/);
    const asset = await assetRow();
    expect(asset).toMatchObject({ scanState: 'failed', contentSha256: null, orientation: null });
    expect(await t.ws.store.transaction((uow) => uow.faces.listByShootWithoutEmbeddings('s'))).toEqual([]);
  });

  it('an honest connector: the record keeps the hash the engine reported, which push hands back', async () => {
    await scan(createLocalConnector());
    const asset = await assetRow();
    expect(asset).toMatchObject({ scanState: 'scanned', orientation: 1 });
    expect(asset.contentSha256).toBe(contentHashOf(readFileSync(join(photos, 'a.jpg'))));
    // push hands it back as expectedContentHash: the local connector, which hashes the file, accepts it
    const [face] = await t.ws.store.transaction((uow) => uow.faces.listByShootWithoutEmbeddings('s'));
    expect(face).toMatchObject({ state: 'proposed' });
    await decideFace(t.ctx, 's', face!.id, { kind: 'confirm' }, 'Rita');
    expect(await pushShoot(t.ctx, createLocalConnector(), 's')).toMatchObject({ written: 1, failed: [] });
  });
});
