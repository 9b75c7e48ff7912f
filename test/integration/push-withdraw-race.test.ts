import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { exiftool } from 'exiftool-vendored';
import { afterAll, afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createLocalConnector } from '../../src/connectors/local/index.js';
import { wrapConnector } from '../../src/connectors/wrap-connector.js';
import type { Connector } from '../../src/core/ports/connector.js';
import { pushShoot } from '../../src/core/services/push-service.js';
import { type WithdrawalReceipt, withdrawConsent } from '../../src/core/services/withdraw-service.js';
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
describe.each(workspaceKinds())('a push and a withdrawal at once ($kind)', ({ make }) => {
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
  const namesIn = async (file: string): Promise<unknown> =>
    existsSync(join(source, file))
      ? ((await exiftool.read(join(source, file))) as unknown as Record<string, unknown>).PersonInImage
      : 'no sidecar';
  const openPlacesOfP1 = async () =>
    t.ws.store.transaction(async (uow) => {
      const p1 = await uow.participants.findByExternalRef('s', 'P1');
      return uow.pushRecords.openByParticipant(p1!.id);
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
    const racing = hookedOnce('push', async () => {
      receipt = await withdrawConsent(t.ctx, connector, 's', 'P1');
    });
    const pushed = await pushShoot(t.ctx, racing, 's');
    expect(receipt).toMatchObject({ outcome: 'withdrawn', verifiedInSource: 'clean', damFailures: [] });
    expect(pushed.failed).toEqual([]);
    expect(await namesIn('a.jpg.xmp')).toEqual(['Ben Staying']);
    expect(await namesIn('b.jpg.xmp')).toBe('no sidecar');
    expect(JSON.stringify(readFileSync(join(source, 'a.jpg.xmp'), 'utf8'))).not.toContain('Ada Leaving');
    // Sitter's own record agrees with the DAM: no place names P1.
    expect(await openPlacesOfP1()).toEqual([]);
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
