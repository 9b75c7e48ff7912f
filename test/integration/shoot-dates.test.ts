import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { ExifTool } from 'exiftool-vendored';
import sharp from 'sharp';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { givenConnector, givenEngine } from '../../src/app/given-providers.js';
import { createLocalConnector } from '../../src/connectors/index.js';
import { captureTimeOf } from '../../src/connectors/local/capture-time.js';
import type { FaceEngine } from '../../src/core/ports/face-engine.js';
import { decideFace } from '../../src/core/services/decision-service.js';
import { scanShoot } from '../../src/core/services/scan-service.js';
import { createShoot } from '../../src/core/services/shoot-service.js';
import { jsonOf, runSitter } from '../helpers/cli.js';
import { recordingEngine, TEST_CALIBRATION } from '../helpers/fake-engine.js';
import { withRawDb } from '../helpers/raw-db.js';
import { SEED_SHOOT_DAYS, seedApprovedShoot, seedProposal, seedTemplate } from '../helpers/seed.js';
import { makeWorkspace, type TestWorkspace } from '../helpers/workspace.js';

const exiftool = new ExifTool();
afterAll(() => exiftool.end());

const day = (offset: number) => new Date(Date.now() + offset * 86_400_000).toISOString().slice(0, 10);
const exifDay = (offset: number) => day(offset).replaceAll('-', ':');

/** A plain JPEG, with the EXIF capture time a camera would write (exiftool, as a camera would), or none. */
async function photo(file: string, dateTimeOriginal?: string, offset?: string): Promise<void> {
  writeFileSync(
    file,
    await sharp({ create: { width: 64, height: 48, channels: 3, background: { r: 90, g: 120, b: 150 } } })
      .jpeg()
      .toBuffer(),
  );
  if (dateTimeOriginal)
    await exiftool.write(
      file,
      { DateTimeOriginal: dateTimeOriginal, ...(offset ? { OffsetTimeOriginal: offset } : {}) },
      { writeArgs: ['-overwrite_original'] },
    );
}

