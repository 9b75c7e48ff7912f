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

/**
 * Table mappings of the domain records. EntitySchema (not decorators) keeps the domain types plain
 * and the ORM confined to this folder. Numeric foreign keys are plain indexed columns: the services
 * own the cascades, and every cascade is audited.
 */

const id = { type: 'integer', primary: true, autoincrement: true } as const;
const optional = <T extends object>(p: T) => ({ ...p, nullable: true as const });

export const ShootEntity = new EntitySchema<Shoot>({
  name: 'Shoot',
  tableName: 'shoot',
  properties: {
    id: { type: 'string', primary: true },
    name: { type: 'string' },
    purpose: { type: 'text' },
    connector: { type: 'string' },
    connectorOptions: { type: 'json' },
    source: { type: 'text' },
    retentionDays: { type: 'integer' },
    reviewersRequired: { type: 'integer' },
    shootFrom: optional({ type: 'string' }),
    shootTo: optional({ type: 'string' }),
    utcOffset: optional({ type: 'string' }),
    status: { type: 'string' },
    dpiaRef: optional({ type: 'string' }),
    approvedBy: optional({ type: 'string' }),
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
    shootId: { type: 'string', index: true },
    externalRef: { type: 'string' },
    displayName: { type: 'string' },
    minor: { type: 'boolean' },
    guardian: optional({ type: 'string' }),
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
    formSha256: { type: 'string' },
    referencePhoto: optional({ type: 'text' }),
    referencePhotoSha256: optional({ type: 'string' }),
    importedFrom: { type: 'text' },
    importedFileSha256: { type: 'string' },
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
    key: { type: 'string', primary: true },
    value: { type: 'text' },
    updatedAt: { type: 'Date' },
  },
});

export const ConsentFormSetupEntity = new EntitySchema<ConsentFormSetup>({
  name: 'ConsentFormSetup',
  tableName: 'consent_form_setup',
  properties: {
    shootId: { type: 'string', primary: true },
    scopes: { type: 'json' },
    updatedAt: { type: 'Date' },
  },
});

export const TemplateEntity = new EntitySchema<Template>({
  name: 'Template',
  tableName: 'template',
  properties: {
    id,
    shootId: { type: 'string', index: true },
    participantId: { type: 'integer', index: true },
    embedding: { type: 'blob' },
    modelDigest: { type: 'string' },
    origin: { type: 'string' },
    originRef: { type: 'string' },
    createdAt: { type: 'Date' },
  },
});

export const AssetEntity = new EntitySchema<Asset>({
  name: 'Asset',
  tableName: 'asset',
  uniques: [{ properties: ['shootId', 'connectorAssetId'] }],
  properties: {
    id,
    shootId: { type: 'string', index: true },
    connectorAssetId: { type: 'text' },
    fileName: { type: 'text' },
    contentSha256: optional({ type: 'string' }),
    size: optional({ type: 'integer' }),
    width: optional({ type: 'integer' }),
    height: optional({ type: 'integer' }),
    orientation: optional({ type: 'integer' }),
    sourceRevision: optional({ type: 'text' }),
    rendition: optional({ type: 'string' }),
    scanState: { type: 'string' },
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
    shootId: { type: 'string', index: true },
    assetId: { type: 'integer', index: true },
    x: { type: 'double' },
    y: { type: 'double' },
    w: { type: 'double' },
    h: { type: 'double' },
    detectorScore: { type: 'double' },
    qualityBand: optional({ type: 'string' }),
    state: { type: 'string' },
    participantId: optional({ type: 'integer' }),
    score: optional({ type: 'double' }),
    margin: optional({ type: 'double' }),
    reason: optional({ type: 'string' }),
    embedding: optional({ type: 'blob' }),
    modelDigest: optional({ type: 'string' }),
    createdAt: { type: 'Date' },
  },
});

export const DecisionEntity = new EntitySchema<Decision>({
  name: 'Decision',
  tableName: 'decision',
  properties: {
    id,
    shootId: { type: 'string', index: true },
    faceId: { type: 'integer', index: true },
    reviewer: { type: 'string' },
    action: { type: 'string' },
    participantId: optional({ type: 'integer' }),
    at: { type: 'Date' },
    undoneAt: optional({ type: 'Date' }),
    previousState: { type: 'string' },
    previousParticipantId: optional({ type: 'integer' }),
    consentRecordId: optional({ type: 'integer' }),
    consentFormSha256: optional({ type: 'string' }),
  },
});

export const RejectionEntity = new EntitySchema<Rejection>({
  name: 'Rejection',
  tableName: 'rejection',
  properties: {
    id,
    shootId: { type: 'string', index: true },
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
    shootId: { type: 'string', index: true },
    assetId: { type: 'integer', index: true },
    connectorAssetId: { type: 'text' },
    participantId: { type: 'integer', index: true },
    consentUri: { type: 'text' },
    location: { type: 'text' },
    contentSha256: { type: 'string' },
    state: { type: 'string', default: 'written' },
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
    shootId: { type: 'string' },
    participantId: { type: 'integer' },
    refDigest: { type: 'string' },
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
    shootId: { type: 'string' },
    formDigest: { type: 'string' },
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
    shootId: { type: 'string', index: true },
    connectorAssetId: { type: 'text' },
    version: { type: 'text' },
    queuedAt: { type: 'Date' },
    outcome: optional({ type: 'string' }),
    error: optional({ type: 'text' }),
    worker: optional({ type: 'string' }),
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
    actor: { type: 'string' },
    action: { type: 'string' },
    shootId: optional({ type: 'string' }),
    subject: optional({ type: 'text' }),
    details: { type: 'text' },
    prevHash: { type: 'string' },
    hash: { type: 'string' },
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
    shootId: { type: 'string', primary: true },
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
    id: { type: 'string', primary: true },
    keyCheck: { type: 'string' },
    createdAt: { type: 'Date' },
    createdBy: { type: 'string' },
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
