import { EntitySchema } from '@mikro-orm/core';
import type {
  Asset,
  ConsentFormSetup,
  ConsentRecord,
  Decision,
  Erasure,
  Face,
  Participant,
  PushRecord,
  Rejection,
  ScanJob,
  Template,
  WithdrawnForm,
} from '../domain/records.js';
import type { Shoot } from '../domain/shoot.js';
import { ByteCountType } from './byte-count-type.js';

/**
 * Table mappings of the domain records. EntitySchema (not decorators) keeps the domain types plain
 * and the ORM confined to this folder. Numeric foreign keys are plain indexed columns: the services
 * own the cascades, and every cascade is audited. Every string is `text`: unbounded on PostgreSQL as
 * on SQLite (`string` would be PostgreSQL's varchar(255): a deep DAM path, a long name or a reason
 * would then fail in a team workspace only).
 */

const id = { type: 'integer', primary: true, autoincrement: true } as const;
const byteCount = { type: new ByteCountType() } as const;
const optional = <T extends object>(p: T) => ({ ...p, nullable: true as const });

export const ShootEntity = new EntitySchema<Shoot>({
  name: 'Shoot',
  tableName: 'shoot',
  properties: {
    id: { type: 'text', primary: true },
    name: { type: 'text' },
    purpose: { type: 'text' },
    connector: { type: 'text' },
    connectorOptions: { type: 'json' },
    source: { type: 'text' },
    retentionDays: { type: 'integer' },
    reviewersRequired: { type: 'integer' },
    shootFrom: optional({ type: 'text' }),
    shootTo: optional({ type: 'text' }),
    utcOffset: optional({ type: 'text' }),
    status: { type: 'text' },
    dpiaRef: optional({ type: 'text' }),
    approvedBy: optional({ type: 'text' }),
    approvedAt: optional({ type: 'Date' }),
    matchThreshold: optional({ type: 'double' }),
    matchMargin: optional({ type: 'double' }),
    createdAt: { type: 'Date' },
    closedAt: optional({ type: 'Date' }),
  },
});

export const ParticipantEntity = new EntitySchema<Participant>({
  name: 'Participant',
  tableName: 'participant',
  uniques: [{ properties: ['shootId', 'externalRef'] }],
  properties: {
    id,
    shootId: { type: 'text', index: true },
    externalRef: { type: 'text' },
    displayName: { type: 'text' },
    minor: { type: 'boolean' },
    guardian: optional({ type: 'text' }),
    createdAt: { type: 'Date' },
  },
});

export const ConsentRecordEntity = new EntitySchema<ConsentRecord>({
  name: 'ConsentRecord',
  tableName: 'consent_record',
  properties: {
    id,
    participantId: { type: 'integer', index: true },
    biometricConsent: { type: 'boolean' },
    publicationScopes: { type: 'json' },
    signedAt: optional({ type: 'Date' }),
    expiresAt: optional({ type: 'Date' }),
    withdrawnAt: optional({ type: 'Date' }),
    formRef: { type: 'text' },
    formSha256: { type: 'text' },
    referencePhoto: optional({ type: 'text' }),
    referencePhotoSha256: optional({ type: 'text' }),
    importedFrom: { type: 'text' },
    importedFileSha256: { type: 'text' },
    importedAt: { type: 'Date' },
    signedScan: optional({ type: 'json' }),
  },
});

/** One row per workspace setting (`controller`, `contact`); absent means not set. */
export interface WorkspaceSettingRow {
  key: string;
  value: string;
  updatedAt: Date;
}

export const WorkspaceSettingEntity = new EntitySchema<WorkspaceSettingRow>({
  name: 'WorkspaceSetting',
  tableName: 'workspace_setting',
  properties: {
    key: { type: 'text', primary: true },
    value: { type: 'text' },
    updatedAt: { type: 'Date' },
  },
});

export const ConsentFormSetupEntity = new EntitySchema<ConsentFormSetup>({
  name: 'ConsentFormSetup',
  tableName: 'consent_form_setup',
  properties: {
    shootId: { type: 'text', primary: true },
    scopes: { type: 'json' },
    updatedAt: { type: 'Date' },
  },
});

