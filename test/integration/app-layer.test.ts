import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { exiftool } from 'exiftool-vendored';
import { afterAll, afterEach, beforeEach, describe, expect, it } from 'vitest';
import { openSession, type Providers } from '../../src/app/session.js';
import { scan } from '../../src/app/use-cases/scan.js';
import { createLocalConnector } from '../../src/connectors/local/index.js';
import { wrapConnector } from '../../src/connectors/wrap-connector.js';
import { acquireScanLock } from '../../src/core/store/scan-lock.js';
import { matchLimits } from '../../src/core/domain/match-limits.js';
import type { ConnectorProvider, EngineProvider } from '../../src/core/ports/providers.js';
import { closeShoot, createShoot } from '../../src/core/services/shoot-service.js';
import { openAppGateway } from '../../src/tui/app/workspace-gateway.js';
import type { AppGateway } from '../../src/tui/app/gateway.js';
import { jsonOf, runSitter } from '../helpers/cli.js';
import { recordingEngine, TEST_CALIBRATION } from '../helpers/fake-engine.js';
import { pngBytes, writeConsentFolder } from '../helpers/consent-fixture.js';
import { withRawDb } from '../helpers/raw-db.js';
import { datedJpeg, seedApprovedShoot, seedPushedPair, seedTemplate } from '../helpers/seed.js';
import { makeWorkspace, type TestWorkspace } from '../helpers/workspace.js';

/** Providers that count every engine load and connector made, handing out the fake engine and the real local connector. */
function countingProviders() {
  const engine = recordingEngine();
  const counts = { engines: [] as string[], connectors: 0 };
  const engines: EngineProvider = {
    async open(kind) {
      counts.engines.push(kind);
      return { engine, calibration: TEST_CALIBRATION };
    },
  };
  const connectors: ConnectorProvider = {
    async forShoot(shoot) {
      counts.connectors += 1;
      return wrapConnector(createLocalConnector(shoot.connectorOptions));
    },
  };
  const providers: Partial<Providers> = { engines, connectors };
  return { engine, counts, providers };
}

/** A shoot created with its days (today, give or take one) but never approved. */
function createDraft(t: TestWorkspace, source: string) {
  return createShoot(t.ctx, {
    id: 'draft',
    name: 'draft',
    purpose: 'test',
    source,
    retentionDays: 30,
    connector: 'local',
    reviewersRequired: 1,
    ...aroundToday(),
  });
}

const day = (offset: number) => new Date(Date.now() + offset * 86_400_000).toISOString().slice(0, 10);
/** Shoot days from yesterday to tomorrow (UTC): the CLI runs on the system clock. */
const aroundToday = () => ({ from: day(-1), to: day(1), utcOffset: '+00:00' });

