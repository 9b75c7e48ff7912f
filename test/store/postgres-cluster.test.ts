import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import pg from 'pg';
import { startPostgres, type PgCluster } from '../helpers/postgres.js';

// The harness every team-mode test stands on: a real server that wants a password over TCP.
describe('throwaway PostgreSQL cluster', () => {
  let cluster: PgCluster;
  beforeAll(async () => {
    cluster = await startPostgres();
  });
  afterAll(async () => {
    await cluster?.stop();
  });

  it('serves a fresh database per test and refuses a connection without the password', async () => {
    const url = await cluster.createDatabase('harness');
    const database = new URL(url).pathname.slice(1);
    const config = { host: cluster.host, port: cluster.port, user: cluster.superuser, database };
    const withPassword = new pg.Client({ ...config, password: cluster.password });
    await withPassword.connect();
    const rows = (await withPassword.query<{ v: string }>("select current_setting('server_version_num') as v")).rows;
    await withPassword.end();
    expect(Number.parseInt(rows[0]!.v, 10) / 10000).toBeGreaterThanOrEqual(13);

    const without = new pg.Client({ ...config, password: 'wrong' });
    await expect(without.connect()).rejects.toThrow(/password authentication failed/);
  });
});
