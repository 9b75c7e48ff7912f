/**
 * The large reads of a shoot's roster (its participants, the newest consent record of each) as
 * plain records, not managed entities: nobody edits them in the transaction that reads them, and
 * hydrating and change-tracking 100,000 of them cost more than the query (every later flush walked
 * them all). They are read in pages: the SQLite driver builds a whole result natively before
 * handing it over, and 100,000 wide rows at once doubled a consent import's peak memory.
 */
import { type EntityManager, type EntitySchema, type QueryBuilder, raw } from '@mikro-orm/sqlite';
import type { ConsentRecord, Participant } from '../domain/records.js';
import { ConsentRecordEntity, ParticipantEntity } from './entities.js';

const PAGE_ROWS = 1000;

/** The shoot's participants, by externalRef (erased ones included: the caller filters). */
export function participantsOfShoot(em: EntityManager, shootId: string): Promise<Participant[]> {
  return readPages(em, ParticipantEntity, 'externalRef', (after) =>
    em
      .createQueryBuilder(ParticipantEntity)
      .select('*')
      .where(after === undefined ? { shootId } : { shootId, externalRef: { $gt: after } })
      .orderBy({ externalRef: 'asc' })
      .limit(PAGE_ROWS),
  );
}

/**
 * The newest record of each participant of the shoot. Records are appended on every re-import:
 * only the current ones are read, never the older versions of an often re-imported roster.
 */
export async function newestConsentRecords(em: EntityManager, shootId: string): Promise<ConsentRecord[]> {
  const ofShoot = em.createQueryBuilder(ParticipantEntity, 'p').select('p.id').where({ shootId });
  return readPages(em, ConsentRecordEntity, 'participantId', (after) => {
    const newest = em
      .createQueryBuilder(ConsentRecordEntity, 'c')
      .select(raw('max(c.id)'))
      .where({ participantId: after === undefined ? { $in: ofShoot.getKnexQuery() } : { $in: ofShoot.getKnexQuery(), $gt: after } })
      .groupBy('c.participantId')
      .orderBy({ participantId: 'asc' })
      .limit(PAGE_ROWS);
    return em.createQueryBuilder(ConsentRecordEntity, 'r').select('*').where({ id: { $in: newest.getKnexQuery() } }).orderBy({ participantId: 'asc' });
  });
}

/**
 * Runs `page` until a page comes back short, each time after the last `key` seen (the key is
 * unique and the order of every page). Pending changes are flushed first, as a managed read would.
 * JSON columns come back as text from the driver and are parsed here.
 */
async function readPages<T extends object, K extends keyof T & string>(em: EntityManager, entity: EntitySchema<T>, key: K, page: (after: T[K] | undefined) => QueryBuilder<T>): Promise<T[]> {
  await em.flush();
  const platform = em.getPlatform();
  const custom = em.getMetadata().get<T>(entity.meta.className).props.filter((p) => p.customType);
  const all: T[] = [];
  let after: T[K] | undefined;
  for (;;) {
    const rows = await page(after).execute<Record<string, unknown>[]>('all', true);
    for (const row of rows) {
      for (const prop of custom) {
        const value = row[prop.name];
        if (value !== null && value !== undefined) row[prop.name] = prop.customType!.convertToJSValue(value, platform);
      }
      all.push(row as T);
    }
    if (rows.length < PAGE_ROWS) return all;
    after = (rows.at(-1) as T)[key];
  }
}