describe('one application layer: the CLI and the app run the same use cases', () => {
  let t: TestWorkspace;
  let gateway: AppGateway | undefined;
  const cli = (...args: string[]) => runSitter(['-w', t.root, '--json', ...args]);

  beforeEach(async () => {
    // Today's clock, so that the CLI's system clock and the services' agree on approval and retention.
    t = await makeWorkspace(new Date());
  });
  afterEach(async () => {
    await gateway?.close();
    gateway = undefined;
    await t.cleanup();
  });

  it('a scan or enrolment the shoot does not allow is refused the same way by the CLI and the app, before any connector or model', async () => {
    const source = join(t.root, '..', 'photos');
    mkdirSync(source);
    await createDraft(t, source);
    await seedApprovedShoot(
      t,
      'closed',
      [{ id: 'P1', name: 'Ada', consent: 'yes' }],
      1,
      join(t.root, '..', 'c'),
      aroundToday(),
    );
    await closeShoot(t.ctx, 'closed');

    const { counts, providers } = countingProviders();
    gateway = await openAppGateway({ workspace: t.root, reviewer: 'Rita', providers });
    for (const [shoot, code] of [
      ['draft', 'SHOOT_NOT_APPROVED'],
      ['closed', 'SHOOT_CLOSED'],
      ['nobody', 'SHOOT_NOT_FOUND'],
    ] as const) {
      await expect(gateway.scan(shoot, () => undefined, new AbortController().signal)).rejects.toMatchObject({ code });
      await expect(gateway.enrol(shoot)).rejects.toMatchObject({ code });
      for (const command of ['scan', 'enrol']) {
        const run = await cli(command, shoot);
        expect(run.code).toBe(1);
        expect(jsonOf(run)).toMatchObject({ error: { code } });
      }
    }
    // The app used to load the engine pool and make the connector before the scan service checked the shoot.
    expect(counts).toEqual({ engines: [], connectors: 0 });
  }, 60_000);

  it("the app's scan takes the scan lock and the shoot's connector through the scan use case, and loads the engine once, after the checks", async () => {
    const source = join(t.root, '..', 'photos');
    mkdirSync(source);
    await seedApprovedShoot(t, 's', [{ id: 'P1', name: 'Ada', consent: 'yes' }], 1, source, aroundToday());
    await seedTemplate(t, 's', 'P1', [1, 0, 0], 'test-model');
    const today = day(0).replace(/-/g, ':');
    for (const n of [1, 2, 3])
      writeFileSync(join(source, `${n}.jpg`), await datedJpeg(`${today} 12:00:00`, '+00:00', n));

    const { engine, counts, providers } = countingProviders();
    gateway = await openAppGateway({ workspace: t.root, reviewer: 'Rita', providers });
    // Another scan of the shoot is running (this process holds its lock): refused before any engine loads.
    const held = acquireScanLock(t.root, 's');
    try {
      await expect(gateway.scan('s', () => undefined, new AbortController().signal)).rejects.toMatchObject({
        code: 'SCAN_RUNNING',
      });
      expect(counts).toEqual({ engines: [], connectors: 0 });
    } finally {
      held.release();
    }

    const summary = await gateway.scan('s', () => undefined, new AbortController().signal);
    expect(summary).toMatchObject({ listed: 3, processed: 3, failed: [], stopped: false });
    expect(engine.analysed).toBe(3);
    expect(counts).toEqual({ engines: ['pool'], connectors: 1 });
    // The scan released its lock: another scan of the shoot may start.
    expect(() => acquireScanLock(t.root, 's').release()).not.toThrow();
  }, 60_000);

  it('the scan use case run directly refuses the same way, with no engine loaded', async () => {
    await createDraft(t, join(t.root, '..'));
    const { counts, providers } = countingProviders();
    const session = await openSession(t.root, { providers });
    try {
      await expect(scan(session, 'draft')).rejects.toMatchObject({ code: 'SHOOT_NOT_APPROVED' });
    } finally {
      await session.close();
    }
    expect(counts).toEqual({ engines: [], connectors: 0 });
  });

  it('enrolment and the review app refuse a reference photo changed since the import with the one check both use', async () => {
    await seedApprovedShoot(
      t,
      's',
      [{ id: 'P1', name: 'Ada', consent: 'yes' }],
      1,
      join(t.root, '..', 'p'),
      aroundToday(),
    );
    // The photo on disk is swapped after the import.
    const photo = join(t.root, '..', 'consent-s', 'photos', 'P1.png');
    writeFileSync(photo, await pngBytes(99));
    const { engine, counts, providers } = countingProviders();
    gateway = await openAppGateway({ workspace: t.root, reviewer: 'Rita', providers });
    await expect(gateway.enrol('s')).rejects.toMatchObject({
      code: 'ENROL_FAILED',
      details: {
        outcomes: [{ participant: 'P1', result: 'failed', code: 'REFERENCE_PHOTO_CHANGED' }],
      },
    });
    expect(engine.analysed).toBe(0); // never learned from
    expect(counts.engines).toEqual(['single']);
    const queue = await gateway.loadQueue('s');
    const p1 = queue.participants.P1!;
    await expect(gateway.referenceImage('s', p1, 10, 10)).rejects.toMatchObject({
      code: 'REFERENCE_PHOTO_CHANGED',
      message: `The reference photo of P1 (${photo}) changed since the consent import.`,
    });
  });

  it("the review queue and the scan use the same effective limits: the shoot's own, else the calibration's", () => {
    expect(matchLimits({ matchThreshold: null, matchMargin: null }, TEST_CALIBRATION)).toEqual({
      threshold: 0.5,
      margin: 0.1,
    });
    expect(matchLimits({ matchThreshold: 0.4, matchMargin: 0.02 }, TEST_CALIBRATION)).toEqual({
      threshold: 0.4,
      margin: 0.02,
    });
  });
});

