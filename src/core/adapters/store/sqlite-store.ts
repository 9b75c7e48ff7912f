import type { MikroORM } from '@mikro-orm/sqlite';
import type { Store, UnitOfWork } from '../../ports/store.js';
import { unitOfWork } from './repositories.js';
import { translateSqliteError } from './sqlite-errors.js';

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

  async close(): Promise<void> {
    await this.orm.close(true);
  }
}