export const TemplateEntity = new EntitySchema<Template>({
  name: 'Template',
  tableName: 'template',
  properties: {
    id,
    shootId: { type: 'text', index: true },
    participantId: { type: 'integer', index: true },
    embedding: { type: 'blob' },
    modelDigest: { type: 'text' },
    origin: { type: 'text' },
    originRef: { type: 'text' },
    createdAt: { type: 'Date' },
  },
});

export const AssetEntity = new EntitySchema<Asset>({
  name: 'Asset',
  tableName: 'asset',
  uniques: [{ properties: ['shootId', 'connectorAssetId'] }],
  properties: {
    id,
    shootId: { type: 'text', index: true },
    connectorAssetId: { type: 'text' },
    fileName: { type: 'text' },
    contentSha256: optional({ type: 'text' }),
    size: optional(byteCount),
    width: optional({ type: 'integer' }),
    height: optional({ type: 'integer' }),
    orientation: optional({ type: 'integer' }),
    sourceRevision: optional({ type: 'text' }),
    rendition: optional({ type: 'text' }),
    scanState: { type: 'text' },
    error: optional({ type: 'text' }),
    flags: { type: 'json' },
    scannedAt: optional({ type: 'Date' }),
  },
});

export const FaceEntity = new EntitySchema<Face>({
  name: 'Face',
  tableName: 'face',
  properties: {
    id,
    shootId: { type: 'text', index: true },
    assetId: { type: 'integer', index: true },
    x: { type: 'double' },
    y: { type: 'double' },
    w: { type: 'double' },
    h: { type: 'double' },
    detectorScore: { type: 'double' },
    qualityBand: optional({ type: 'text' }),
    state: { type: 'text' },
    participantId: optional({ type: 'integer' }),
    score: optional({ type: 'double' }),
    margin: optional({ type: 'double' }),
    reason: optional({ type: 'text' }),
    embedding: optional({ type: 'blob' }),
    modelDigest: optional({ type: 'text' }),
    createdAt: { type: 'Date' },
  },
});

export const DecisionEntity = new EntitySchema<Decision>({
  name: 'Decision',
  tableName: 'decision',
  properties: {
    id,
    shootId: { type: 'text', index: true },
    faceId: { type: 'integer', index: true },
    reviewer: { type: 'text' },
    action: { type: 'text' },
    participantId: optional({ type: 'integer' }),
    at: { type: 'Date' },
    undoneAt: optional({ type: 'Date' }),
    previousState: { type: 'text' },
    previousParticipantId: optional({ type: 'integer' }),
    consentRecordId: optional({ type: 'integer' }),
    consentFormSha256: optional({ type: 'text' }),
  },
});

export const RejectionEntity = new EntitySchema<Rejection>({
  name: 'Rejection',
  tableName: 'rejection',
  properties: {
    id,
    shootId: { type: 'text', index: true },
    assetId: { type: 'integer', index: true },
    participantId: { type: 'integer' },
    x: { type: 'double' },
    y: { type: 'double' },
    w: { type: 'double' },
    h: { type: 'double' },
    decisionId: { type: 'integer', index: true },
    createdAt: { type: 'Date' },
  },
});

export const PushRecordEntity = new EntitySchema<PushRecord>({
  name: 'PushRecord',
  tableName: 'push_record',
  properties: {
    id,
    shootId: { type: 'text', index: true },
    assetId: { type: 'integer', index: true },
    connectorAssetId: { type: 'text' },
    participantId: { type: 'integer', index: true },
    consentUri: { type: 'text' },
    location: { type: 'text' },
    contentSha256: { type: 'text' },
    state: { type: 'text', default: 'written' },
    pushedAt: { type: 'Date' },
    clearedAt: optional({ type: 'Date' }),
  },
});

