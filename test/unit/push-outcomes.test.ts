import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { givenConnector, givenEngine } from '../../src/app/given-providers.js';
import type { UnitOfWork } from '../../src/core/ports/store.js';
import { decideFace } from '../../src/core/services/decision-service.js';
import { warmListing } from '../../src/core/services/push-outcome.js';
import { pushShoot } from '../../src/core/services/push-service.js';
import { scanShoot } from '../../src/core/services/scan-service.js';
import { boxAt, FAKE_CALIBRATION, FakeDamConnector, FakeEngine, FakeSource } from '../helpers/fakes.js';
import { seedApprovedShoot, seedTemplate } from '../helpers/seed.js';
import { makeWorkspace, type TestWorkspace } from '../helpers/workspace.js';

/**
 * Push through a contract-3 DAM (test/helpers/fakes.ts `FakeDamConnector`): the scan's revision and
 * rendition go back as the push guard, and the DAM's outcome decides what Sitter records: a queued
 * edit is pending, an ignored one is a failure with no record, a partial one a warning.
 */
describe('push outcomes of a contract-3 connector', () => {
  let t: TestWorkspace;
  let dam: FakeDamConnector;
  const read = <T>(work: (uow: UnitOfWork) => Promise<T>) => t.ws.store.transaction(work);
  const records = () => read((uow) => uow.pushRecords.listByShoot('s'));
  const auditOf = async (action: string) => (await read((uow) => uow.audit.all())).filter((e) => e.action === action);

  beforeEach(async () => {
    t = await makeWorkspace();
    await seedApprovedShoot(t, 's', [{ id: 'P1', name: 'Ada One', consent: 'yes' }]);
    await seedTemplate(t, 's', 'P1', [1, 0, 0]);
    const source = new FakeSource([{ id: 'a.jpg', faces: [{ box: boxAt(0), embedding: [1, 0.05, 0] }] }]);
    dam = new FakeDamConnector(source);
    await scanShoot(
      t.ctx,
      { connectors: givenConnector(dam), engines: givenEngine(new FakeEngine(source), FAKE_CALIBRATION) },
      's',
    );
    const [face] = await read((uow) => uow.faces.listByShoot('s'));
    await decideFace(t.ctx, 's', face!.id, { kind: 'confirm' }, 'Rita');
  });
  afterEach(async () => {
    await t.cleanup();
  });

  it("hands the scan's revision and rendition back as the guard, at push priority", async () => {
    const summary = await pushShoot(t.ctx, dam, 's');
    expect(summary).toMatchObject({ written: 1, queued: 0, failed: [], warnings: [] });
    expect(dam.pushed[0]).toMatchObject({ expectedRevision: 'r1', expectedRendition: { maxDimension: 2048 } });
    expect(dam.callOptions).toEqual([{ call: 'push', options: { priority: 'push' } }]);
    expect((await records()).map((r) => r.state)).toEqual(['written']);
  });

  it('a revision connector has its listing warmed once when more assets are to be written than it has pages', async () => {
    const listed: (string | undefined)[] = [];
    const list = dam.list.bind(dam);
    dam.list = async (source, options) => {
      listed.push(options?.priority);
      return list(source, options);
    };
    await warmListing(dam, 'src', 3, 3);
    expect(listed).toEqual(['push']);
    listed.length = 0;
    // One asset of 250: the listing (3 pages) would cost more than the one guard request it saves.
    await warmListing(dam, 'src', 1, 250);
    await pushShoot(t.ctx, dam, 's');
    expect(listed).toEqual([]);
  });

  it('queued-for-approval: a pending-approval push record and push.queued on the chain, not "written"', async () => {
    dam.pushOutcome = 'queued-for-approval';
    const summary = await pushShoot(t.ctx, dam, 's');
    expect(summary).toMatchObject({ written: 0, queued: 1, failed: [] });
    expect(summary.updated).toEqual([{ asset: 'a.jpg', action: 'queued', location: 'fake-dam:a.jpg' }]);
    expect((await records()).map((r) => [r.connectorAssetId, r.state, r.clearedAt])).toEqual([
      ['a.jpg', 'pending-approval', null],
    ]);
    expect(await auditOf('push.queued')).toHaveLength(1);
    expect(await auditOf('push.asset')).toHaveLength(0);
    // Approved later and pushed again: the same record is now written.
    dam.pushOutcome = 'written';
    await pushShoot(t.ctx, dam, 's');
    expect((await records()).map((r) => r.state)).toEqual(['written']);
  });

  it('ignored-by-server: the asset fails with CONNECTOR_FIELDS_IGNORED naming the fields, and nothing is recorded as written', async () => {
    dam.pushOutcome = 'ignored-by-server';
    dam.ignoredFields = ['Consent refs', 'Participants'];
    const summary = await pushShoot(t.ctx, dam, 's');
    expect(summary.written).toBe(0);
    expect(summary.failed).toEqual([
      expect.objectContaining({
        asset: 'a.jpg',
        code: 'CONNECTOR_FIELDS_IGNORED',
        message: expect.stringContaining('"Consent refs", "Participants"'),
        hint: expect.stringContaining('read-only'),
      }),
    ]);
    expect(await records()).toEqual([]);
    expect(await auditOf('push.asset')).toHaveLength(0);
  });

  it('written with ignoredFields: written, with a warning naming the fields kept', async () => {
    dam.ignoredFields = ['Usage clearance'];
    const summary = await pushShoot(t.ctx, dam, 's');
    expect(summary).toMatchObject({ written: 1, failed: [] });
    expect(summary.warnings).toEqual([
      expect.objectContaining({ asset: 'a.jpg', code: 'CONNECTOR_FIELDS_IGNORED', fields: ['Usage clearance'] }),
    ]);
    expect((await records()).map((r) => r.state)).toEqual(['written']);
    expect((await auditOf('push.asset'))[0]!.details).toMatchObject({ ignoredFields: ['Usage clearance'] });
  });
});
