import { spawn } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import sqlite3 from 'sqlite3';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { SitterError } from '../../src/core/domain/errors.js';
import type { Shoot } from '../../src/core/domain/shoot.js';
import type { ListedAsset } from '../../src/core/ports/connector.js';
import type { FaceAnalysis } from '../../src/core/ports/face-engine.js';
import type { Store, UnitOfWork } from '../../src/core/ports/store.js';
import { verifyAudit } from '../../src/core/services/audit-service.js';
import { requireShoot } from '../../src/core/services/context.js';
import { retryWhileLocked } from '../../src/core/services/retry-locked.js';
import { storeAnalysis, type WriteGuard } from '../../src/core/services/scan-records.js';
import { loadMatchingRoster, type Roster } from '../../src/core/services/scan-roster.js';
import { GROUP_COMMIT_MAX, scanWriteContext } from '../../src/core/services/scan-writer.js';
import { runSitter } from '../helpers/cli.js';
import { boxAt, FAKE_CALIBRATION, FAKE_MODEL } from '../helpers/fakes.js';
import { type PgCluster, startPostgres } from '../helpers/postgres.js';
import { datedJpeg, seedApprovedShoot, seedTemplate } from '../helpers/seed.js';
import { makeTeamWorkspace, makeWorkspace, type TestWorkspace } from '../helpers/workspace.js';

/**
 * Group commit (services/scan-writer.ts): a scan's asset writes that wait while another commits share
 * the next transaction, each still written whole, with its own rows and audit entry, or not at all.
 */

/** The store, counting its transactions. */
function counting(store: Store): { store: Store; transactions: () => number } {
  let n = 0;
  return {
    transactions: () => n,
    store: {
      transaction: (work) => {
        n += 1;
        return store.transaction(work);
      },
      assertIntact: () => store.assertIntact(),
      currentRole: () => store.currentRole(),
      team: () => store.team(),
      close: () => store.close(),
    },
  };
}

const item = (id: string): ListedAsset => ({ id, fileName: id, size: 100, modifiedAt: new Date() });
/** Two faces: one close to P1's template (proposed), one far from everyone (unidentified). */
const analysis = (id: string): FaceAnalysis => ({
  image: { width: 640, height: 480, format: 'jpeg', orientation: 1, contentHash: `sha256:${id}` },
  faces: [
    { box: boxAt(0), score: 0.99, landmarks: {}, embedding: Float32Array.from([1, 0.05, 0]) },
    { box: boxAt(1), score: 0.99, landmarks: {}, embedding: Float32Array.from([0, 0, 1]) },
  ],
});
const facts = (id: string) => ({ contentHash: `sha256:${id}`, size: 100, revision: null, rendition: null });

