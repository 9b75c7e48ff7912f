import { hostname } from 'node:os';
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import sharp from 'sharp';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { givenConnector, givenEngine } from '../../src/app/given-providers.js';
import { builtinRegistry } from '../../src/connectors/registry.js';
import { parseConsentFile } from '../../src/core/consent/index.js';
import { templateBinding } from '../../src/core/domain/seal-binding.js';
import { contentHashOf } from '../../src/core/domain/content-hash.js';
import { decodeImage } from '../../src/core/engine/decode.js';
import type { FaceEngine } from '../../src/core/ports/face-engine.js';
import { importConsent } from '../../src/core/services/consent-service.js';
import { retryWhileLocked } from '../../src/core/services/retry-locked.js';
import { scanShoot } from '../../src/core/services/scan-service.js';
import { approveShoot, createShoot } from '../../src/core/services/shoot-service.js';
import { consentFileAccessFor, readConsentFile } from '../../src/core/store/files/consent-files.js';
import { FileKeyVault } from '../../src/core/store/key-vault-file.js';
import { acquireScanLock } from '../../src/core/store/scan-lock.js';
import { pngBytes, writeConsentFolder } from '../helpers/consent-fixture.js';
import { withRawDb } from '../helpers/raw-db.js';
import { datedJpeg, SEED_SHOOT_DAYS, seedTemplate } from '../helpers/seed.js';
import { makeWorkspace, type TestWorkspace } from '../helpers/workspace.js';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const VECTOR = Float32Array.from({ length: 8 }, (_, i) => (i + 1) / 10);

/** A face engine that finds one face, the same everywhere: the lock behaviour does not depend on the model. */
const oneFaceEngine: FaceEngine = {
  model: { id: 'fixed', versions: {}, files: [], digest: 'fixed-digest' },
  analyse: (bytes) =>
    Promise.resolve({
      image: { width: 16, height: 16, orientation: 1, contentHash: contentHashOf(bytes), format: 'png' },
      faces: [{ box: { x: 0.1, y: 0.1, w: 0.3, h: 0.3 }, score: 0.9, landmarks: {}, embedding: VECTOR }],
    }),
  close: () => Promise.resolve(),
};

describe('a scan and other commands sharing a workspace', () => {
  let t: TestWorkspace;
  let shootDir: string;
  beforeEach(async () => {
    t = await makeWorkspace();
    shootDir = join(t.root, '..', 'shoot');
    mkdirSync(shootDir);
    // Photos of the shoot's days (scope in time), so the scan analyses them.
    for (let i = 1; i <= 6; i++)
      writeFileSync(join(shootDir, `IMG_${i}.jpg`), await datedJpeg(undefined, undefined, i));
    await createShoot(t.ctx, {
      id: 'a',
      name: 'A',
      purpose: 'test',
      source: shootDir,
      retentionDays: 30,
      connector: 'local',
      reviewersRequired: 1,
      ...SEED_SHOOT_DAYS,
    });
    const file = writeConsentFolder(join(t.root, '..', 'consent'), [
      { id: 'P1', name: 'Ada', consent: 'yes', photo: await pngBytes(1) },
    ]);
    await importConsent(
      t.ctx,
      'a',
      await parseConsentFile(await readConsentFile(file), consentFileAccessFor(file)),
      file,
    );
    await approveShoot(t.ctx, 'a', 'DPIA-T', 'Approver');
    await seedTemplate(t, 'a', 'P1', [...VECTOR], 'fixed-digest');
  });
  afterEach(() => t.cleanup());

  it('waits for a write lock held longer than the busy timeout, and commits every asset', async () => {
    let holder: Promise<void> | undefined;
    const summary = await scanShoot(
      t.ctx,
      {
        connectors: givenConnector(builtinRegistry().create('local', {})),
        engines: givenEngine(oneFaceEngine, { modelDigest: 'fixed-digest', threshold: 0.5, margin: 0.05 }),
      },
      'a',
      {
        concurrency: 1,
        onProgress: () => {
          // Another command (a decide, a withdrawal) takes the database for 4.5 s, past the 3 s busy timeout.
          holder ??= withRawDb(t.ws.paths.database, async (sql) => {
            await sql('begin immediate');
            await sleep(4500);
            await sql('rollback');
          });
        },
      },
    );
    await holder;
    expect(summary).toMatchObject({ listed: 6, processed: 6, stopped: false, failed: [] });
    const assets = await t.ws.store.transaction((uow) => uow.assets.listByShoot('a'));
    expect(assets.filter((a) => a.scanState === 'scanned')).toHaveLength(6);
  }, 60_000);

  it('retryWhileLocked gives up with the lock error once its wait is over', async () => {
    await withRawDb(t.ws.paths.database, async (sql) => {
      await sql('begin immediate');
      try {
        const write = retryWhileLocked(
          () =>
            t.ws.store.transaction(async (uow) =>
              uow.audit.append(
                { actor: 't', action: 'test.write', shootId: 'a', subject: null, details: {} },
                new Date(),
              ),
            ),
          { maxWaitMs: 100 },
        );
        await expect(write).rejects.toMatchObject({ code: 'DATABASE_LOCKED' });
      } finally {
        await sql('rollback');
      }
    });
  }, 30_000);

  it('stores several faces of one image with their own ids (bulk insert)', async () => {
    const faces = await t.ws.store.transaction(async (uow) => {
      const asset = await uow.assets.add({
        shootId: 'a',
        connectorAssetId: 'x.png',
        fileName: 'x.png',
        contentSha256: null,
        size: 1,
        width: 1,
        height: 1,
        orientation: 1,
        sourceRevision: null,
        rendition: null,
        scanState: 'scanned',
        error: null,
        flags: [],
        scannedAt: null,
      });
      const row = {
        shootId: 'a',
        assetId: asset.id,
        x: 0,
        y: 0,
        w: 0.1,
        h: 0.1,
        detectorScore: 0.9,
        state: 'unidentified' as const,
        participantId: null,
        score: null,
        margin: null,
        reason: null,
        embedding: null,
        modelDigest: null,
        createdAt: new Date(),
      };
      return uow.faces.addMany([row, { ...row, x: 0.5 }, { ...row, x: 0.8 }]);
    });
    const stored = await t.ws.store.transaction((uow) => uow.faces.listByShoot('a'));
    expect(faces.map((f) => [f.id, f.x])).toEqual(stored.map((f) => [f.id, f.x]));
  });
});

