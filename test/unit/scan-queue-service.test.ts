import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { givenConnector } from '../../src/app/given-providers.js';
import { verifyChain } from '../../src/core/domain/audit.js';
import type { UnitOfWork } from '../../src/core/ports/store.js';
import { queueStatus } from '../../src/core/services/scan-queue-status.js';
import { queueShootScan, type QueueScanOptions } from '../../src/core/services/scan-queue-service.js';
import { ScanWorker } from '../../src/core/services/scan-worker.js';
import { closeShoot } from '../../src/core/services/shoot-service.js';
import { PgBossScanQueue } from '../../src/core/store/queue/pg-boss-scan-queue.js';
import { boxAt, damError, FAKE_CALIBRATION, FakeConnector, FakeEngine, FakeSource } from '../helpers/fakes.js';
import { type PgCluster, startPostgres } from '../helpers/postgres.js';
import { seedApprovedShoot, seedTemplate } from '../helpers/seed.js';
import { makeTeamWorkspace, makeWorkspace, type TestWorkspace } from '../helpers/workspace.js';

/**
 * The queue's services on a real SQLite workspace and a real pg-boss (a throwaway PostgreSQL cluster),
 * with the fake connector and engine of test/helpers/fakes.ts: the queue, the once-only settlement of
 * each asset, retries and the dead-letter queue, without a model. The CLI and kill -9 are in
 * test/e2e/team-queue.test.ts.
 */
