import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { exiftool } from 'exiftool-vendored';
import { afterAll, afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createLocalConnector } from '../../src/connectors/local/index.js';
import { wrapConnector } from '../../src/connectors/wrap-connector.js';
import type { Connector } from '../../src/core/ports/connector.js';
import { eraseParticipant } from '../../src/core/services/erase-service.js';
import { pushShoot } from '../../src/core/services/push-service.js';
import { type WithdrawalReceipt, withdrawConsent } from '../../src/core/services/withdraw-service.js';
import { withRawDb } from '../helpers/raw-db.js';
import { seedPushedPair } from '../helpers/seed.js';
import { stopClusters, type TestWorkspace, workspaceKinds } from '../helpers/workspace.js';

afterAll(async () => {
  await exiftool.end();
  await stopClusters();
});

/**
 * Rule 6 under concurrency: `sitter push` and `sitter withdraw` run at once (two processes, one
 * workspace). The interleavings that lost a withdrawal are forced here, on the real store and the
 * real local connector, by running one command inside a call of the other's connector.
 */
describe.each(workspaceKinds())('a push and a withdrawal at once ($kind)', ({ kind, make }) => {
  let t: TestWorkspace;
  let source = '';
  const connector = wrapConnector(createLocalConnector({}));
  /** The connector, with `hook` run once before the first call of `method`. */
  const hookedOnce = (method: 'push' | 'readWritten', hook: () => Promise<void>): Connector => {
    let fired = false;
    const hooked = Object.create(connector) as Connector;
    const original = connector[method]!.bind(connector) as (...args: unknown[]) => Promise<unknown>;
    (hooked as unknown as Record<string, unknown>)[method] = async (...args: unknown[]) => {
      if (!fired) {
        fired = true;
        await hook();
      }
      return original(...args);
    };
    return hooked;
  };
  const tagsOf = async (file: string) =>
    (await exiftool.read(join(source, file))) as unknown as Record<string, unknown>;
  const namesIn = async (file: string): Promise<unknown> =>
    existsSync(join(source, file))
      ? ((await exiftool.read(join(source, file))) as unknown as Record<string, unknown>).PersonInImage
      : 'no sidecar';
  const openPlacesOfP1 = async () =>
    t.ws.store.transaction(async (uow) => {
      const p1 = await uow.participants.findByExternalRef('s', 'P1');
      return uow.pushRecords.openByParticipant(p1!.id);
    });

  /** Runs `work` while another connection holds SQLite's write lock for longer than its busy timeout (3 s). */
  const whileAnotherHoldsTheDatabase = <T>(work: () => Promise<T>): Promise<T> =>
    withRawDb(t.ws.paths.database, async (sql) => {
      await sql('begin immediate');
      const running = work();
      await new Promise((r) => setTimeout(r, 4000));
      await sql('commit');
      return running;
    });

  beforeEach(async () => {
    t = await make();
    // P1 is named on a.jpg (with P2) and on b.jpg (alone).
    const seeded = await seedPushedPair(t, connector);
    source = seeded.source;
    expect(seeded.pushed.written).toBe(2);
  });
  afterEach(async () => {
    await t.cleanup();
  });

  it('a push that planned before the withdrawal does not write the withdrawn person back', async () => {
    // The withdrawal commits and finishes its DAM update while the push is in its first connector
    // call, with a plan read before it: that push must not name P1 anywhere afterwards.
    let receipt: WithdrawalReceipt | undefined;
    let afterWithdrawal: Record<string, unknown> = {};
    const racing = hookedOnce('push', async () => {
      receipt = await withdrawConsent(t.ctx, connector, 's', 'P1');
      afterWithdrawal = await tagsOf('a.jpg.xmp');
    });
    const pushed = await pushShoot(t.ctx, racing, 's');
    expect(receipt).toMatchObject({ outcome: 'withdrawn', verifiedInSource: 'clean', damFailures: [] });
    expect(pushed.failed).toEqual([]);
    expect(await namesIn('a.jpg.xmp')).toEqual(['Ben Staying']);
    // The clearance written is the one that holds now (a withdrawn person on the photo: not cleared),
    // not the one of the plan read before the withdrawal.
    const after = await tagsOf('a.jpg.xmp');
    expect(after.ClearanceSummary).toEqual(afterWithdrawal.ClearanceSummary);
    expect(JSON.stringify(after.ClearanceSummary)).toMatch(/not cleared/);
    // Each asset counted once, as its last write left it.
    expect(pushed.assets).toBe(2);
    expect(pushed.updated.map((u) => u.asset).sort()).toEqual(['a.jpg', 'b.jpg']);
    expect(await namesIn('b.jpg.xmp')).toBe('no sidecar');
    expect(JSON.stringify(readFileSync(join(source, 'a.jpg.xmp'), 'utf8'))).not.toContain('Ada Leaving');
    // Sitter's own record agrees with the DAM: no place names P1.
    expect(await openPlacesOfP1()).toEqual([]);
  });

  it('a push that planned before an erasure leaves neither the name in the DAM nor a record of the person', async () => {
    const p1 = await t.ws.store.transaction((uow) => uow.participants.findByExternalRef('s', 'P1'));
    const racing = hookedOnce('push', async () => {
      await eraseParticipant(t.ctx, connector, 's', 'P1');
    });
    await pushShoot(t.ctx, racing, 's');
    expect(await namesIn('a.jpg.xmp')).toEqual(['Ben Staying']);
    expect(await namesIn('b.jpg.xmp')).toBe('no sidecar');
    // No push record, open or cleared, holds the erased person's consent URI (it carries their reference).
    expect(await t.ws.store.transaction((uow) => uow.pushRecords.listByParticipant(p1!.id))).toEqual([]);
  });

  it('a withdrawal whose read-back finds the person written again by a concurrent push updates again, and its receipt says clean', async () => {
    // What a push with a stale plan writes onto a.jpg between the withdrawal's update and its read-back.
    const stale = readFileSync(join(source, 'a.jpg.xmp'));
    const racing = hookedOnce('readWritten', async () => writeFileSync(join(source, 'a.jpg.xmp'), stale));
    const receipt = await withdrawConsent(t.ctx, racing, 's', 'P1');
    expect(receipt).toMatchObject({ outcome: 'withdrawn', verifiedInSource: 'clean', damFailures: [] });
    expect(receipt.damUpdates.map((u) => [u.asset, u.action]).sort()).toEqual([
      ['a.jpg', 'written'],
      ['b.jpg', 'cleared'],
    ]);
    expect(await namesIn('a.jpg.xmp')).toEqual(['Ben Staying']);
  });

  it('a photo where the withdrawn person was the only one named, written again by a concurrent push, is cleared again', async () => {
    // b.jpg names P1 alone: the withdrawal clears it (no place left on record), then the stale write lands.
    const stale = readFileSync(join(source, 'b.jpg.xmp'));
    const racing = hookedOnce('readWritten', async () => writeFileSync(join(source, 'b.jpg.xmp'), stale));
    const receipt = await withdrawConsent(t.ctx, racing, 's', 'P1');
    expect(receipt).toMatchObject({ outcome: 'withdrawn', verifiedInSource: 'clean', damFailures: [] });
    expect(await namesIn('b.jpg.xmp')).toBe('no sidecar');
    expect(await openPlacesOfP1()).toEqual([]);
  });

  it.runIf(kind === 'sqlite')(
    'a withdrawal waits for another command holding the database instead of refusing',
    async () => {
      const receipt = await whileAnotherHoldsTheDatabase(() => withdrawConsent(t.ctx, connector, 's', 'P1'));
      expect(receipt).toMatchObject({ outcome: 'withdrawn', verifiedInSource: 'clean' });
    },
    30_000,
  );

  it.runIf(kind === 'sqlite')(
    'an erasure waits for another command holding the database instead of refusing',
    async () => {
      const receipt = await whileAnotherHoldsTheDatabase(() => eraseParticipant(t.ctx, connector, 's', 'P1'));
      expect(receipt).toMatchObject({ outcome: 'erased' });
    },
    30_000,
  );

  it.runIf(kind === 'sqlite')(
    'a re-import that withdraws waits for another command holding the database instead of refusing',
    async () => {
      const { importConsent } = await import('../../src/core/services/consent-service.js');
      const { parseConsentFile } = await import('../../src/core/consent/index.js');
      const { consentFileAccessFor, readConsentFile } = await import('../../src/core/store/files/consent-files.js');
      const { pngBytes, writeConsentFolder } = await import('../helpers/consent-fixture.js');
      const file = writeConsentFolder(join(t.root, '..', 'consent-withdrawing'), [
        { id: 'P1', name: 'Ada Leaving', consent: 'yes', photo: await pngBytes(1), withdrawn: '2026-05-20' },
        { id: 'P2', name: 'Ben Staying', consent: 'yes', photo: await pngBytes(2) },
      ]);
      const parsed = await parseConsentFile(await readConsentFile(file), consentFileAccessFor(file));
      const summary = await whileAnotherHoldsTheDatabase(() => importConsent(t.ctx, 's', parsed, file));
      expect(summary.withdrawn).toEqual(['P1']);
    },
    30_000,
  );

  it('a withdrawal reports, not hides, a DAM that keeps naming the person', async () => {
    // Every read-back finds the stale sidecar again (a DAM that restores it): the receipt says so.
    const stale = readFileSync(join(source, 'a.jpg.xmp'));
    const restoring = Object.create(connector) as Connector;
    restoring.readWritten = async (...args: Parameters<NonNullable<Connector['readWritten']>>) => {
      writeFileSync(join(source, 'a.jpg.xmp'), stale);
      return connector.readWritten!(...args);
    };
    const receipt = await withdrawConsent(t.ctx, restoring, 's', 'P1');
    expect(receipt.verifiedInSource).toBe('still-named');
    expect(receipt.sourceCheck?.stillNamed).toEqual([expect.stringContaining('a.jpg')]);
  });
});