describe('historical content stays out: a scan judges each photo by its capture time', () => {
  let t: TestWorkspace;
  let photos = '';
  const cli = (...args: string[]) => runSitter(['-w', t.root, '--json', ...args]);
  const scan = (engine: FaceEngine) =>
    scanShoot(
      t.ctx,
      {
        connectors: givenConnector(createLocalConnector()),
        engines: givenEngine(engine, TEST_CALIBRATION),
      },
      's',
    );

  beforeAll(async () => {
    // The clock is today's, so that the CLI's own (system) clock agrees with the services'.
    t = await makeWorkspace(new Date());
    photos = join(t.root, '..', 'photos');
    mkdirSync(photos);
    // The shoot: yesterday to tomorrow, counted in UTC.
    await seedApprovedShoot(t, 's', [{ id: 'P1', name: 'Ada', consent: 'yes' }], 1, photos, {
      from: day(-1),
      to: day(1),
      utcOffset: '+00:00',
    });
    await seedTemplate(t, 's', 'P1', [1, 0, 0], 'test-model');
    await photo(join(photos, 'in.jpg'), `${exifDay(0)} 12:00:00`, '+02:00');
    // 01:30 at +02:00 on the day after the last day is 23:30 UTC on the last day: inside, by its offset.
    await photo(join(photos, 'edge.jpg'), `${exifDay(2)} 01:30:00`, '+02:00');
    // Without an offset the time is read in the shoot's offset (UTC): 00:30 after the last day is outside.
    await photo(join(photos, 'late.jpg'), `${exifDay(2)} 00:30:00`);
    await photo(join(photos, 'archive-2019.jpg'), '2019:07:01 10:00:00', '+01:00');
    await photo(join(photos, 'undated.jpg'));
  }, 60_000);
  afterAll(async () => {
    await t.cleanup();
  });

  it('the local connector reads DateTimeOriginal with its offset, and nothing else, from the bytes', async () => {
    expect(await captureTimeOf(readFileSync(join(photos, 'edge.jpg')))).toEqual({
      local: `${day(2)}T01:30:00`,
      offset: '+02:00',
    });
    expect(await captureTimeOf(readFileSync(join(photos, 'late.jpg')))).toEqual({
      local: `${day(2)}T00:30:00`,
      offset: null,
    });
    expect(await captureTimeOf(readFileSync(join(photos, 'undated.jpg')))).toBeNull();
  });

  it('refuses photos captured outside the shoot dates and holds undated ones, never analysing either; report counts both', async () => {
    const engine = recordingEngine();
    const summary = await scan(engine);
    expect(engine.analysed).toBe(2); // in.jpg and edge.jpg only: no biometric processing of the others at all
    expect(summary.processed).toBe(2);
    expect(summary.outsideDates.map((o) => o.asset).sort()).toEqual(['archive-2019.jpg', 'late.jpg']);
    expect(summary.outsideDates.find((o) => o.asset === 'archive-2019.jpg')?.capturedAt).toBe(
      '2019-07-01T10:00:00+01:00',
    );
    expect(summary.noCaptureTime).toEqual(['undated.jpg']);

    const report = jsonOf(await cli('report', 's')) as {
      assets: Record<string, number>;
      outOfScope: { asset: string; state: string; reason: string }[];
      todo: string[];
    };
    expect(report.assets).toMatchObject({ total: 5, scanned: 2, outsideDates: 2, noCaptureTime: 1 });
    expect(report.outOfScope).toEqual(
      expect.arrayContaining([
        {
          asset: 'archive-2019.jpg',
          state: 'refused',
          reason: expect.stringMatching(/^outside-shoot-dates: captured 2019-07-01T10:00:00\+01:00/),
        },
        { asset: 'undated.jpg', state: 'held', reason: expect.stringMatching(/^no-capture-time/) },
      ]),
    );
    expect(report.todo.join('\n')).toMatch(/sitter shoot allow-undated s/);
    const audit = (await runSitter(['-w', t.root, 'audit', 'export', '--shoot', 's'])).stdout
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as { action: string; subject: string; details: { reason?: string } });
    expect(
      audit
        .filter((e) => e.action === 'scan.asset-refused')
        .map((e) => e.subject)
        .sort(),
    ).toEqual(['asset:archive-2019.jpg', 'asset:late.jpg']);
    expect(audit.find((e) => e.action === 'scan.asset-held')).toMatchObject({
      subject: 'asset:undated.jpg',
      details: { reason: 'no-capture-time' },
    });

    // A rescan refuses them again: the dates are part of the shoot, not of one run.
    const again = recordingEngine();
    await scan(again);
    expect(again.analysed).toBe(0);
  });

  it('a person allows an undated photo (recorded with a reason); only then is it processed, and never an out-of-date one', async () => {
    const refused = await cli('shoot', 'allow-undated', 's', 'archive-2019.jpg', '--reason', 'trust me');
    expect(refused.code).toBe(1);
    expect(jsonOf(refused).error).toMatchObject({
      code: 'ASSET_NOT_HELD',
      hint: expect.stringMatching(/outside the shoot's dates are never allowed/),
    });
    const noReason = await cli('shoot', 'allow-undated', 's', 'undated.jpg');
    expect(noReason.code).toBe(2);

    const allowed = await cli(
      'shoot',
      'allow-undated',
      's',
      'undated.jpg',
      '--reason',
      'scanned print from the shoot day, checked by the photographer',
    );
    expect(allowed.code, allowed.stdout).toBe(0);
    expect(jsonOf(allowed)).toMatchObject({
      allowed: [{ asset: 'undated.jpg', contentHash: expect.stringMatching(/^sha256:/) }],
    });
    const engine = recordingEngine();
    const summary = await scan(engine);
    expect(engine.analysed, JSON.stringify(summary)).toBe(1);
    expect(summary.noCaptureTime).toEqual([]);
    expect((jsonOf(await cli('report', 's')) as { assets: Record<string, number> }).assets).toMatchObject({
      scanned: 3,
      noCaptureTime: 0,
      outsideDates: 2,
    });
    const audit = (await runSitter(['-w', t.root, 'audit', 'export', '--shoot', 's'])).stdout;
    expect(audit).toMatch(/"action":"scope.undated-allowed".*scanned print from the shoot day/);

    // The allowance covers the photo a person looked at: a replaced file is held again.
    writeFileSync(
      join(photos, 'undated.jpg'),
      await sharp({ create: { width: 64, height: 48, channels: 3, background: { r: 1, g: 2, b: 3 } } })
        .jpeg()
        .toBuffer(),
    );
    const after = await scan(recordingEngine());
    expect(after.noCaptureTime).toEqual(['undated.jpg']);
  });
});