describe('rule 6 after a re-import: the DAM is updated through the shoot connector, never another one', () => {
  let t: TestWorkspace;
  const cli = (...args: string[]) =>
    runSitter(['-w', t.root, '--json', ...args], { env: { SITTER_PLUGINS: join(t.root, '..', 'no-plugins') } });
  beforeEach(async () => {
    t = await makeWorkspace(new Date());
  });
  afterEach(async () => {
    await t.cleanup();
  });
  afterAll(async () => {
    await exiftool.end();
  });

  it('a withdrawing re-import whose shoot connector cannot be made says so, keeps the withdrawal, and writes nothing through the local connector', async () => {
    const { source } = await seedPushedPair(t, wrapConnector(createLocalConnector({})));
    // The shoot's connector was a plugin that is no longer installed.
    await withRawDb(t.ws.paths.database, (sql) => sql("update shoot set connector = 'gone-plugin' where id = 's'"));
    mkdirSync(join(t.root, '..', 'no-plugins'));
    const file = writeConsentFolder(join(t.root, '..', 'consent-again'), [
      { id: 'P1', name: 'Ada Leaving', consent: 'yes', photo: await pngBytes(1), withdrawn: '2026-02-01' },
      { id: 'P2', name: 'Ben Staying', consent: 'yes', photo: await pngBytes(2) },
    ]);

    const run = await cli('consent', 'import', 's', file);
    expect(run.code).toBe(1);
    const out = jsonOf(run) as {
      withdrawn: string[];
      damUpdates: unknown[];
      damUnreached: { code: string; message: string; hint: string };
    };
    expect(out.withdrawn).toEqual(['P1']);
    expect(out.damUpdates).toEqual([]);
    expect(out.damUnreached.code).toBe('CONNECTOR_UNKNOWN');
    expect(out.damUnreached.message).toContain('The withdrawal is recorded, but the DAM metadata was not updated');
    expect(out.damUnreached.message).toContain('"gone-plugin"');
    expect(out.damUnreached.hint).toContain('sitter push s --withdrawals');
    // Nothing was written through the local connector in the plugin's place: the sidecar is as it was.
    const tags = (await exiftool.read(join(source, 'a.jpg.xmp'))) as unknown as Record<string, unknown>;
    expect(tags.PersonInImage).toEqual(expect.arrayContaining(['Ada Leaving', 'Ben Staying']));

    // With the connector back, the hinted command takes the withdrawn off the DAM.
    await withRawDb(t.ws.paths.database, (sql) => sql("update shoot set connector = 'local' where id = 's'"));
    expect((await cli('push', 's', '--withdrawals')).code).toBe(0);
    const after = (await exiftool.read(join(source, 'a.jpg.xmp'))) as unknown as Record<string, unknown>;
    expect(after.PersonInImage).toEqual(['Ben Staying']);
  }, 60_000);

  it('sitter withdraw on a shoot whose connector cannot be made still withdraws: the DAM update is reported failed, and a rerun finishes it', async () => {
    const { source } = await seedPushedPair(t, wrapConnector(createLocalConnector({})));
    await withRawDb(t.ws.paths.database, (sql) => sql("update shoot set connector = 'gone-plugin' where id = 's'"));

    const run = await cli('withdraw', 's', 'P1');
    expect(run.code).toBe(1);
    const out = jsonOf(run) as {
      outcome: string;
      templatesDeleted: number;
      damUpdates: unknown[];
      damFailures: { asset: string; code: string; message: string; hint: string }[];
    };
    // Rule 6: the withdrawal itself stands (before, the missing plugin refused the whole command).
    expect(out.outcome).toBe('withdrawn');
    expect(out.damUpdates).toEqual([]);
    expect(out.damFailures).toEqual([
      expect.objectContaining({
        asset: '*',
        code: 'CONNECTOR_UNKNOWN',
        hint: expect.stringContaining('sitter withdraw s P1'),
      }),
    ]);
    const list = jsonOf(await cli('consent', 'list', 's')) as {
      participants: { participant: string; status: string }[];
    };
    expect(list.participants.find((p) => p.participant === 'P1')?.status).toBe('withdrawn');
    const tags = (await exiftool.read(join(source, 'a.jpg.xmp'))) as unknown as Record<string, unknown>;
    expect(tags.PersonInImage).toEqual(expect.arrayContaining(['Ada Leaving', 'Ben Staying']));

    // With the connector back, running the withdrawal again finishes the DAM update.
    await withRawDb(t.ws.paths.database, (sql) => sql("update shoot set connector = 'local' where id = 's'"));
    const again = await cli('withdraw', 's', 'P1');
    expect(again.code).toBe(0);
    expect((jsonOf(again) as { outcome: string }).outcome).toBe('completed');
    const after = (await exiftool.read(join(source, 'a.jpg.xmp'))) as unknown as Record<string, unknown>;
    expect(after.PersonInImage).toEqual(['Ben Staying']);
  }, 60_000);

  /** Withdraws P1 twice while the shoot's connector cannot be made; returns the second run, in text. */
  async function withdrawTwiceWithoutConnector() {
    await withRawDb(t.ws.paths.database, (sql) => sql("update shoot set connector = 'gone-plugin' where id = 's'"));
    expect((await cli('withdraw', 's', 'P1')).code).toBe(1);
    const again = await runSitter(['-w', t.root, 'withdraw', 's', 'P1']);
    expect(again.code).toBe(1);
    return again;
  }

  it('a withdrawal rerun while the connector still cannot be made says the DAM update is still pending, exit 1', async () => {
    await seedPushedPair(t, wrapConnector(createLocalConnector({})));
    const again = await withdrawTwiceWithoutConnector();
    expect(again.stdout).toContain('DAM update is still pending');
    expect(again.stdout).not.toContain('Completed an earlier');
    expect((jsonOf(await cli('withdraw', 's', 'P1')) as { outcome: string }).outcome).toBe('dam-pending');
  }, 60_000);

  it('a withdrawal rerun on a shoot with no pushes whose connector was never reached does not say "nothing left to do"', async () => {
    await seedApprovedShoot(t, 's', [{ id: 'P1', name: 'Ada Leaving', consent: 'yes' }]);
    const again = await withdrawTwiceWithoutConnector();
    expect(again.stdout).toContain('the DAM was not reached');
    expect(again.stdout).not.toContain('nothing left to do');

    // Once the connector is back, the rerun reaches it (its leftover sweep runs) and then nothing is left.
    await withRawDb(t.ws.paths.database, (sql) => sql("update shoot set connector = 'local' where id = 's'"));
    expect((jsonOf(await cli('withdraw', 's', 'P1')) as { outcome: string }).outcome).toBe('completed');
    expect((jsonOf(await cli('withdraw', 's', 'P1')) as { outcome: string }).outcome).toBe('already-complete');
  }, 60_000);
});
