import { IsolationLevel } from '@mikro-orm/core';
import type { EntityManager } from '@mikro-orm/knex';
import type { Store, UnitOfWork } from '../ports/store.js';
import type { SitterOrm } from './orm.js';
import { pgCode, RETRYABLE_SQLSTATES, translatePostgresError } from './postgres-errors.js';
import { unitOfWork } from './repositories.js';
import { serialUnitOfWork } from './serial-unit-of-work.js';

/** How many times a unit of work runs before DATABASE_LOCKED: each retry waits a little longer. */
export const TRANSACTION_ATTEMPTS = 8;

/**
 * Appenders to the audit chain take this lock; readers (`audit verify`, listings) do not wait for it.
 * SHARE ROW EXCLUSIVE conflicts with itself and with the inserts of another appender, not with reads.
 */
const LOCK_AUDIT_CHAIN = 'lock table "audit_event" in share row exclusive mode';

/**
 * The Store port on PostgreSQL (a team workspace). Every unit of work runs SERIALIZABLE: PostgreSQL
 * then guarantees that concurrent units of work have the effect of running one after the other, as a
 * SQLite workspace's single writer does, for every rule the services check in a transaction (two
 * reviewers deciding the same face: one commits, the other is rolled back with 40001 and, run again,
 * sees the face decided). A unit of work rolled back by a serialization failure or a deadlock
 * (40001, 40P01) is run again, up to TRANSACTION_ATTEMPTS times.
 *
 * The audit chain: an append takes LOCK_AUDIT_CHAIN before reading the chain's head, so appends
 * queue; one whose snapshot predates the commit of the append before it fails on the primary key of
 * `seq` (a serialization failure) and runs again. A rerun takes the lock as its first statement,
 * before its snapshot exists, so it sees the true head and cannot fail on the chain again.
 */
export class PostgresStore implements Store {
  constructor(
    private readonly orm: SitterOrm,
    private readonly url: string,
  ) {}

  async transaction<T>(work: (uow: UnitOfWork) => Promise<T>): Promise<T> {
    for (let attempt = 1; ; attempt++) {
      try {
        return await this.orm.em.fork().transactional(
          async (em) => {
            if (attempt > 1) await em.execute(LOCK_AUDIT_CHAIN);
            return work(serialUnitOfWork(unitOfWork(em, { lockAuditChain: lockChain })));
          },
          { isolationLevel: IsolationLevel.SERIALIZABLE },
        );
      } catch (error) {
        if (!isRetryable(error) || attempt >= TRANSACTION_ATTEMPTS) throw translatePostgresError(error, this.url);
        await sleep(Math.min(2000, 10 * 2 ** attempt) * (0.5 + Math.random()));
      }
    }
  }

  /** PostgreSQL checks its own pages (data checksums, when the cluster has them); SQLite's quick_check has no equivalent to run here. */
  async assertIntact(): Promise<void> {}

  async close(): Promise<void> {
    await this.orm.close(true);
  }
}

async function lockChain(em: EntityManager): Promise<void> {
  await em.execute(LOCK_AUDIT_CHAIN);
}

function isRetryable(error: unknown): boolean {
  const code = pgCode(error);
  // A duplicate audit seq: an append read the chain's head from a snapshot older than the last append.
  return RETRYABLE_SQLSTATES.has(code) || (code === '23505' && /audit_event_pkey/.test(String(error)));
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