// On both stores: a SQLite workspace (one machine, its workers in processes beside it) and a team
// workspace on PostgreSQL, whose SERIALIZABLE units of work the once-only settlement must hold under.
describe.each([{ kind: 'sqlite' }, { kind: 'postgresql' }])(
  'the scan queue (services, pg-boss; $kind store)',
  ({ kind }) => {
    let pg: PgCluster;
    let t: TestWorkspace;
    let queue: PgBossScanQueue;
    let source: FakeSource;
    let connector: FakeConnector;
    let engine: FakeEngine;
    const read = <T>(work: (uow: UnitOfWork) => Promise<T>) => t.ws.store.transaction(work);
    const enqueue = (opts: QueueScanOptions = {}) =>
      queueShootScan(t.ctx, { connectors: givenConnector(connector), queue }, 's', opts);
    const worker = (name: string) =>
      new ScanWorker(t.ctx, {
        connectors: givenConnector(connector),
        engine,
        calibration: FAKE_CALIBRATION,
        worker: name,
      });
    const drain = async (w: ScanWorker) => {
      const stop = new AbortController();
      await queue.consume((job) => w.handle(job), { concurrency: 2, untilIdle: true, stop: stop.signal, pollMs: 100 });
    };
    const audit = async (action: string) => (await read((uow) => uow.audit.all())).filter((e) => e.action === action);

    beforeAll(async () => {
      pg = await startPostgres();
      Object.assign(process.env, pg.env);
    }, 60_000);
    afterAll(async () => {
      await pg?.stop();
    });
    beforeEach(async () => {
      t = kind === 'sqlite' ? await makeWorkspace() : await makeTeamWorkspace(pg);
      await seedApprovedShoot(t, 's', [
        { id: 'P1', name: 'Ada One', consent: 'yes' },
        { id: 'P2', name: 'Ben Two', consent: 'yes' },
      ]);
      await seedTemplate(t, 's', 'P1', [1, 0, 0]);
      await seedTemplate(t, 's', 'P2', [0.8, 0.6, 0]);
      source = new FakeSource([
        { id: 'a.jpg', faces: [{ box: boxAt(0), embedding: [1, 0.05, 0] }] },
        { id: 'b.jpg', faces: [{ box: boxAt(0), embedding: [0, 0, 1] }] },
        { id: 'c.jpg', faces: [{ box: boxAt(0), embedding: [0.8, 0.65, 0] }] },
        { id: 'bad.jpg', faces: [], unreadable: true },
      ]);
      connector = new FakeConnector(source, 2);
      engine = new FakeEngine(source);
      queue = await PgBossScanQueue.open(await pg.createDatabase('q'));
    });
    afterEach(async () => {
      await queue?.close();
      await t?.cleanup();
    });

    it('queues each pending asset once, even when run twice; a worker settles each once, as the local scan records it', async () => {
      expect(await enqueue()).toMatchObject({ listed: 4, queued: 4, requeued: 0, unchanged: 0, jobs: 4 });
      // Run again before any worker: the same rows, sent again, and the queue keeps one job per row.
      expect(await enqueue()).toMatchObject({ queued: 0, requeued: 4 });
      expect((await queue.jobsOf('s')).filter((j) => j.state === 'waiting')).toHaveLength(4);

      const w = worker('w1');
      await drain(w);
      expect(w.tally).toMatchObject({ analysed: 3, failed: 1 });
      expect(engine.analysed.sort()).toEqual(['a.jpg', 'b.jpg', 'c.jpg']);
      // The local scan's records: one scan.asset per analysed asset, the unreadable one failed on its asset.
      expect((await audit('scan.asset')).map((e) => e.subject).sort()).toEqual([
        'asset:a.jpg',
        'asset:b.jpg',
        'asset:c.jpg',
      ]);
      expect((await audit('scan.asset-failed')).map((e) => e.subject)).toEqual(['asset:bad.jpg']);
      const bad = await read((uow) => uow.assets.findByConnectorId('s', 'bad.jpg'));
      expect(bad).toMatchObject({ scanState: 'failed', error: expect.stringContaining('IMAGE_UNREADABLE') });
      expect(await audit('scan.worker-started')).toHaveLength(1);

      const status = await queueStatus(t.ctx, queue, 's');
      expect(status).toMatchObject({
        assets: 4,
        open: 0,
        settled: { analysed: 3, failed: 1 },
        jobs: { waiting: 0, active: 0, retrying: 0, deadLettered: 0 },
        finished: true,
      });
      expect(status.failed).toEqual([
        { asset: 'bad.jpg', error: expect.stringContaining('IMAGE_UNREADABLE'), worker: 'w1' },
      ]);
      expect(status.workers).toEqual([{ worker: 'w1', assets: 4, lastSeen: expect.any(Date) }]);

      // Unchanged since: nothing to queue.
      expect(await enqueue()).toMatchObject({ queued: 0, requeued: 0, unchanged: 4, jobs: 0 });
      expect(verifyChain(await read((uow) => uow.audit.all())).ok).toBe(true);
    }, 60_000);

    it('hands the jobs out largest first, as a local scan does, whatever the order of the listing', async () => {
      // a fake photo's bytes grow with its id; the largest is listed last
      source.put({ id: 'a-much-longer-name-the-largest.jpg', faces: [] });
      const sizeOf = (id: string) => source.listed(source.photos.get(id)!).size!;
      const listed = [...source.photos.keys()];
      const bySize = [...listed].sort((x, y) => sizeOf(y) - sizeOf(x));
      expect(bySize).not.toEqual(listed);
      await enqueue();
      const stop = new AbortController();
      const w = worker('w1');
      // one job at a time: the order the queue hands them out is the order analysed
      await queue.consume((job) => w.handle(job), { concurrency: 1, untilIdle: true, stop: stop.signal, pollMs: 100 });
      expect(engine.analysed).toEqual(bySize.filter((id) => id !== 'bad.jpg'));
    }, 60_000);

    it('queued again in batches with a new asset between, rows already waiting keep their batches: no job twice', async () => {
      // each run at its own time, as two runs of the command are (a run's rows share their queuedAt)
      const later = (ms: number) => t.clock.set(new Date(t.clock.now().getTime() + ms));
      expect(await enqueue({ batchSize: 2 })).toMatchObject({ queued: 4, jobs: 2 });
      later(60_000);
      source.put({ id: 'a-new-and-larger-photo-name.jpg', faces: [] });
      expect(await enqueue({ batchSize: 2 })).toMatchObject({ queued: 1, requeued: 4 });
      const waiting = (await queue.jobsOf('s')).filter((j) => j.state === 'waiting');
      // the two batches of the first run (kept once each by pg-boss) and one for the new photo
      expect(waiting).toHaveLength(3);
      expect(waiting.flatMap((j) => j.assets).sort()).toEqual(
        ['a-new-and-larger-photo-name.jpg', 'a.jpg', 'b.jpg', 'bad.jpg', 'c.jpg'].sort(),
      );
      // and once more with another, still larger photo: the five waiting rows keep their three jobs
      later(60_000);
      source.put({ id: 'another-new-photo-larger-than-the-rest.jpg', faces: [] });
      expect(await enqueue({ batchSize: 2 })).toMatchObject({ queued: 1, requeued: 5 });
      const after = (await queue.jobsOf('s')).filter((j) => j.state === 'waiting');
      expect(after.flatMap((j) => j.assets).sort()).toEqual(
        [
          'a-new-and-larger-photo-name.jpg',
          'a.jpg',
          'another-new-photo-larger-than-the-rest.jpg',
          'b.jpg',
          'bad.jpg',
          'c.jpg',
        ].sort(),
      );
    }, 60_000);

    it('a job handed out twice (its worker was lost) writes nothing the second time: no duplicate faces, one scan.asset', async () => {
      await enqueue({ batchSize: 4 });
      const [job] = (await queue.jobsOf('s')).filter((j) => j.state === 'waiting');
      expect(job!.assets).toHaveLength(4);
      // The same job, as pg-boss would hand it out again after an expiry, run by two workers at once.
      const stop = new AbortController();
      let claimed: Parameters<ScanWorker['handle']>[0] | undefined;
      await queue.consume(
        async (j) => {
          claimed = j;
          stop.abort();
        },
        { concurrency: 1, untilIdle: true, stop: stop.signal, pollMs: 50 },
      );
      const [r1, r2] = await Promise.all([worker('w1').handle(claimed!), worker('w2').handle(claimed!)]);
      const outcomes = [...r1.assets, ...r2.assets].map((a) => a.outcome);
      expect(outcomes.filter((o) => o === 'analysed')).toHaveLength(3);
      expect(outcomes.filter((o) => o === 'failed')).toHaveLength(1);
      expect(outcomes.filter((o) => o === 'already-settled')).toHaveLength(4);
      expect(await audit('scan.asset')).toHaveLength(3);
      const faces = await read((uow) => uow.faces.listByShoot('s'));
      expect(faces).toHaveLength(3);
      // And once more, later: settled rows are skipped before any fetch.
      const fetchedBefore = connector.fetched.length;
      const r3 = await worker('w3').handle(claimed!);
      expect(r3.assets.every((a) => a.outcome === 'already-settled')).toBe(true);
      expect(connector.fetched.length).toBe(fetchedBefore);
    }, 60_000);

    it('a busy source is retried with backoff, then dead-lettered with the last error; queuing again gives it another chance', async () => {
      await enqueue({ retryLimit: 1, retryDelaySeconds: 1 });
      const original = connector.fetch.bind(connector);
      connector.fetch = async (src, id, o) => {
        if (id === 'c.jpg') throw damError('CONNECTOR_TRANSIENT');
        return original(src, id, o);
      };
      await drain(worker('w1'));
      const status = await queueStatus(t.ctx, queue, 's');
      expect(status.settled).toMatchObject({ analysed: 2, failed: 1 });
      expect(status.open).toBe(1);
      expect(status.deadLettered).toEqual([
        { assets: ['c.jpg'], retries: 1, lastError: expect.stringContaining('CONNECTOR_TRANSIENT') },
      ]);
      expect(status.finished).toBe(false);
      // Never recorded as the asset's failure: a busy source is nobody's fault.
      expect(await read((uow) => uow.assets.findByConnectorId('s', 'c.jpg'))).toBeNull();

      connector.fetch = original;
      expect(await enqueue()).toMatchObject({ queued: 0, requeued: 1, unchanged: 3 });
      await drain(worker('w2'));
      const after = await queueStatus(t.ctx, queue, 's');
      expect(after).toMatchObject({ settled: { analysed: 3 }, deadLettered: [], finished: true });
    }, 60_000);

    it('SHOOT_CLOSED after queuing: the jobs are dead-lettered with the reason, nothing analysed, the assets stay open', async () => {
      await enqueue({ retryLimit: 0 });
      await closeShoot(t.ctx, 's');
      await drain(worker('w1'));
      expect(engine.analysed).toEqual([]);
      const status = await queueStatus(t.ctx, queue, 's');
      expect(status).toMatchObject({ open: 4, finished: false, jobs: { deadLettered: 4 } });
      expect(status.deadLettered.every((d) => d.lastError?.startsWith('SHOOT_CLOSED'))).toBe(true);
    }, 60_000);
  },
);