describe('the scan lock', () => {
  let dir: string;
  let t: TestWorkspace;
  beforeEach(async () => {
    t = await makeWorkspace();
    dir = t.root;
  });
  afterEach(() => t.cleanup());

  it('is taken over from a scan that died, and released by its owner', () => {
    mkdirSync(join(dir, 'locks'), { recursive: true });
    const path = join(dir, 'locks', 'scan-a.json');
    // a pid that cannot be running: above Linux's pid_max
    writeFileSync(path, JSON.stringify({ pid: 2 ** 22 + 1, host: hostname(), startedAt: 'then' }));
    const lock = acquireScanLock(dir, 'a');
    expect(JSON.parse(readFileSync(path, 'utf8'))).toMatchObject({ pid: process.pid });
    expect(() => acquireScanLock(dir, 'a')).toThrow(/is being scanned by process/);
    lock.release();
    expect(existsSync(path)).toBe(false);
  });
});

describe('hints that lead somewhere', () => {
  it('a key file deleted outside Sitter says to restore it, not to enrol again', async () => {
    const t = await makeWorkspace();
    try {
      const binding = templateBinding({ shootId: 's1', participantId: 1, modelDigest: 'm', origin: 'reference-photo' });
      const sealed = await t.ctx.keyVault.encrypt(binding, new Uint8Array([1, 2, 3]));
      rmSync(join(t.ws.paths.keysDir, 's1.key'));
      // the next command: a fresh vault, as each CLI process opens its own
      const vault = new FileKeyVault(readFileSync(t.ws.paths.masterKey), t.ws.paths.keysDir);
      const error = await vault.decrypt(binding, sealed).then(
        () => null,
        (e: unknown) => e as { code: string; hint: string },
      );
      expect(error).toMatchObject({
        code: 'KEY_DESTROYED',
        hint: expect.stringMatching(/Restore that file from the backup/),
      });
      expect(error?.hint).not.toMatch(/enrol again/);
    } finally {
      await t.cleanup();
    }
  });

  it('a HEIC photo the bundled decoder cannot read is one line with a way out, not pages of libvips output', async () => {
    // A real HEIF container whose codec boxes say HEVC, which sharp's prebuilt libvips cannot decode.
    const avif = await sharp({ create: { width: 64, height: 64, channels: 3, background: { r: 200, g: 100, b: 50 } } })
      .heif({ compression: 'av1' })
      .toBuffer();
    const heic = Buffer.from(
      avif.toString('latin1').replace('ftypavif', 'ftypheic').replaceAll('av01', 'hvc1').replaceAll('av1C', 'hvcC'),
      'latin1',
    );
    const error = await decodeImage(heic).then(
      () => null,
      (e: unknown) => e as { code: string; message: string; hint: string },
    );
    expect(error).toMatchObject({ code: 'IMAGE_UNREADABLE', hint: expect.stringMatching(/Convert it to JPEG/) });
    expect(error?.message).toMatch(/HEIF\/HEIC/);
    expect(error?.message.split('\n')).toHaveLength(1);
  });
});
