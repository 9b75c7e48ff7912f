import { type EntitySchema, QueryHelper, raw, type RequiredEntityData } from '@mikro-orm/core';
import type { EntityManager } from '@mikro-orm/knex';
import type { AuditEntry, AuditEventInput } from '../domain/audit.js';
import { chainNext } from '../domain/audit.js';
import { BugError } from '../domain/errors.js';
import type {
  Asset,
  ConsentRecord,
  Decision,
  Face,
  Participant,
  PushRecord,
  Rejection,
  Template,
  WithdrawnForm,
  Erasure,
  WorkspaceSettings,
} from '../domain/records.js';
import { formDigest } from '../domain/consent.js';
import { isErased } from '../domain/pseudonym.js';
import type { Shoot } from '../domain/shoot.js';
import type { UnitOfWork } from '../ports/store.js';
import {
  AssetEntity,
  AuditEventEntity,
  type AuditRow,
  ConsentRecordEntity,
  DecisionEntity,
  FaceEntity,
  ParticipantEntity,
  PushRecordEntity,
  RejectionEntity,
  ShootEntity,
  TemplateEntity,
  WithdrawnFormEntity,
  ErasureEntity,
  WorkspaceSettingEntity,
  ConsentFormSetupEntity,
} from './entities.js';
import { newestConsentRecords, participantsOfShoot } from './roster-reads.js';
import { scanJobRepository } from './scan-job-repository.js';

/** Persists a new record and flushes so its autoincrement id is known to the caller. */
async function insert<T extends object>(em: EntityManager, entity: EntitySchema<T>, data: object): Promise<T> {
  const created = em.create(entity, data as RequiredEntityData<T>);
  await em.persistAndFlush(created);
  return created;
}

/**
 * A native multi-row insert in chunks (SQLite caps the parameters of one statement), for rows
 * nobody edits later in the same transaction. The unit of work's change tracking is skipped on
 * purpose: tracking each of 100,000 new rows made every later flush walk all of them (quadratic).
 */
const INSERT_CHUNK_ROWS = 500;
async function insertMany<T extends object>(
  em: EntityManager,
  entity: EntitySchema<T>,
  rows: object[],
): Promise<number[]> {
  const ids: number[] = [];
  for (let i = 0; i < rows.length; i += INSERT_CHUNK_ROWS) {
    const chunk = rows.slice(i, i + INSERT_CHUNK_ROWS).map((r) => QueryHelper.processObjectParams(r)) as T[];
    const res = await em
      .getDriver()
      .nativeInsertMany<T>(entity.meta.className, chunk, { ctx: em.getTransactionContext() });
    // PostgreSQL returns every row (RETURNING): a sequence shared with other sessions need not number
    // one INSERT's rows consecutively. SQLite reports only the last id, and one INSERT numbers its rows
    // consecutively there, so the chunk's ids are the run that ends at it.
    const returned = (res.rows ?? []).map((r) => Number((r as { id?: unknown }).id));
    if (returned.length === chunk.length && returned.every(Number.isSafeInteger)) {
      ids.push(...returned);
      continue;
    }
    const last = Number(res.insertId);
    if (!Number.isSafeInteger(last)) throw new BugError(`a bulk insert into ${entity.meta.className} returned no id`);
    for (let k = chunk.length - 1; k >= 0; k--) ids.push(last - k);
  }
  return ids;
}

/** The chain's last entry's seq and hash, read without loading the row as an entity (its details can be long). */
async function chainHead(em: EntityManager): Promise<{ seq: number; hash: string } | null> {
  const rows = await em.execute<{ seq: number | string; hash: string }[]>(
    'select seq, hash from audit_event where seq > 0 order by seq desc limit 1',
  );
  const head = rows[0];
  return head ? { seq: Number(head.seq), hash: head.hash } : null;
}

function fromRow(row: AuditRow): AuditEntry {
  return {
    seq: row.seq,
    at: row.at,
    actor: row.actor,
    action: row.action,
    shootId: row.shootId,
    subject: row.subject,
    details: JSON.parse(row.details) as Record<string, unknown>,
    prevHash: row.prevHash,
    hash: row.hash,
  };
}