export const ErasureEntity = new EntitySchema<Erasure>({
  name: 'Erasure',
  tableName: 'erasure',
  // Not unique: the same reference may be imported again for someone new, and erased again.
  indexes: [{ properties: ['shootId', 'refDigest'] }],
  properties: {
    id,
    shootId: { type: 'text' },
    participantId: { type: 'integer' },
    refDigest: { type: 'text' },
    pendingSince: optional({ type: 'Date' }),
    receiptSeq: optional({ type: 'integer' }),
  },
});

export const WithdrawnFormEntity = new EntitySchema<WithdrawnForm>({
  name: 'WithdrawnForm',
  tableName: 'withdrawn_form',
  uniques: [{ properties: ['shootId', 'formDigest'] }],
  properties: {
    id,
    shootId: { type: 'text' },
    formDigest: { type: 'text' },
    withdrawnAt: { type: 'Date' },
  },
});

/** The team's scan queue, Sitter's side (`domain/records.ts` ScanJob): one row per asset and listed version. */
export const ScanJobEntity = new EntitySchema<ScanJob>({
  name: 'ScanJob',
  tableName: 'scan_job',
  uniques: [{ properties: ['shootId', 'connectorAssetId', 'version'] }],
  properties: {
    id,
    shootId: { type: 'text', index: true },
    connectorAssetId: { type: 'text' },
    version: { type: 'text' },
    queuedAt: { type: 'Date' },
    outcome: optional({ type: 'text' }),
    error: optional({ type: 'text' }),
    worker: optional({ type: 'text' }),
    settledAt: optional({ type: 'Date' }),
  },
});

/** The audit log as stored: details kept as the exact canonical JSON text that was hashed. */
export interface AuditRow {
  seq: number;
  at: Date;
  actor: string;
  action: string;
  shootId: string | null;
  subject: string | null;
  details: string;
  prevHash: string;
  hash: string;
}

export const AuditEventEntity = new EntitySchema<AuditRow>({
  name: 'AuditEvent',
  tableName: 'audit_event',
  properties: {
    seq: { type: 'integer', primary: true, autoincrement: false },
    at: { type: 'Date' },
    actor: { type: 'text' },
    action: { type: 'text' },
    shootId: optional({ type: 'text' }),
    subject: optional({ type: 'text' }),
    details: { type: 'text' },
    prevHash: { type: 'text' },
    hash: { type: 'text' },
  },
});

/**
 * Team workspaces: each shoot's data key, wrapped by the workspace master key (which never enters the
 * database). A destroyed key keeps its row, emptied, so no new key is ever made for a closed shoot.
 */
export interface ShootKeyRow {
  shootId: string;
  wrapped: Buffer | null;
  createdAt: Date;
  destroyedAt: Date | null;
}

export const ShootKeyEntity = new EntitySchema<ShootKeyRow>({
  name: 'ShootKey',
  tableName: 'shoot_key',
  properties: {
    shootId: { type: 'text', primary: true },
    wrapped: optional({ type: 'blob' }),
    createdAt: { type: 'Date' },
    destroyedAt: optional({ type: 'Date' }),
  },
});

/**
 * Team workspaces: the one row saying this database holds a Sitter workspace, with the master key's
 * public check value (master-key.ts `keyCheck`), so a machine joining with another key is refused.
 */
export interface WorkspaceIdentityRow {
  id: string;
  keyCheck: string;
  createdAt: Date;
  createdBy: string;
}

export const WorkspaceIdentityEntity = new EntitySchema<WorkspaceIdentityRow>({
  name: 'WorkspaceIdentity',
  tableName: 'workspace_identity',
  properties: {
    id: { type: 'text', primary: true },
    keyCheck: { type: 'text' },
    createdAt: { type: 'Date' },
    createdBy: { type: 'text' },
  },
});

export const allEntities = [
  ShootEntity,
  ParticipantEntity,
  ConsentRecordEntity,
  TemplateEntity,
  AssetEntity,
  FaceEntity,
  DecisionEntity,
  RejectionEntity,
  PushRecordEntity,
  WithdrawnFormEntity,
  ErasureEntity,
  WorkspaceSettingEntity,
  ConsentFormSetupEntity,
  ScanJobEntity,
  AuditEventEntity,
  ShootKeyEntity,
  WorkspaceIdentityEntity,
];