describe('shoot dates at creation, and shoots made before them', () => {
  let t: TestWorkspace;
  beforeEach(async () => {
    t = await makeWorkspace(new Date());
  });
  afterEach(async () => {
    await t.cleanup();
  });

  it('shoot create requires --from and --to, refuses a bad or archive-length span, and shows the dates', async () => {
    const src = join(t.root, '..', 'photos');
    mkdirSync(src);
    const base = [
      '-w',
      t.root,
      '--json',
      'shoot',
      'create',
      'd',
      '--name',
      'D',
      '--source',
      src,
      '--purpose',
      'p',
      '--retention-days',
      '30',
    ];
    expect((await runSitter(base)).code).toBe(2);
    const backwards = await runSitter([...base, '--from', '2026-05-02', '--to', '2026-05-01']);
    expect(jsonOf(backwards).error).toMatchObject({
      code: 'SHOOT_INVALID',
      message: expect.stringMatching(/before --from/),
    });
    const archive = await runSitter([...base, '--from', '2016-01-01', '--to', '2026-05-01']);
    expect(jsonOf(archive).error).toMatchObject({
      code: 'SHOOT_INVALID',
      message: expect.stringMatching(/an archive is not a shoot/),
    });
    const badDay = await runSitter([...base, '--from', '2026-02-30', '--to', '2026-03-01', '--utc-offset', '2h']);
    expect((jsonOf(badDay).error as { details: { problems: string[] } }).details.problems).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/--from "2026-02-30"/),
        expect.stringMatching(/--utc-offset "2h"/),
      ]),
    );
    const ok = await runSitter([...base, '--from', '2026-05-01', '--to', '2026-05-03', '--utc-offset', '+02:00']);
    expect(jsonOf(ok)).toMatchObject({ dates: { from: '2026-05-01', to: '2026-05-03', utcOffset: '+02:00' } });
    const show = await runSitter(['-w', t.root, 'shoot', 'show', 'd']);
    expect(show.stdout).toMatch(/dates: {6}2026-05-01 to 2026-05-03 \(inclusive, UTC\+02:00\)/);
  });

  it('a shoot without dates (made before them) cannot be scanned until they are declared, and approved dates cannot move', async () => {
    await seedApprovedShoot(t, 'old', [{ id: 'P1', name: 'Ada', consent: 'yes' }]);
    await withRawDb(join(t.root, 'sitter.db'), (sql) =>
      sql("update shoot set shoot_from = null, shoot_to = null, utc_offset = null where id = 'old'"),
    );
    const scan = await runSitter(['-w', t.root, '--json', 'scan', 'old']);
    expect(scan.code).toBe(1);
    expect(jsonOf(scan).error).toMatchObject({
      code: 'SHOOT_DATES_MISSING',
      hint: 'Declare the days the shoot took place: sitter shoot dates old --from YYYY-MM-DD --to YYYY-MM-DD [--utc-offset +HH:MM]',
    });
    const declared = await runSitter([
      '-w',
      t.root,
      '--json',
      'shoot',
      'dates',
      'old',
      '--from',
      '2026-05-30',
      '--to',
      '2026-06-01',
    ]);
    expect(jsonOf(declared)).toMatchObject({ dates: { from: '2026-05-30', to: '2026-06-01', utcOffset: '+00:00' } });
    const moved = await runSitter([
      '-w',
      t.root,
      '--json',
      'shoot',
      'dates',
      'old',
      '--from',
      '2020-01-01',
      '--to',
      '2020-01-02',
    ]);
    expect(jsonOf(moved).error).toMatchObject({ code: 'SHOOT_DATES_FIXED' });
    expect((await runSitter(['-w', t.root, 'audit', 'export'])).stdout).toMatch(/"action":"shoot.dates-declared"/);

    // A draft from before dates existed is not approved without them: the approval signs the days off.
    await createShoot(t.ctx, {
      id: 'draft-old',
      name: 'd',
      purpose: 'p',
      source: '/photos/d',
      retentionDays: 30,
      connector: 'local',
      reviewersRequired: 1,
      ...SEED_SHOOT_DAYS,
    });
    await withRawDb(join(t.root, 'sitter.db'), (sql) =>
      sql("update shoot set shoot_from = null where id = 'draft-old'"),
    );
    const approve = await runSitter([
      '-w',
      t.root,
      '--json',
      'shoot',
      'approve',
      'draft-old',
      '--dpia',
      'D',
      '--approved-by',
      'A',
    ]);
    expect(jsonOf(approve).error).toMatchObject({
      code: 'SHOOT_DATES_MISSING',
      message: expect.stringContaining('approval is refused'),
    });
  });
});

