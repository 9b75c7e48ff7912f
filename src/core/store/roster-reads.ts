/**
 * The large reads of a shoot's roster (its participants, the newest consent record of each) as
 * plain records, not managed entities: nobody edits them in the transaction that reads them, and
 * hydrating and change-tracking 100,000 of them cost more than the query (every later flush walked
 * them all). They are read in pages: the SQLite driver builds a whole result natively before
 * handing it over, and 100,000 wide rows at once doubled a consent import's peak memory.
 */
import { type EntitySchema, raw } from '@mikro-orm/core';
import type { EntityManager, QueryBuilder } from '@mikro-orm/knex';
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
 * only the current ones are read, never the older versions of an often re-imported roster. Paged
 * by participant id, so each query groups only one page of participants.
 */
export async function newestConsentRecords(em: EntityManager, shootId: string): Promise<ConsentRecord[]> {
  await em.flush();
  const all: ConsentRecord[] = [];
  let after = 0;
  for (;;) {
    const page = await em
      .createQueryBuilder(ParticipantEntity, 'p')
      .select('p.id')
      .where({ shootId, id: { $gt: after } })
      .orderBy({ id: 'asc' })
      .limit(PAGE_ROWS)
      .execute<{ id: number }[]>('all', true);
    const last = page.at(-1);
    if (!last) return all;
    const newest = em
      .createQueryBuilder(ConsentRecordEntity, 'c')
      .select(raw('max(c.id)'))
      .where({ participantId: { $in: page.map((p) => p.id) } })
      .groupBy('c.participantId');
    const rows = await em
      .createQueryBuilder(ConsentRecordEntity, 'r')
      .select('*')
      .where({ id: { $in: newest.getKnexQuery() } })
      .orderBy({ participantId: 'asc' })
      .execute<Record<string, unknown>[]>('all', true);
    for (const row of plain(em, ConsentRecordEntity, rows)) all.push(row);
    if (page.length < PAGE_ROWS) return all;
    after = last.id;
  }
}

/**
 * The driver's rows as records: JSON columns come back as text and are parsed here. A string or
 * date equal to the row before's is replaced by that one (the file and time of the import that
 * wrote a whole roster, its signing dates): a copy per row was a fifth of a re-import's memory, a
 * Date costing about 90 bytes. Nothing in Sitter edits a Date in place.
 */
function plain<T extends object>(em: EntityManager, entity: EntitySchema<T>, rows: Record<string, unknown>[]): T[] {
  const platform = em.getPlatform();
  const custom = em
    .getMetadata()
    .get<T>(entity.meta.className)
    .props.filter((p) => p.customType);
  let previous: Record<string, unknown> | undefined;
  for (const row of rows) {
    for (const prop of custom) {
      const value = row[prop.name];
      if (value !== null && value !== undefined) row[prop.name] = prop.customType!.convertToJSValue(value, platform);
    }
    if (previous) shareRepeats(row, previous);
    previous = row;
  }
  return rows as T[];
}

function shareRepeats(row: Record<string, unknown>, previous: Record<string, unknown>): void {
  for (const key of Object.keys(row)) {
    const value = row[key];
    const before = previous[key];
    // Two equal strings compare equal whether or not they are one string: assigning makes them one.
    if (typeof value === 'string' && value === before) row[key] = before;
    else if (
      value instanceof Date &&
      before instanceof Date &&
      value !== before &&
      value.getTime() === before.getTime()
    )
      row[key] = before;
  }
}

/**
 * Runs `page` until a page comes back short, each time after the last `key` seen (the key is
 * unique and the order of every page). Pending changes are flushed first, as a managed read would.
 */
async function readPages<T extends object, K extends keyof T & string>(
  em: EntityManager,
  entity: EntitySchema<T>,
  key: K,
  page: (after: T[K] | undefined) => QueryBuilder<T>,
): Promise<T[]> {
  await em.flush();
  const all: T[] = [];
  let after: T[K] | undefined;
  for (;;) {
    const rows = plain(em, entity, await page(after).execute<Record<string, unknown>[]>('all', true));
    for (const row of rows) all.push(row);
    const last = rows.at(-1);
    if (!last || rows.length < PAGE_ROWS) return all;
    after = last[key];
  }
}
