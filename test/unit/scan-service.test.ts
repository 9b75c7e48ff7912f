import { givenConnector, givenEngine } from '../../src/app/given-providers.js';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { verifyChain } from '../../src/core/domain/audit.js';
import { BugError, SitterError } from '../../src/core/domain/errors.js';
import { DEFAULT_CALIBRATION } from '../../src/core/engine/calibration.js';
import type { Face } from '../../src/core/domain/records.js';
import type { Shoot } from '../../src/core/domain/shoot.js';
import type { UnitOfWork } from '../../src/core/ports/store.js';
import { decideFace } from '../../src/core/services/decision-service.js';
import { type ScanOptions, type ScanSummary, scanShoot } from '../../src/core/services/scan-service.js';
import { allowUndated } from '../../src/core/services/scope-service.js';
import { closeShoot } from '../../src/core/services/shoot-service.js';
import {
  boxAt,
  damError,
  FAKE_CALIBRATION,
  FakeConnector,
  FakeDamConnector,
  FakeEngine,
  type FakeFace,
  FakeSource,
} from '../helpers/fakes.js';
import { seedApprovedShoot, seedTemplate } from '../helpers/seed.js';
import { makeWorkspace, type TestWorkspace } from '../helpers/workspace.js';

/**
 * `scanShoot`'s own logic with fake ports (test/helpers/fakes.ts): no model, no image, a real SQLite
 * workspace. Templates: P1 at [1,0,0], P2 at [0.8,0.6,0] (0.63 apart); threshold 0.5, margin 0.1.
 * Every error code the scan can end with is named in a test's title.
 */
const P1 = [1, 0.05, 0];
const P2 = [0.8, 0.65, 0];
/** within the threshold of both P1 and P2, and as close to one as to the other */
const BETWEEN = [0.9, 0.3, 0];
const NOBODY = [0, 0, 1];

const face = (place: number, embedding: number[]): FakeFace => ({ box: boxAt(place), embedding });
/** the same place, moved a little: an editor's re-crop */
const nudged = (place: number, embedding: number[]): FakeFace => ({
  box: { ...boxAt(place), x: boxAt(place).x + 0.01 },
  embedding,
});