describe.each([{ kind: 'sqlite' }, { kind: 'postgresql' }])('group commit of scan writes ($kind store)', ({ kind }) => {
  let pg: PgCluster;
  let t: TestWorkspace;
  let shoot: Shoot;
  let roster: Roster;
  const read = <T>(work: (uow: UnitOfWork) => Promise<T>) => t.ws.store.transaction(work);
  const store = (ctx: TestWorkspace['ctx'], id: string, guard?: WriteGuard) =>
    storeAnalysis(ctx, shoot, item(id), facts(id), analysis(id), roster, FAKE_CALIBRATION, undefined, guard);

  beforeAll(async () => {
    if (kind !== 'postgresql') return;
    pg = await startPostgres();
    Object.assign(process.env, pg.env);
  }, 60_000);
  afterAll(async () => {
    await pg?.stop();
  });
  beforeEach(async () => {
    t = kind === 'sqlite' ? await makeWorkspace() : await makeTeamWorkspace(pg);
    await seedApprovedShoot(t, 's', [{ id: 'P1', name: 'Ada One', consent: 'yes' }]);
    await seedTemplate(t, 's', 'P1', [1, 0, 0]);
    shoot = await read((uow) => requireShoot(uow, 's'));
    roster = await loadMatchingRoster(t.ctx, shoot, FAKE_MODEL.digest);
  });
  afterEach(async () => {
    await t.cleanup();
  });

  it('the writes waiting behind the first share one transaction; each asset gets its faces and its own scan.asset entry, in the order they came, and the chain verifies', async () => {
    const { store: counted, transactions } = counting(t.ws.store);
    const ctx = scanWriteContext({ ...t.ctx, store: counted });
    const ids = ['a.jpg', 'b.jpg', 'c.jpg', 'd.jpg', 'e.jpg'];
    const results = await Promise.all(ids.map((id) => store(ctx, id)));

    // The first starts at once, alone (nothing waits for more); the four queued behind it share one.
    expect(transactions()).toBe(2);
    expect(results).toEqual(ids.map(() => ({ faces: 2, proposed: 1, unidentified: 1 })));
    const entries = (await read((uow) => uow.audit.all())).filter((e) => e.action === 'scan.asset');
    expect(entries.map((e) => e.subject)).toEqual(ids.map((id) => `asset:${id}`));
    for (const id of ids) {
      const asset = (await read((uow) => uow.assets.findByConnectorId('s', id)))!;
      expect(asset).toMatchObject({ scanState: 'scanned', contentSha256: `sha256:${id}`, width: 640 });
      expect(asset.flags).toEqual(['unidentified-person']);
      const faces = await read((uow) => uow.faces.listByAsset(asset.id));
      expect(faces.map((f) => [f.state, f.embedding === null])).toEqual([
        ['proposed', false],
        ['unidentified', true],
      ]);
      const entry = entries.find((e) => e.subject === `asset:${id}`)!;
      expect(entry.details).toMatchObject({ contentHash: `sha256:${id}`, faces: 2, unidentified: 1 });
      expect((entry.details.proposals as { face: number }[]).map((p) => p.face)).toEqual([faces[0]!.id]);
    }
    expect((await verifyAudit(t.ctx)).chain.ok).toBe(true);
  });

  it('one write that fails in a shared transaction fails alone: the others of its batch are written, each on its own', async () => {
    const { store: counted, transactions } = counting(t.ws.store);
    const ctx = scanWriteContext({ ...t.ctx, store: counted });
    const refused = new SitterError('TEST_REFUSED', 'this one asset is refused', 'none');
    const refuse: WriteGuard = async () => {
      throw refused;
    };
    const ids = ['a.jpg', 'b.jpg', 'c.jpg', 'd.jpg', 'e.jpg'];
    const results = await Promise.allSettled(ids.map((id) => store(ctx, id, id === 'c.jpg' ? refuse : undefined)));

    expect(results.map((r) => r.status)).toEqual(['fulfilled', 'fulfilled', 'rejected', 'fulfilled', 'fulfilled']);
    expect((results[2] as PromiseRejectedResult).reason).toBe(refused);
    // a alone; b-e together, rolled back by c; then b, c, d, e each alone
    expect(transactions()).toBe(1 + 1 + 4);
    const scanned = (await read((uow) => uow.assets.listByShoot('s'))).map((a) => [a.connectorAssetId, a.scanState]);
    expect(scanned).toEqual(ids.filter((id) => id !== 'c.jpg').map((id) => [id, 'scanned']));
    const entries = (await read((uow) => uow.audit.all())).filter((e) => e.action === 'scan.asset');
    expect(entries.map((e) => e.subject).sort()).toEqual(['asset:a.jpg', 'asset:b.jpg', 'asset:d.jpg', 'asset:e.jpg']);
    expect((await verifyAudit(t.ctx)).chain.ok).toBe(true);
  });

  it('a failure of the commit itself (stored or not, unknown) goes to every caller of the batch, and nothing is written twice', async () => {
    // The real store commits; then the connection is "lost" on the way back, as a COMMIT can be.
    let runs = 0;
    const lostAtCommit: Store = {
      transaction: async (work) => {
        runs += 1;
        const out = await t.ws.store.transaction(work);
        if (runs === 2) throw new Error('connection lost while committing');
        return out;
      },
      assertIntact: () => t.ws.store.assertIntact(),
      currentRole: () => t.ws.store.currentRole(),
      team: () => t.ws.store.team(),
      close: () => t.ws.store.close(),
    };
    const ctx = scanWriteContext({ ...t.ctx, store: lostAtCommit });
    const ids = ['a.jpg', 'b.jpg', 'c.jpg'];
    const results = await Promise.allSettled(ids.map((id) => store(ctx, id)));

    // a alone (fine); b and c together: committed, but their callers cannot know, so both get the error
    expect(results.map((r) => r.status)).toEqual(['fulfilled', 'rejected', 'rejected']);
    expect(String((results[1] as PromiseRejectedResult).reason)).toMatch(/connection lost while committing/);
    expect(runs).toBe(2);
    const entries = (await read((uow) => uow.audit.all())).filter((e) => e.action === 'scan.asset');
    expect(entries.map((e) => e.subject)).toEqual(ids.map((id) => `asset:${id}`));
    expect((await verifyAudit(t.ctx)).chain.ok).toBe(true);
  });

  it(`takes at most GROUP_COMMIT_MAX (${GROUP_COMMIT_MAX}) writes to a transaction`, async () => {
    const { store: counted, transactions } = counting(t.ws.store);
    const ctx = scanWriteContext({ ...t.ctx, store: counted });
    const ids = Array.from({ length: 2 + 2 * GROUP_COMMIT_MAX }, (_, i) => `p${String(i).padStart(2, '0')}.jpg`);
    await Promise.all(ids.map((id) => store(ctx, id)));
    // 1 alone, then the 17 queued behind it: 8, 8, 1
    expect(transactions()).toBe(1 + Math.ceil((ids.length - 1) / GROUP_COMMIT_MAX));
    expect((await read((uow) => uow.assets.listByShoot('s'))).every((a) => a.scanState === 'scanned')).toBe(true);
  });
});

