import type { EntityManager } from '@mikro-orm/core';
import type { ScanJob } from '../domain/records.js';
import type { ScanJobRepository } from '../ports/store.js';
import { ScanJobEntity } from './entities.js';

/** The scan queue's rows (`ScanJob`): a native conditional update settles one, so it is settled once. */
export function scanJobRepository(em: EntityManager): ScanJobRepository {
  return {
    listByShoot: (shootId) => em.find(ScanJobEntity, { shootId }, { orderBy: { id: 'asc' } }),
    find: (shootId, connectorAssetId, version) => em.findOne(ScanJobEntity, { shootId, connectorAssetId, version }),
    addMany: async (rows) => {
      const added = [];
      for (const row of rows) {
        const id = await em.insert<ScanJob>(ScanJobEntity, row as ScanJob);
        added.push({ ...row, id: Number(id) });
      }
      return added;
    },
    settle: async (id, outcome, settled) => {
      const changed = await em.nativeUpdate(
        ScanJobEntity,
        { id, outcome: null },
        { outcome, worker: settled.worker, settledAt: settled.at, error: settled.error ?? null },
      );
      return changed > 0;
    },
  };
}