describe('scanShoot with fake ports', () => {
  let t: TestWorkspace;
  let source: FakeSource;
  let connector: FakeConnector;
  let engine: FakeEngine;
  const scan = (opts: ScanOptions = {}, calibration = FAKE_CALIBRATION, shootId = 's'): Promise<ScanSummary> =>
    scanShoot(
      t.ctx,
      { connectors: givenConnector(connector), engines: givenEngine(engine, calibration) },
      shootId,
      opts,
    );
  const read = <T>(work: (uow: UnitOfWork) => Promise<T>) => t.ws.store.transaction(work);
  const facesOf = async (assetRef: string): Promise<Face[]> =>
    read(async (uow) => {
      const asset = await uow.assets.findByConnectorId('s', assetRef);
      return asset ? uow.faces.listByAsset(asset.id) : [];
    });
  const assetOf = (assetRef: string) => read((uow) => uow.assets.findByConnectorId('s', assetRef));
  const idOf = async (ref: string) => (await read((uow) => uow.participants.findByExternalRef('s', ref)))!.id;
  const auditOf = async (action: string) => (await read((uow) => uow.audit.all())).filter((e) => e.action === action);
  const changeShoot = (edit: (s: Shoot) => void) =>
    read(async (uow) => {
      edit((await uow.shoots.find('s'))!);
    });

  beforeEach(async () => {
    t = await makeWorkspace();
    await seedApprovedShoot(t, 's', [
      { id: 'P1', name: 'Ada One', consent: 'yes' },
      { id: 'P2', name: 'Ben Two', consent: 'yes' },
      { id: 'P3', name: 'Cy Photos', consent: 'no' },
    ]);
    await seedTemplate(t, 's', 'P1', [1, 0, 0]);
    await seedTemplate(t, 's', 'P2', [0.8, 0.6, 0]);
    source = new FakeSource([
      { id: 'a.jpg', faces: [face(0, P1), face(1, NOBODY)] },
      { id: 'b.jpg', faces: [face(0, BETWEEN)] },
      { id: 'c.jpg', faces: [face(0, P2)] },
    ]);
    connector = new FakeConnector(source, 2);
    engine = new FakeEngine(source);
  });
  afterEach(async () => {
    await t.cleanup();
  });

  it('analyses every listed asset over several pages: proposals keep an embedding, no-match and ambiguous faces are unidentified and flag their asset', async () => {
    const summary = await scan();
    expect(summary).toMatchObject({ listed: 3, processed: 3, unchanged: 0, faces: 4, proposed: 2, unidentified: 2 });
    expect(summary.failed).toEqual([]);
    const [a, b, c] = [await facesOf('a.jpg'), await facesOf('b.jpg'), await facesOf('c.jpg')];
    expect(a.map((f) => [f.state, f.participantId, f.reason])).toEqual([
      ['proposed', await idOf('P1'), null],
      ['unidentified', null, 'no-match'],
    ]);
    expect(b.map((f) => [f.state, f.reason])).toEqual([['unidentified', 'ambiguous']]);
    expect(c.map((f) => [f.state, f.participantId])).toEqual([['proposed', await idOf('P2')]]);
    // Rule 4: only a proposal keeps its (encrypted) embedding.
    expect([...a, ...b, ...c].map((f) => f.embedding !== null)).toEqual([true, false, false, true]);
    expect((await assetOf('a.jpg'))!.flags).toEqual(['unidentified-person']);
    expect((await assetOf('b.jpg'))!.flags).toEqual(['unidentified-person']);
    expect((await assetOf('c.jpg'))!.flags).toEqual([]);
    expect(await auditOf('scan.asset')).toHaveLength(3);
    expect((await auditOf('scan.finished'))[0]!.details).toMatchObject({ processed: 3, proposed: 2 });
    expect(verifyChain(await read((uow) => uow.audit.all())).ok).toBe(true);
  });

  it("the shoot's own threshold (shoot create --threshold) is the one the scan proposes at: stricter than the calibration, a close face is no match", async () => {
    await changeShoot((s) => {
      s.matchThreshold = 0.04; // P1's and P2's faces are 0.05 from their templates; proposed at 0.5
    });
    expect(await scan()).toMatchObject({ proposed: 0, unidentified: 4 });
    expect((await facesOf('a.jpg')).map((f) => [f.state, f.reason])).toEqual([
      ['unidentified', 'no-match'],
      ['unidentified', 'no-match'],
    ]);
  });

  it('an unchanged asset is not analysed again; a rescan analyses again only assets nobody has decided on', async () => {
    await scan();
    const [cFace] = await facesOf('c.jpg');
    await decideFace(t.ctx, 's', cFace!.id, { kind: 'confirm' }, 'Rita');
    engine.analysed.length = 0;
    expect(await scan()).toMatchObject({ processed: 0, unchanged: 3 });
    expect(engine.analysed).toEqual([]);
    expect(await scan({ rescan: true })).toMatchObject({ processed: 2, unchanged: 1 });
    expect(engine.analysed.sort()).toEqual(['a.jpg', 'b.jpg']);
  });

  it('a changed photo keeps a confirmation on the overlapping face that still matches: decisions and learned template move with it, on the record', async () => {
    await scan();
    const [old] = await facesOf('a.jpg');
    await decideFace(t.ctx, 's', old!.id, { kind: 'confirm' }, 'Rita');
    source.change('a.jpg', [nudged(0, P1), face(1, NOBODY)]);
    expect(await scan()).toMatchObject({ processed: 1, unchanged: 2 });
    const [now] = await facesOf('a.jpg');
    expect(now).toMatchObject({ state: 'confirmed', participantId: await idOf('P1'), embedding: null });
    expect(now!.id).not.toBe(old!.id);
    const decisions = await read((uow) => uow.decisions.listByFace(now!.id));
    expect(decisions.map((d) => [d.reviewer, d.action])).toEqual([['Rita', 'confirm']]);
    const templates = await read((uow) => uow.templates.listByShoot('s'));
    expect(templates.map((x) => x.originRef)).toContain(`face:${now!.id}`);
    expect(templates.map((x) => x.originRef)).not.toContain(`face:${old!.id}`);
    const entry = (await auditOf('scan.asset')).at(-1)!;
    expect(entry.details.carriedOver).toEqual([
      {
        face: now!.id,
        from: old!.id,
        participant: `#${await idOf('P1')}`,
        carried: true,
        outcome: 'confirmed',
        decisions: [decisions[0]!.id],
        confirmedBy: ['Rita'],
      },
    ]);
  });

  it('a confirmation does not carry over to an overlapping face that now matches someone else: that face is matched afresh', async () => {
    await scan();
    const [old] = await facesOf('a.jpg');
    await decideFace(t.ctx, 's', old!.id, { kind: 'confirm' }, 'Rita');
    source.change('a.jpg', [nudged(0, P2)]);
    await scan();
    const [now] = await facesOf('a.jpg');
    expect(now).toMatchObject({ state: 'proposed', participantId: await idOf('P2') });
    expect(await read((uow) => uow.decisions.listByFace(now!.id))).toEqual([]);
    expect((await auditOf('scan.asset')).at(-1)!.details.carriedOver).toMatchObject([
      { from: old!.id, carried: false, outcome: 'proposed', confirmedBy: ['Rita'], why: expect.any(String) },
    ]);
  });

  it('someone carried over is "taken" for another face of the photo, even one that matches them better', async () => {
    await scan();
    const [old] = await facesOf('a.jpg');
    await decideFace(t.ctx, 's', old!.id, { kind: 'confirm' }, 'Rita');
    // The new face 2 is nearer to Ada's templates (the enrolled one and the one learned from the
    // confirmation) than the re-cropped face 0: the matcher alone would propose her there.
    source.change('a.jpg', [nudged(0, [1, 0.1, 0]), face(2, [1, 0, 0])]);
    await scan();
    const faces = await facesOf('a.jpg');
    expect(faces.map((f) => [f.state, f.participantId, f.reason])).toEqual([
      ['confirmed', await idOf('P1'), null],
      ['unidentified', null, 'taken'],
    ]);
  });

  it('per-write consent lapse: someone who withdraws while the scan runs is not proposed on the photos stored after (consent-lapsed)', async () => {
    const ada = await idOf('P1');
    engine.beforeResult = async (photo) => {
      if (photo.id !== 'a.jpg') return;
      await read(async (uow) => {
        const current = (await uow.consents.current(ada))!;
        const { id: _id, ...rest } = current;
        await uow.consents.add({ ...rest, withdrawnAt: t.clock.now(), importedAt: t.clock.now() });
      });
    };
    const summary = await scan();
    expect(summary.proposed).toBe(1);
    const [adaFace] = await facesOf('a.jpg');
    expect(adaFace).toMatchObject({
      state: 'unidentified',
      participantId: null,
      reason: 'consent-lapsed',
      embedding: null,
    });
    expect((await facesOf('c.jpg'))[0]).toMatchObject({ state: 'proposed', participantId: await idOf('P2') });
  });

  it('hands the engine the largest photos first, so no large one is left to run alone at the end', async () => {
    // a fake photo's bytes grow with its id: the group photo is the largest, listed after smaller ones
    source.put({ id: 'p.jpg', faces: [] });
    source.put({ id: 'group-of-four.jpg', faces: [face(0, P1), face(1, P2), face(2, NOBODY), face(3, NOBODY)] });
    source.put({ id: 'pair-x.jpg', faces: [face(0, P2), face(1, NOBODY)] });
    const sizeOf = (id: string) => source.listed(source.photos.get(id)!).size!;
    const bySize = [...source.photos.keys()].sort((x, y) => sizeOf(y) - sizeOf(x));
    expect(bySize[0]).toBe('group-of-four.jpg');
    expect([...source.photos.keys()][0]).not.toBe('group-of-four.jpg');
    await scan({ concurrency: 1 });
    expect(engine.analysed).toEqual(bySize);
  });

  it('a photo outside the shoot days is refused and one without a capture time held, neither analysed; once allowed, the undated one is', async () => {
    source.put({ id: 'b.jpg', faces: [face(0, P2)], capturedAt: { local: '2019-07-01T10:00:00', offset: '+01:00' } });
    source.put({ id: 'c.jpg', faces: [face(0, P2)], capturedAt: null });
    const summary = await scan();
    expect(summary.outsideDates).toEqual([{ asset: 'b.jpg', capturedAt: expect.stringMatching(/^2019-07-01/) }]);
    expect(summary.noCaptureTime).toEqual(['c.jpg']);
    expect(engine.analysed).toEqual(['a.jpg']);
    expect(await assetOf('b.jpg')).toMatchObject({ scanState: 'refused', flags: ['outside-shoot-dates'] });
    expect(await assetOf('c.jpg')).toMatchObject({ scanState: 'held', flags: ['no-capture-time'] });
    await allowUndated(t.ctx, 's', ['c.jpg'], 'a scanned print from the shoot day');
    expect(await scan()).toMatchObject({ processed: 1, noCaptureTime: [] });
    expect(await assetOf('c.jpg')).toMatchObject({ scanState: 'scanned', flags: ['undated-allowed'] });
    expect((await facesOf('c.jpg'))[0]).toMatchObject({ state: 'proposed' });
  });

  it('CONNECTOR_LISTING_INVALID: an asset listed twice (on two pages) stops the scan before anything is fetched', async () => {
    const a = source.listed(source.photos.get('a.jpg')!);
    connector.pages = {
      '': { assets: [a], skipped: [], nextCursor: 'p2' },
      p2: { assets: [a], skipped: [], nextCursor: null },
    };
    await expect(scan()).rejects.toMatchObject({
      code: 'CONNECTOR_LISTING_INVALID',
      message: expect.stringMatching(/Connector "fake".*"a\.jpg" is listed twice/),
    });
    expect(connector.fetched).toEqual([]);
    expect(await read((uow) => uow.assets.listByShoot('s'))).toEqual([]);
  });

  it('CONNECTOR_LISTING_INVALID: a listing that loops (a cursor comes back) is refused', async () => {
    const [a, b] = ['a.jpg', 'b.jpg'].map((id) => source.listed(source.photos.get(id)!));
    connector.pages = {
      '': { assets: [a!], skipped: [], nextCursor: 'p2' },
      p2: { assets: [b!], skipped: [], nextCursor: 'p3' },
      p3: { assets: [], skipped: [], nextCursor: 'p2' },
    };
    await expect(scan()).rejects.toMatchObject({
      code: 'CONNECTOR_LISTING_INVALID',
      message: expect.stringMatching(/loops/),
    });
    expect(connector.fetched).toEqual([]);
  });

  it("a connector's own error while listing (SOURCE_MISSING here) ends the scan as the connector said it, before anything is fetched", async () => {
    connector.list = async () => {
      throw new SitterError('SOURCE_MISSING', 'The fake source is gone.', 'Bring it back.');
    };
    await expect(scan()).rejects.toMatchObject({ code: 'SOURCE_MISSING' });
    expect(connector.fetched).toEqual([]);
    expect(await auditOf('scan.started')).toHaveLength(1);
  });

  it('ASSET_OUT_OF_SCOPE: bytes the connector gives for another asset than the one listed are refused for that asset, never analysed', async () => {
    connector.fetchAnswersAs = 'elsewhere/secret.jpg';
    const summary = await scan();
    expect(summary.failed.map((f) => [f.asset, f.code])).toEqual([
      ['a.jpg', 'ASSET_OUT_OF_SCOPE'],
      ['b.jpg', 'ASSET_OUT_OF_SCOPE'],
      ['c.jpg', 'ASSET_OUT_OF_SCOPE'],
    ]);
    expect(engine.analysed).toEqual([]);
    expect(await assetOf('a.jpg')).toMatchObject({
      scanState: 'failed',
      error: expect.stringMatching(/^ASSET_OUT_OF_SCOPE/),
    });
  });

  it('IMAGE_UNREADABLE from the engine fails that asset only, on the record; the others are scanned', async () => {
    source.put({ id: 'b.jpg', faces: [], unreadable: true });
    const summary = await scan();
    expect(summary.failed).toEqual([{ asset: 'b.jpg', code: 'IMAGE_UNREADABLE', message: expect.any(String) }]);
    expect(summary.processed).toBe(2);
    expect(await assetOf('b.jpg')).toMatchObject({ scanState: 'failed' });
    expect((await auditOf('scan.asset-failed'))[0]).toMatchObject({ subject: 'asset:b.jpg' });
  });

  it("the shipped calibration's quality bands are what the scan proposes with: a close-up at 0.55 is no match, a smaller face at 0.55 is proposed, a profile face is low-quality and a reviewer can still assign it", async () => {
    const digest = DEFAULT_CALIBRATION.modelDigest;
    await seedTemplate(t, 's', 'P1', [1, 0, 0], digest);
    await seedTemplate(t, 's', 'P2', [0, 0, 1], digest);
    const measured = (interocularPx: number, yaw = 0.05) => ({
      meshScore: 1,
      interocularPx,
      yaw,
      sharpness: 500,
      boxScore: 0.9,
    });
    source = new FakeSource([
      { id: 'close-up.jpg', faces: [{ box: boxAt(0), embedding: [1, 0.55, 0], quality: measured(120) }] },
      { id: 'smaller.jpg', faces: [{ box: boxAt(0), embedding: [1, 0.55, 0], quality: measured(60) }] },
      { id: 'profile.jpg', faces: [{ box: boxAt(0), embedding: [1, 0.1, 0], quality: measured(120, 0.7) }] },
    ]);
    connector = new FakeConnector(source, 2);
    engine = new FakeEngine(source, { ...engine.model, digest });
    expect(await scan({}, DEFAULT_CALIBRATION)).toMatchObject({ processed: 3, proposed: 1, unidentified: 2 });
    expect((await facesOf('close-up.jpg')).map((f) => [f.state, f.reason, f.qualityBand])).toEqual([
      ['unidentified', 'no-match', 'interocularPx>=79.025'],
    ]);
    expect((await facesOf('smaller.jpg')).map((f) => [f.state, f.participantId])).toEqual([
      ['proposed', await idOf('P1')],
    ]);
    const [profile] = await facesOf('profile.jpg');
    expect(profile).toMatchObject({
      state: 'unidentified',
      reason: 'low-quality',
      qualityBand: 'below-floor',
      embedding: null,
    });
    expect((await assetOf('profile.jpg'))!.flags).toEqual(['unidentified-person']);
    expect((await auditOf('scan.started'))[0]!.details).toMatchObject({ qualityPolicy: DEFAULT_CALIBRATION.quality });
    await decideFace(t.ctx, 's', profile!.id, { kind: 'assign', participantRef: 'P1' }, 'Rita');
    expect((await facesOf('profile.jpg'))[0]).toMatchObject({ state: 'confirmed', participantId: await idOf('P1') });
  });

  it('a calibration made for another model than the engine runs is a bug (BugError), not a user error', async () => {
    await expect(scan({}, { ...FAKE_CALIBRATION, modelDigest: 'model-y' })).rejects.toBeInstanceOf(BugError);
  });

  it('NO_TEMPLATES: nobody enrolled for this face model, or nobody enrolled whose consent holds: refused before the source is read', async () => {
    const otherModel = new FakeEngine(source, { ...engine.model, digest: 'model-y' });
    await expect(
      scanShoot(
        t.ctx,
        {
          connectors: givenConnector(connector),
          engines: givenEngine(otherModel, { ...FAKE_CALIBRATION, modelDigest: 'model-y' }),
        },
        's',
      ),
    ).rejects.toMatchObject({ code: 'NO_TEMPLATES', hint: expect.stringMatching(/sitter enrol s/) });
    // Rule 3: templates of people whose consent is gone do not count.
    t.clock.set(new Date('2026-06-02T10:00:00Z'));
    const ids = [await idOf('P1'), await idOf('P2')];
    await read(async (uow) => {
      for (const id of ids) {
        const { id: _id, ...rest } = (await uow.consents.current(id))!;
        await uow.consents.add({ ...rest, expiresAt: new Date('2026-06-02T00:00:00Z') });
      }
    });
    await expect(scan()).rejects.toMatchObject({ code: 'NO_TEMPLATES' });
    expect(connector.fetched).toEqual([]);
  });

  it('SHOOT_NOT_FOUND, SHOOT_NOT_APPROVED, SHOOT_APPROVAL_INCOMPLETE, SHOOT_DATES_MISSING, RETENTION_ENDED, SHOOT_CLOSED: refused before the connector or the engine is used', async () => {
    const refusedWith = async (code: string) => {
      await expect(scan()).rejects.toMatchObject({ code, hint: expect.any(String) });
    };
    await expect(scan({}, FAKE_CALIBRATION, 'nope')).rejects.toMatchObject({ code: 'SHOOT_NOT_FOUND' });
    await changeShoot((s) => {
      s.status = 'draft';
    });
    await refusedWith('SHOOT_NOT_APPROVED');
    await changeShoot((s) => {
      s.status = 'approved';
      s.dpiaRef = null;
    });
    await refusedWith('SHOOT_APPROVAL_INCOMPLETE');
    await changeShoot((s) => {
      s.dpiaRef = 'DPIA-T';
      s.shootFrom = null;
    });
    await refusedWith('SHOOT_DATES_MISSING');
    await changeShoot((s) => {
      s.shootFrom = '2026-05-30';
    });
    t.clock.set(new Date('2026-07-02T10:00:00Z'));
    await refusedWith('RETENTION_ENDED');
    t.clock.set(new Date('2026-06-01T10:00:00Z'));
    await closeShoot(t.ctx, 's');
    await refusedWith('SHOOT_CLOSED');
    expect(connector.fetched).toEqual([]);
    expect(engine.analysed).toEqual([]);
  });

  it('RETENTION_ENDED in the middle of a scan stops it, and the error says what the scan had committed', async () => {
    engine.beforeResult = async (photo) => {
      if (photo.id === 'b.jpg') t.clock.set(new Date('2026-07-02T10:00:00Z'));
    };
    const error = await scan().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(SitterError);
    expect(error).toMatchObject({
      code: 'RETENTION_ENDED',
      hint: expect.stringMatching(/committed 1 analysed asset and 0 failed ones.*continues from there/),
      details: { committed: { processed: 1, failed: 0, unchanged: 0 } },
    });
    expect(await facesOf('a.jpg')).toHaveLength(2);
    expect(await assetOf('b.jpg')).toBeNull();
    expect((await auditOf('scan.stopped'))[0]!.details).toMatchObject({ processed: 1 });
  });

  it('a stop request ends the scan between assets; what was done stays', async () => {
    const stop = new AbortController();
    engine.beforeResult = async () => stop.abort();
    const summary = await scan({ signal: stop.signal });
    expect(summary).toMatchObject({ stopped: true, processed: 1 });
    expect(await auditOf('scan.stopped')).toHaveLength(1);
    expect(await auditOf('scan.finished')).toHaveLength(0);
  });

  describe('with a contract-3 DAM (revisions, renditions, typed failures)', () => {
    let dam: FakeDamConnector;
    beforeEach(() => {
      connector = dam = new FakeDamConnector(source, 2);
    });
    const rateLimited = () => damError('CONNECTOR_RATE_LIMITED', { retryAfterMs: 20 });

    it('skips the fetch when the revision is unchanged, and fetches a detection rendition at bulk priority', async () => {
      expect(await scan()).toMatchObject({ processed: 3, unchanged: 0 });
      expect(dam.fetchOptions[0]).toMatchObject({
        rendition: { maxDimension: 2048 },
        priority: 'bulk',
        maxBytes: 512 * 1024 * 1024,
      });
      expect(await assetOf('a.jpg')).toMatchObject({ sourceRevision: 'r1', rendition: 'max:2048' });
      dam.fetched.length = 0;
      expect(await scan()).toMatchObject({ processed: 0, unchanged: 3 });
      expect(dam.fetched).toEqual([]);
      source.change('a.jpg', [face(0, P1)]);
      expect(await scan({ detectMax: 1024 })).toMatchObject({ processed: 1, unchanged: 2 });
      expect(dam.fetched).toEqual(['a.jpg']);
      expect(await assetOf('a.jpg')).toMatchObject({ sourceRevision: 'r2', rendition: 'max:1024' });
    });

    it('a 429 storm pauses the scan and fails no asset', async () => {
      dam.fail('a.jpg', rateLimited, rateLimited, rateLimited);
      dam.fail('c.jpg', () => damError('CONNECTOR_TRANSIENT'));
      const started = Date.now();
      const summary = await scan({ concurrency: 2 });
      expect(summary).toMatchObject({ processed: 3, stopped: false, failed: [] });
      expect(summary.pausedMs).toBeGreaterThanOrEqual(60);
      expect(Date.now() - started).toBeGreaterThanOrEqual(60);
      expect(dam.fetched.filter((id) => id === 'a.jpg')).toHaveLength(4);
      expect((await assetOf('a.jpg'))!.scanState).toBe('scanned');
      expect((await auditOf('scan.finished'))[0]!.details).toMatchObject({ failed: 0, pausedMs: summary.pausedMs });
    });

    it('a source busy past maxPauseMs stops the scan as rate-limited, fails nothing, and the next scan continues', async () => {
      dam.fail(
        'b.jpg',
        ...Array.from({ length: 5 }, () => () => damError('CONNECTOR_RATE_LIMITED', { retryAfterMs: 40 })),
      );
      const summary = await scan({ concurrency: 1, maxPauseMs: 100 });
      // b.jpg went back in the queue behind c.jpg, which was scanned meanwhile
      expect(summary).toMatchObject({ stopped: true, stopReason: 'rate-limited', failed: [], processed: 2 });
      expect(await assetOf('b.jpg')).toBeNull();
      expect((await auditOf('scan.stopped'))[0]!.details).toMatchObject({ stopReason: 'rate-limited' });
      dam.faults.clear();
      expect(await scan()).toMatchObject({ processed: 1, unchanged: 2, stopped: false });
    });

    it('an asset still rate-limited after 5 requeues fails with CONNECTOR_RATE_LIMITED; the others are scanned', async () => {
      dam.fail(
        'b.jpg',
        ...Array.from({ length: 6 }, () => () => damError('CONNECTOR_RATE_LIMITED', { retryAfterMs: 1 })),
      );
      const summary = await scan();
      expect(summary.failed).toEqual([expect.objectContaining({ asset: 'b.jpg', code: 'CONNECTOR_RATE_LIMITED' })]);
      expect(summary.processed).toBe(2);
    });

    it("an auth failure stops the scan: CONNECTOR_AUTH with the connector's hint, no asset failed for it", async () => {
      dam.fail('b.jpg', () => damError('CONNECTOR_AUTH'));
      const error = await scan({ concurrency: 1 }).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(SitterError);
      expect(error).toMatchObject({ code: 'CONNECTOR_AUTH' });
      expect((error as SitterError).hint).toContain("The fake DAM's hint for CONNECTOR_AUTH.");
      expect((error as SitterError).hint).toContain('running the scan again continues');
      expect((await assetOf('a.jpg'))!.scanState).toBe('scanned');
      expect(await assetOf('b.jpg')).toBeNull();
      expect(dam.fetched).not.toContain('c.jpg');
    });

    it('a listing page refused by a busy source is asked again after a pause, not the end of the scan', async () => {
      let refusals = 2;
      const list = dam.list.bind(dam);
      dam.list = async (src, options) => {
        if (options?.cursor && refusals-- > 0) throw damError('CONNECTOR_RATE_LIMITED', { retryAfterMs: 10 });
        return list(src, options);
      };
      expect(await scan()).toMatchObject({ listed: 3, processed: 3, failed: [] });
      expect(refusals).toBe(-1);
    });

    it('a deleted asset is skipped, not failed; a forbidden one is skipped as access-denied', async () => {
      dam.fail('b.jpg', () => damError('ASSET_NOT_FOUND'));
      dam.fail('c.jpg', () => damError('ASSET_ACCESS_DENIED'));
      const summary = await scan();
      expect(summary.failed).toEqual([]);
      expect(summary.skipped.map((e) => [e.id, e.reason])).toEqual([
        ['b.jpg', 'deleted'],
        ['c.jpg', 'access-denied'],
      ]);
      expect(summary.notImages).toEqual([]);
      expect(await assetOf('b.jpg')).toBeNull();
      expect(await assetOf('c.jpg')).toBeNull();
      expect((await auditOf('scan.finished'))[0]!.details).toMatchObject({ failed: 0, skipped: 2 });
    });
  });
});