/** What a driver adds to the unit of work. */
export interface UnitOfWorkHooks {
  /** serializes appends to the audit chain across processes (PostgreSQL); SQLite has one writer anyway */
  lockAuditChain?: (em: EntityManager) => Promise<void>;
}

/** The repositories of one unit of work, all on the same forked EntityManager (one transaction). */
export function unitOfWork(em: EntityManager, hooks: UnitOfWorkHooks = {}): UnitOfWork {
  // The chain's head after this unit of work's own last append. Once it has appended, no one else
  // can until it ends (SQLite: its write lock; PostgreSQL: LOCK_AUDIT_CHAIN, held to the commit), so
  // the next append of the same unit of work (a scan's group commit) links to it without reading.
  let ownHead: { seq: number; hash: string } | null = null;
  return {
    shoots: {
      find: (id) => em.findOne(ShootEntity, { id }),
      list: () => em.find(ShootEntity, {}, { orderBy: { createdAt: 'asc', id: 'asc' } }),
      add: (shoot: Shoot) => {
        em.persist(em.create(ShootEntity, shoot));
      },
    },
    participants: {
      // An erased participant's blanked row only keeps its id taken (domain/pseudonym.ts): nobody lists it.
      listByShoot: async (shootId) => (await participantsOfShoot(em, shootId)).filter((p) => !isErased(p)),
      findByExternalRef: (shootId, externalRef) => em.findOne(ParticipantEntity, { shootId, externalRef }),
      find: (id) => em.findOne(ParticipantEntity, { id }),
      add: (p) => insert<Participant>(em, ParticipantEntity, p),
      addMany: async (ps) => {
        const ids = await insertMany<Participant>(em, ParticipantEntity, ps);
        return ps.map((p, i) => ({ ...p, id: ids[i] ?? Number.NaN }));
      },
      updatePeople: async (people) => {
        for (const { id, displayName, minor, guardian } of people)
          await em.nativeUpdate(ParticipantEntity, { id }, { displayName, minor, guardian });
      },
    },
    consents: {
      currentForShoot: async (shootId) =>
        new Map((await newestConsentRecords(em, shootId)).map((r) => [r.participantId, r])),
      current: (participantId) => em.findOne(ConsentRecordEntity, { participantId }, { orderBy: { id: 'desc' } }),
      add: (r) => insert<ConsentRecord>(em, ConsentRecordEntity, r),
      listByParticipant: (participantId) => em.find(ConsentRecordEntity, { participantId }, { orderBy: { id: 'asc' } }),
      deleteByParticipant: (participantId) => em.nativeDelete(ConsentRecordEntity, { participantId }),
      addMany: async (rs) => {
        await insertMany<ConsentRecord>(em, ConsentRecordEntity, rs);
      },
      attachSignedScan: async (recordId, scan) => {
        await em.nativeUpdate(ConsentRecordEntity, { id: recordId }, { signedScan: scan });
      },
    },
    templates: {
      listByShoot: (shootId) => em.find(TemplateEntity, { shootId }, { orderBy: { id: 'asc' } }),
      add: (t) => insert<Template>(em, TemplateEntity, t),
      deleteByParticipant: (participantId) => em.nativeDelete(TemplateEntity, { participantId }),
      deleteByShoot: (shootId) => em.nativeDelete(TemplateEntity, { shootId }),
      deleteByOrigin: (shootId, originRef) => em.nativeDelete(TemplateEntity, { shootId, originRef }),
      reassignOrigin: (shootId, from, to) =>
        em.nativeUpdate(TemplateEntity, { shootId, originRef: from }, { originRef: to }),
    },
    assets: {
      listByShoot: (shootId) => em.find(AssetEntity, { shootId }, { orderBy: { id: 'asc' } }),
      findByConnectorId: (shootId, connectorAssetId) => em.findOne(AssetEntity, { shootId, connectorAssetId }),
      add: (a) => insert<Asset>(em, AssetEntity, a),
    },
    faces: {
      listByShoot: (shootId) => em.find(FaceEntity, { shootId }, { orderBy: { id: 'asc' } }),
      listByShootWithoutEmbeddings: (shootId) =>
        em.find(FaceEntity, { shootId }, { orderBy: { id: 'asc' }, exclude: ['embedding'] as const }),
      listByAsset: (assetId) => em.find(FaceEntity, { assetId }, { orderBy: { id: 'asc' } }),
      listByParticipant: (participantId) => em.find(FaceEntity, { participantId }, { orderBy: { id: 'asc' } }),
      find: (id) => em.findOne(FaceEntity, { id }),
      add: (f) => insert<Face>(em, FaceEntity, f),
      addMany: async (faces) => {
        if (faces.length === 0) return [];
        // A native multi-row insert: a scan stores every face of an image at once, and the unit of
        // work's change tracking is not needed for rows nobody edits in this transaction.
        const ids = await insertMany<Face>(em, FaceEntity, faces);
        return faces.map((f, i) => ({ ...f, id: ids[i] ?? Number.NaN }));
      },
      deleteByAsset: (assetId) => em.nativeDelete(FaceEntity, { assetId }),
      deleteByIds: (ids) => (ids.length ? em.nativeDelete(FaceEntity, { id: { $in: ids } }) : Promise.resolve(0)),
      clearEmbeddingsOfShoot: (shootId) =>
        em.nativeUpdate(FaceEntity, { shootId, embedding: { $ne: null } }, { embedding: null }),
    },
    decisions: {
      listByFace: (faceId) => em.find(DecisionEntity, { faceId }, { orderBy: { id: 'asc' } }),
      listByShoot: (shootId) => em.find(DecisionEntity, { shootId }, { orderBy: { id: 'asc' } }),
      listByParticipant: (participantId) =>
        em.find(
          DecisionEntity,
          { $or: [{ participantId }, { previousParticipantId: participantId }] },
          { orderBy: { id: 'asc' } },
        ),
      add: (d) => insert<Decision>(em, DecisionEntity, d),
      deleteByIds: (ids) => (ids.length ? em.nativeDelete(DecisionEntity, { id: { $in: ids } }) : Promise.resolve(0)),
    },
    rejections: {
      listByAsset: (assetId) => em.find(RejectionEntity, { assetId }, { orderBy: { id: 'asc' } }),
      add: (r) => insert<Rejection>(em, RejectionEntity, r),
      deleteByDecision: (decisionId) => em.nativeDelete(RejectionEntity, { decisionId }),
      listByParticipant: (participantId) => em.find(RejectionEntity, { participantId }, { orderBy: { id: 'asc' } }),
      deleteByParticipant: (participantId) => em.nativeDelete(RejectionEntity, { participantId }),
    },
    pushRecords: {
      openByShoot: (shootId) => em.find(PushRecordEntity, { shootId, clearedAt: null }, { orderBy: { id: 'asc' } }),
      listByShoot: (shootId) => em.find(PushRecordEntity, { shootId }, { orderBy: { id: 'asc' } }),
      openByParticipant: (participantId) =>
        em.find(PushRecordEntity, { participantId, clearedAt: null }, { orderBy: { id: 'asc' } }),
      openByAsset: (assetId) => em.find(PushRecordEntity, { assetId, clearedAt: null }, { orderBy: { id: 'asc' } }),
      listByParticipant: (participantId) => em.find(PushRecordEntity, { participantId }, { orderBy: { id: 'asc' } }),
      deleteClearedByParticipant: (participantId) =>
        em.nativeDelete(PushRecordEntity, { participantId, clearedAt: { $ne: null } }),
      add: (r) => insert<PushRecord>(em, PushRecordEntity, r),
    },
    withdrawals: {
      memoryOfShoot: async (shootId, now) => {
        const forms = new Map(
          (await em.find(WithdrawnFormEntity, { shootId })).map((f) => [f.formDigest, f.withdrawnAt]),
        );
        // In SQL, one row per withdrawn participant: loading the shoot's participants as entities to
        // list their ids (and tracking them until the commit) was a third of a 100,000-row re-import.
        const latest = await em
          .createQueryBuilder(ConsentRecordEntity, 'c')
          .select(['c.participantId', raw('max(c.withdrawn_at) as latest')])
          .where({
            participantId: {
              $in: em.createQueryBuilder(ParticipantEntity, 'p').select('p.id').where({ shootId }).getKnexQuery(),
            },
            withdrawnAt: { $ne: null, $lte: now },
          })
          .groupBy('c.participantId')
          .execute<{ participantId: number; latest: number | string }[]>('all', true);
        // SQLite gives the stored milliseconds, PostgreSQL the timestamp's text.
        const latestByParticipant = new Map(
          latest.map((r) => [
            r.participantId,
            new Date(typeof r.latest === 'string' && !/^\d+$/.test(r.latest) ? r.latest : Number(r.latest)),
          ]),
        );
        return { forms, latestByParticipant };
      },
      rememberForms: async (shootId, forms) => {
        const byDigest = new Map<string, Date>();
        for (const f of forms) {
          const d = formDigest(f.formSha256);
          const seen = byDigest.get(d);
          if (!seen || f.withdrawnAt < seen) byDigest.set(d, f.withdrawnAt);
        }
        if (byDigest.size === 0) return;
        const known = new Set(
          (await em.find(WithdrawnFormEntity, { shootId, formDigest: { $in: [...byDigest.keys()] } })).map(
            (f) => f.formDigest,
          ),
        );
        const fresh = [...byDigest]
          .filter(([d]) => !known.has(d))
          .map(([d, withdrawnAt]) => ({ shootId, formDigest: d, withdrawnAt }));
        if (fresh.length > 0) await insertMany<WithdrawnForm>(em, WithdrawnFormEntity, fresh);
      },
    },
    erasures: {
      add: (e) => insert<Erasure>(em, ErasureEntity, e),
      findByDigest: (shootId, refDigest) =>
        em.findOne(ErasureEntity, { shootId, refDigest }, { orderBy: { id: 'desc' } }),
      pending: (shootId) =>
        em.find(
          ErasureEntity,
          { pendingSince: { $ne: null }, ...(shootId === undefined ? {} : { shootId }) },
          { orderBy: { id: 'asc' } },
        ),
      finish: async (id, receiptSeq) => {
        await em.nativeUpdate(ErasureEntity, { id }, { pendingSince: null, receiptSeq });
      },
    },
    settings: {
      get: async () => {
        const rows = await em.find(WorkspaceSettingEntity, {});
        const value = (key: keyof WorkspaceSettings) => rows.find((r) => r.key === key)?.value ?? null;
        return { controller: value('controller'), contact: value('contact') };
      },
      set: async (changes, at) => {
        for (const [key, value] of Object.entries(changes)) {
          if (value === undefined) continue;
          await em.nativeDelete(WorkspaceSettingEntity, { key });
          if (value !== null) await em.insert(WorkspaceSettingEntity, { key, value, updatedAt: at });
        }
      },
    },
    consentForms: {
      find: (shootId) => em.findOne(ConsentFormSetupEntity, { shootId }),
      save: async (setup) => {
        await em.nativeDelete(ConsentFormSetupEntity, { shootId: setup.shootId });
        await em.insert(ConsentFormSetupEntity, setup);
      },
    },
    scanJobs: scanJobRepository(em),
    audit: {
      append: async (event: AuditEventInput, at: Date) => {
        await hooks.lockAuditChain?.(em);
        const entry = chainNext(ownHead ?? (await chainHead(em)), event, at);
        // Store the details as the canonical text that was hashed: verification reads back the same bytes' meaning.
        // A native insert: audit rows are append-only, never edited through the unit of work.
        await em.insert(AuditEventEntity, { ...entry, details: JSON.stringify(entry.details) });
        ownHead = { seq: entry.seq, hash: entry.hash };
        return entry;
      },
      all: async () => (await em.find(AuditEventEntity, {}, { orderBy: { seq: 'asc' } })).map(fromRow),
      headSeq: async () =>
        (await em.findOne(AuditEventEntity, { seq: { $gt: 0 } }, { orderBy: { seq: 'desc' }, fields: ['seq'] }))?.seq ??
        0,
      after: async (seq, shootId) =>
        (await em.find(AuditEventEntity, { seq: { $gt: seq }, shootId }, { orderBy: { seq: 'asc' } })).map(fromRow),
    },
  };
}
