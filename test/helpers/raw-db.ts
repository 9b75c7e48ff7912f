import { initOrm } from '../../src/core/store/orm.js';

/** Raw SQL on a workspace database file, the way someone tampering with it would go about it. */
export async function withRawDb<T>(
  dbPath: string,
  work: (sql: (q: string, params?: unknown[]) => Promise<unknown[]>) => Promise<T>,
): Promise<T> {
  const orm = await initOrm({ dbName: dbPath });
  try {
    const conn = orm.em.getConnection();
    return await work((q, params = []) => conn.execute(q, params) as Promise<unknown[]>);
  } finally {
    await orm.close(true);
  }
}
