import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { Asset } from '../../src/core/domain/records.js';
import { AssetEntity } from '../../src/core/store/entities.js';
import { initOrm, type SitterOrm } from '../../src/core/store/orm.js';
import { type PgCluster, startPostgres } from '../helpers/postgres.js';
import { seedApprovedShoot, seedProposal } from '../helpers/seed.js';
import { stopClusters, type TestWorkspace, workspaceKinds } from '../helpers/workspace.js';

afterAll(stopClusters);

/** A DAM path of 600 characters: folders of under 255 each, as a real deep archive tree would have. */
const deepPath = `${['2026 Summer campaign', 'a'.repeat(200), 'b'.repeat(200), 'c'.repeat(150)].join('/')}/IMG_0001.jpg`;
const longRef = deepPath.padEnd(600, 'x');
/** 5 GB: a RAW or TIFF master of a large-format scan, past both 2^31 and 2^32 bytes. */
const fiveGb = 5 * 1024 ** 3;

const asset = (shootId: string): Omit<Asset, 'id'> => ({
  shootId,
  connectorAssetId: longRef,
  fileName: longRef.split('/').at(-1)!,
  contentSha256: 'sha256:x',
  size: fiveGb,
  width: 100,
  height: 100,
  orientation: 1,
  sourceRevision: `etag-${'r'.repeat(400)}`,
  rendition: null,
  scanState: 'scanned',
  error: null,
  flags: [],
  scannedAt: new Date('2026-06-01T10:00:00Z'),
});

// What a SQLite workspace holds (any text length, 8-byte integers), a team workspace holds too.
describe.each(workspaceKinds())('column types ($kind)', ({ make }) => {
  let t: TestWorkspace;
  afterEach(async () => {
    await t.cleanup();
  });

  it('stores an asset with a 600-character connector id and a 5 GB size, and a participant with a 300-character name, and reads them back unchanged', async () => {
    t = await make();
    const person = { id: 'P1', name: `Maria ${'de la '.repeat(49)}Cruz`, consent: 'yes' as const };
    expect(longRef).toHaveLength(600);
    expect(person.name.length).toBeGreaterThan(255);
    await seedApprovedShoot(t, 's', [person]);
    await t.ws.store.transaction((uow) => uow.assets.add(asset('s')));
    const face = await seedProposal(t, 's', longRef, person.id);

    const back = await t.ws.store.transaction(async (uow) => ({
      asset: await uow.assets.findByConnectorId('s', longRef),
      listed: await uow.assets.listByShoot('s'),
      participant: await uow.participants.findByExternalRef('s', person.id),
      face: await uow.faces.find(face.id),
    }));
    expect(back.asset).toMatchObject({ ...asset('s'), size: fiveGb });
    // A number, not a string or a BigInt: the domain's `size: number | null`.
    expect(typeof back.asset!.size).toBe('number');
    expect(back.listed.map((a) => [a.connectorAssetId, a.size])).toEqual([[longRef, fiveGb]]);
    expect(back.participant).toMatchObject({ externalRef: person.id, displayName: person.name });
    expect(back.face).toMatchObject({ assetId: back.asset!.id, participantId: back.participant!.id });
  });
});

describe('team database schema', () => {
  let cluster: PgCluster;
  beforeAll(async () => {
    cluster = await startPostgres();
    process.env.PGPASSWORD = cluster.password;
  }, 60_000);
  afterAll(async () => {
    await cluster?.stop();
  });

  const columnsOf = async (orm: SitterOrm) =>
    (await orm.em.getConnection().execute(
      `select table_name, column_name, data_type from information_schema.columns
        where table_schema = 'public' and table_name <> 'mikro_orm_migrations'`,
    )) as { table_name: string; column_name: string; data_type: string }[];

  it('has no length-limited string column and no 4-byte byte count: every string is text, asset.size is bigint', async () => {
    const orm = await initOrm({ dbName: await cluster.createDatabase('schema') });
    try {
      await orm.getMigrator().up();
      const columns = await columnsOf(orm);
      expect(columns.length).toBeGreaterThan(100);
      const limited = columns.filter((c) => c.data_type === 'character varying' || c.data_type === 'character');
      expect(limited.map((c) => `${c.table_name}.${c.column_name}`)).toEqual([]);
      expect(columns.find((c) => c.table_name === 'asset' && c.column_name === 'size')?.data_type).toBe('bigint');
    } finally {
      await orm.close(true);
    }
  });

  it('an existing team database upgrades in place: its rows are kept, and then take a 5 GB size and a 600-character DAM id', async () => {
    const orm = await initOrm({ dbName: await cluster.createDatabase('upgrade') });
    try {
      const migrator = orm.getMigrator();
      await migrator.up({ to: 'Migration20261129013815' }); // the schema before this change
      const sql = orm.em.getConnection();
      await sql.execute(
        `insert into asset (shoot_id, connector_asset_id, file_name, size, scan_state, flags)
         values ('s', 'a.jpg', 'a.jpg', 2147483647, 'scanned', '[]')`,
      );
      await expect(sql.execute(`update asset set size = ${fiveGb} where connector_asset_id = 'a.jpg'`)).rejects.toThrow(
        /integer out of range/,
      );

      await migrator.up();
      expect(await migrator.checkMigrationNeeded()).toBe(false);
      const em = orm.em.fork();
      const kept = await em.findOneOrFail(AssetEntity, { connectorAssetId: 'a.jpg' });
      expect(kept.size).toBe(2147483647);
      kept.size = fiveGb;
      kept.connectorAssetId = longRef;
      await em.flush();
      const back = await orm.em.fork().findOneOrFail(AssetEntity, { shootId: 's' });
      expect([back.connectorAssetId, back.size]).toEqual([longRef, fiveGb]);
    } finally {
      await orm.close(true);
    }
  });
});