describe('a rescan that holds or refuses a changed photo says which confirmations it dropped (#7)', () => {
  let t: TestWorkspace;
  afterEach(async () => {
    await t.cleanup();
  });

  it('the scan.asset-held and scan.asset-refused entries list each dropped confirmation: face, pseudonym, decisions, reviewers; never a reference or name', async () => {
    t = await makeWorkspace(new Date());
    const photos = join(t.root, '..');
    await seedApprovedShoot(t, 's', [{ id: 'P1', name: 'Ada Dropped', consent: 'yes' }], 1, photos, {
      from: day(-1),
      to: day(1),
      utcOffset: '+00:00',
    });
    await seedTemplate(t, 's', 'P1', [1, 0, 0], 'test-model');
    // Two dated photos, each with a face of P1 confirmed by a reviewer.
    const confirmed: Record<string, { face: number; decision: number }> = {};
    for (const [file, reviewer] of [
      ['held.jpg', 'Rita'],
      ['refused.jpg', 'Sam'],
    ] as const) {
      await photo(join(photos, file), `${exifDay(0)} 12:00:00`, '+00:00');
      const face = await seedProposal(t, 's', file, 'P1', 0.8);
      await decideFace(t.ctx, 's', face.id, { kind: 'confirm' }, reviewer);
      const [decision] = await t.ws.store.transaction((uow) => uow.decisions.listByFace(face.id));
      confirmed[file] = { face: face.id, decision: decision!.id };
    }
    const pseudonym = await t.ws.store.transaction(
      async (uow) => `#${(await uow.participants.findByExternalRef('s', 'P1'))!.id}`,
    );
    // Re-encoded without EXIF (held), and replaced by an archive photo (refused).
    await photo(join(photos, 'held.jpg'));
    await photo(join(photos, 'refused.jpg'), '2019:07:01 10:00:00', '+01:00');
    await scanShoot(
      t.ctx,
      {
        connectors: givenConnector(createLocalConnector()),
        engines: givenEngine(recordingEngine(), TEST_CALIBRATION),
      },
      's',
    );

    const exported = (await runSitter(['-w', t.root, 'audit', 'export', '--shoot', 's'])).stdout.trim();
    const entries = exported
      .split('\n')
      .map((l) => JSON.parse(l) as { action: string; subject: string; details: Record<string, unknown> });
    for (const [action, file, reviewer] of [
      ['scan.asset-held', 'held.jpg', 'Rita'],
      ['scan.asset-refused', 'refused.jpg', 'Sam'],
    ] as const) {
      const entry = entries.find((e) => e.action === action && e.subject === `asset:${file}`);
      expect(entry?.details, action).toMatchObject({
        facesRemoved: 1,
        confirmationsDropped: [
          {
            face: confirmed[file]!.face,
            participant: pseudonym,
            decisions: [confirmed[file]!.decision],
            confirmedBy: [reviewer],
          },
        ],
      });
    }
    expect(exported).not.toMatch(/Ada Dropped|"P1"|consent:s:P1/);
  });
});
