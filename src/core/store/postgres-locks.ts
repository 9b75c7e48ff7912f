/**
 * Session-level advisory locks of a team workspace: held by one connection taken from the pool for
 * as long as the work lasts, released when the work ends, and by PostgreSQL itself when the holder's
 * connection ends (a process killed with -9, a machine that lost power): a dead holder never blocks.
 */
import { hostname } from 'node:os';
import { SitterError } from '../domain/errors.js';
import type { SitterOrm } from './orm.js';
import type { ScanLock } from './scan-lock.js';

/** The first key of Sitter's advisory locks (the second says which lock). */
const SITTER_LOCK_SPACE = 0x5177e4;
const MIGRATIONS_LOCK = 1;

interface PgClient {
  query<R>(sql: string, params?: unknown[]): Promise<{ rows: R[] }>;
}

interface KnexClient {
  acquireConnection(): Promise<PgClient>;
  releaseConnection(connection: PgClient): Promise<void>;
}

function knexClient(orm: SitterOrm): KnexClient {
  return (orm.em.getConnection().getKnex() as unknown as { client: KnexClient }).client;
}

/** Runs `work` while holding the lock that makes migrations run on one machine at a time. */
export async function withMigrationLock<T>(orm: SitterOrm, work: () => Promise<T>): Promise<T> {
  const client = knexClient(orm);
  const conn = await client.acquireConnection();
  try {
    await conn.query('select pg_advisory_lock($1, $2)', [SITTER_LOCK_SPACE, MIGRATIONS_LOCK]);
    try {
      return await work();
    } finally {
      await conn.query('select pg_advisory_unlock($1, $2)', [SITTER_LOCK_SPACE, MIGRATIONS_LOCK]);
    }
  } finally {
    await client.releaseConnection(conn);
  }
}

/** The scan of a shoot: the second key is the shoot id's hash (hashtext), the lock's description its application_name. */
const SCAN_KEY = 'hashtext($2)';

/**
 * The team workspace's scan lock: a second scan of the same shoot from any machine is refused with
 * SCAN_RUNNING naming the holder (its application_name: process, host, start), and a holder that died
 * has already lost the lock with its connection.
 */
export async function acquirePostgresScanLock(orm: SitterOrm, shootId: string): Promise<ScanLock> {
  const client = knexClient(orm);
  const conn = await client.acquireConnection();
  const me = `sitter scan pid ${process.pid} on ${hostname()} since ${new Date().toISOString()}`;
  let held = false;
  try {
    const [row] = (
      await conn.query<{ locked: boolean }>(`select pg_try_advisory_lock($1, ${SCAN_KEY}) as locked`, [
        SITTER_LOCK_SPACE,
        `scan:${shootId}`,
      ])
    ).rows;
    held = row?.locked === true;
    if (!held) {
      const holder = await holderOf(conn, shootId);
      throw new SitterError(
        'SCAN_RUNNING',
        `Shoot "${shootId}" is being scanned${holder ? ` by ${holder.replace(/^sitter scan /, '')}` : ' on another machine'}.`,
        'Wait for that scan to finish, or stop it (Ctrl-C in its terminal); assets it has finished stay done. ' +
          'Reading commands and decisions can run meanwhile.',
      );
    }
    await conn.query('select set_config($1, $2, false)', ['application_name', me.slice(0, 63)]);
  } catch (error) {
    if (held) await conn.query(`select pg_advisory_unlock($1, ${SCAN_KEY})`, [SITTER_LOCK_SPACE, `scan:${shootId}`]);
    await client.releaseConnection(conn);
    throw error;
  }
  let released = false;
  return {
    release: async () => {
      if (released) return;
      released = true;
      try {
        await conn.query(`select pg_advisory_unlock($1, ${SCAN_KEY})`, [SITTER_LOCK_SPACE, `scan:${shootId}`]);
        await conn.query('select set_config($1, $2, false)', ['application_name', 'sitter']);
      } finally {
        await client.releaseConnection(conn);
      }
    },
  };
}

/** Who holds the scan lock, as its application_name says (null when this role may not see it). */
async function holderOf(conn: PgClient, shootId: string): Promise<string | null> {
  const { rows } = await conn.query<{ name: string | null }>(
    `select a.application_name as name from pg_locks l join pg_stat_activity a on a.pid = l.pid
     where l.locktype = 'advisory' and l.granted and l.classid = $1::int::oid and l.objid = (${SCAN_KEY})::oid and l.objsubid = 2`,
    [SITTER_LOCK_SPACE, `scan:${shootId}`],
  );
  const name = rows[0]?.name;
  return name && name.startsWith('sitter scan') ? name : null;
}
