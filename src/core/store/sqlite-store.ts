import type { SitterOrm as MikroORM } from './orm.js';
import type { Store, UnitOfWork } from '../ports/store.js';
import { unitOfWork } from './repositories.js';
import { databaseCorruptError, translateSqliteError } from './sqlite-errors.js';

/** The Store port on MikroORM + SQLite: each transaction is one forked EntityManager. */
export class SqliteStore implements Store {
  constructor(
    private readonly orm: MikroORM,
    private readonly dbPath: string,
  ) {}

  async transaction<T>(work: (uow: UnitOfWork) => Promise<T>): Promise<T> {
    try {
      return await this.orm.em.fork().transactional((em) => work(unitOfWork(em)));
    } catch (error) {
      throw translateSqliteError(error, this.dbPath);
    }
  }

  async assertIntact(): Promise<void> {
    await assertDatabaseIntact(this.orm, this.dbPath);
  }

  async close(): Promise<void> {
    await this.orm.close(true);
  }
}

/** SQLite's own limit on the problems `quick_check` lists; a few are enough to say the file is damaged. */
const PROBLEMS_LISTED = 10;

/**
 * `PRAGMA quick_check`: every page of the file is read and its structure checked (not the indexes'
 * contents, which `integrity_check` also compares), so a damaged page no query of this command
 * touches is still found. DATABASE_CORRUPT, with the restore hint, when anything is wrong.
 */
export async function assertDatabaseIntact(orm: MikroORM, dbPath: string): Promise<void> {
  let rows: { quick_check: string }[];
  try {
    rows = await orm.em.getConnection().execute(`PRAGMA quick_check(${PROBLEMS_LISTED})`);
  } catch (error) {
    throw translateSqliteError(error, dbPath);
  }
  const problems = rows.map((r) => r.quick_check).filter((p) => p !== 'ok');
  if (problems.length > 0) throw databaseCorruptError(dbPath, new Error(problems.join('; ')), problems);
}