describe('group commit on a SQLite workspace', () => {
  let t: TestWorkspace;
  beforeEach(async () => {
    t = await makeWorkspace();
  });
  afterEach(async () => {
    await t.cleanup();
  });

  it('DATABASE_LOCKED while another command writes: each write of the batch gets it and is retried by its caller (retryWhileLocked), then written once', async () => {
    await seedApprovedShoot(t, 's', [{ id: 'P1', name: 'Ada One', consent: 'yes' }]);
    await seedTemplate(t, 's', 'P1', [1, 0, 0]);
    const shoot = await t.ws.store.transaction((uow) => requireShoot(uow, 's'));
    const roster = await loadMatchingRoster(t.ctx, shoot, FAKE_MODEL.digest);
    // Another command holds the write lock (SQLite refuses the batch's upgrade to a writer at once).
    const other = new sqlite3.Database(join(t.root, 'sitter.db'));
    const exec = (sql: string) => new Promise<void>((ok, ko) => other.exec(sql, (e) => (e ? ko(e) : ok())));
    await exec('BEGIN IMMEDIATE');
    const ctx = scanWriteContext(t.ctx);
    const ids = ['a.jpg', 'b.jpg', 'c.jpg'];
    const locked = new Map<string, number>();
    const writes = ids.map((id) =>
      retryWhileLocked(async () => {
        try {
          return await storeAnalysis(
            ctx,
            shoot,
            item(id),
            facts(id),
            analysis(id),
            roster,
            FAKE_CALIBRATION,
            undefined,
          );
        } catch (error) {
          if (error instanceof SitterError && error.code === 'DATABASE_LOCKED')
            locked.set(id, (locked.get(id) ?? 0) + 1);
          throw error;
        }
      }),
    );
    await new Promise((r) => setTimeout(r, 1500));
    await exec('COMMIT');
    other.close();
    expect(await Promise.all(writes)).toEqual(ids.map(() => ({ faces: 2, proposed: 1, unidentified: 1 })));
    expect([...locked.keys()].sort()).toEqual(ids);
    const entries = (await t.ws.store.transaction((uow) => uow.audit.all())).filter((e) => e.action === 'scan.asset');
    expect(entries.map((e) => e.subject).sort()).toEqual(ids.map((id) => `asset:${id}`));
  }, 30_000);

  it('a scan killed with SIGKILL in the middle of a shared transaction resumes: none of that batch was kept, and every asset ends scanned once with the chain intact', async () => {
    // The CLI that checks the workspace between the runs purges by the real date: the shoot is of today.
    await t.cleanup();
    t = await makeWorkspace(new Date());
    const day = (offset: number) => new Date(Date.now() + offset * 86_400_000).toISOString().slice(0, 10);
    const source = join(t.root, '..', 'photos');
    mkdirSync(source);
    const ids = Array.from({ length: 8 }, (_, i) => `IMG_${i}.jpg`);
    const taken = `${day(0).replaceAll('-', ':')} 10:00:00`;
    for (const [i, id] of ids.entries()) writeFileSync(join(source, id), await datedJpeg(taken, '+00:00', i + 1));
    const days = { from: day(-1), to: day(1), utcOffset: '+00:00' };
    await seedApprovedShoot(t, 's', [{ id: 'P1', name: 'Ada One', consent: 'yes' }], 1, source, days);
    await seedTemplate(t, 's', 'P1', [1, 0, 0]);
    const child = resolve(import.meta.dirname, '../fixtures/group-commit-scan.mjs');

    const killed = spawn(process.execPath, [child, t.root, 'kill'], { stdio: ['ignore', 'pipe', 'pipe'] });
    let stderr = '';
    killed.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    const batch = await new Promise<number>((ok) => {
      killed.stdout.on('data', (d: Buffer) => {
        const m = /batch (\d+)/.exec(d.toString());
        if (m) {
          killed.kill('SIGKILL');
          ok(Number(m[1]));
        }
      });
      killed.on('exit', () => ok(0));
    });
    expect(batch, stderr).toBeGreaterThanOrEqual(2);
    await new Promise((ok) => (killed.exitCode === null && killed.signalCode === null ? killed.on('exit', ok) : ok(0)));

    const scanEntries = async () =>
      (await runSitter(['-w', t.root, 'audit', 'export', '--shoot', 's'])).stdout
        .trim()
        .split('\n')
        .map((l) => JSON.parse(l) as { action: string; subject: string })
        .filter((e) => e.action === 'scan.asset')
        .map((e) => e.subject);
    // Only the first asset, written alone before the batch, was committed.
    expect(await scanEntries()).toHaveLength(1);
    const verified = await runSitter(['-w', t.root, 'audit', 'verify']);
    expect(verified.code, verified.stderr).toBe(0);

    const resumed = await new Promise<{ code: number | null; out: string; err: string }>((ok) => {
      const p = spawn(process.execPath, [child, t.root, 'resume'], { stdio: ['ignore', 'pipe', 'pipe'] });
      let out = '';
      let err = '';
      p.stdout.on('data', (d: Buffer) => (out += d.toString()));
      p.stderr.on('data', (d: Buffer) => (err += d.toString()));
      p.on('close', (code) => ok({ code, out, err }));
    });
    expect(resumed.code, resumed.err).toBe(0);
    expect(JSON.parse(resumed.out.trim().split('\n').at(-1)!)).toMatchObject({ processed: 7, unchanged: 1 });
    expect((await scanEntries()).sort()).toEqual(ids.map((id) => `asset:${id}`));
    const after = await runSitter(['-w', t.root, 'audit', 'verify']);
    expect(after.code, after.stderr).toBe(0);
  }, 60_000);
});
