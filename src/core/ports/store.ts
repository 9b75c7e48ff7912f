import type { WithdrawalMemory } from '../domain/consent.js';
import type { AuditEntry, AuditEventInput } from '../domain/audit.js';
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
  ScanJobOutcome,
  SignedScan,
  Template,
  WorkspaceSettings,
} from '../domain/records.js';
import type { Shoot } from '../domain/shoot.js';
import type { TeamDirectory } from './team.js';

/**
 * The Store port. One unit of work per user action: `transaction` commits everything the callback
 * did, or nothing if it throws. Objects returned by a repository are tracked: changing a field and
 * returning from the transaction saves it.
 */
export interface Store {
  transaction<T>(work: (uow: UnitOfWork) => Promise<T>): Promise<T>;
  /** Checks the whole database file (every page, not only what a command reads); throws DATABASE_CORRUPT. */
  assertIntact(): Promise<void>;
  /**
   * Who is connected, in a team workspace: the PostgreSQL role (`current_user`) this process logged in
   * as, authenticated by the server. Null for an embedded (SQLite) workspace, where no login
   * establishes who acts and the reviewer is the name given.
   */
  currentRole(): Promise<string | null>;
  /** A team workspace's reviewer group (who may log in and decide); null on SQLite. */
  team(): Promise<TeamDirectory | null>;
  close(): Promise<void>;
}

export interface UnitOfWork {
  shoots: ShootRepository;
  participants: ParticipantRepository;
  consents: ConsentRepository;
  templates: TemplateRepository;
  assets: AssetRepository;
  faces: FaceRepository;
  decisions: DecisionRepository;
  rejections: RejectionRepository;
  pushRecords: PushRecordRepository;
  withdrawals: WithdrawalRepository;
  erasures: ErasureRepository;
  settings: SettingsRepository;
  consentForms: ConsentFormSetupRepository;
  scanJobs: ScanJobRepository;
  audit: AuditLog;
}

/** The team's scan queue as Sitter records it (`ScanJob`); the jobs themselves live in pg-boss. */
export interface ScanJobRepository {
  listByShoot(shootId: string): Promise<ScanJob[]>;
  find(shootId: string, connectorAssetId: string, version: string): Promise<ScanJob | null>;
  /** adds the rows in a few writes; returns them with their ids */
  addMany(rows: Omit<ScanJob, 'id'>[]): Promise<ScanJob[]>;
  /**
   * Settles a queued row with its outcome, as the first write of the unit of work that stores the
   * asset's result. False when the row is settled already (another worker got there first): the
   * caller must then write nothing. On PostgreSQL the row lock this takes makes a second worker wait
   * for the first's commit, then find the row settled.
   */
  settle(
    id: number,
    outcome: ScanJobOutcome,
    settled: { worker: string; at: Date; error?: string | null },
  ): Promise<boolean>;
}

/** The workspace's own settings (the controller and contact printed on consent forms). */
export interface SettingsRepository {
  get(): Promise<WorkspaceSettings>;
  /** writes the given fields; a null clears one */
  set(changes: Partial<WorkspaceSettings>, at: Date): Promise<void>;
}

/** What each shoot's consent form offers (its publication scopes). */
export interface ConsentFormSetupRepository {
  find(shootId: string): Promise<ConsentFormSetup | null>;
  save(setup: ConsentFormSetup): Promise<void>;
}

/** Erasures under way or done (`domain/records.ts` Erasure). */
export interface ErasureRepository {
  add(erasure: Omit<Erasure, 'id'>): Promise<Erasure>;
  /** the latest erasure of that reference in the shoot */
  findByDigest(shootId: string, refDigest: string): Promise<Erasure | null>;
  /** interrupted erasures (of every shoot, or of one), oldest first */
  pending(shootId?: string): Promise<Erasure[]>;
  /** the receipt is written: not pending any more */
  finish(id: number, receiptSeq: number): Promise<void>;
}

export interface ShootRepository {
  find(id: string): Promise<Shoot | null>;
  list(): Promise<Shoot[]>;
  add(shoot: Shoot): void;
}

export interface ParticipantRepository {
  /** plain records, not tracked: change them with updatePeople */
  listByShoot(shootId: string): Promise<Participant[]>;
  findByExternalRef(shootId: string, externalRef: string): Promise<Participant | null>;
  find(id: number): Promise<Participant | null>;
  /** assigns the id */
  add(participant: Omit<Participant, 'id'>): Promise<Participant>;
  /** adds many in a few writes (a large roster import), assigning their ids */
  addMany(participants: Omit<Participant, 'id'>[]): Promise<Participant[]>;
  /** writes the name, minor and guardian of each (a re-imported roster's corrections) */
  updatePeople(people: Pick<Participant, 'id' | 'displayName' | 'minor' | 'guardian'>[]): Promise<void>;
}

export interface ConsentRepository {
  /** the current record of each participant of the shoot, keyed by participant id (plain records, not tracked) */
  currentForShoot(shootId: string): Promise<Map<number, ConsentRecord>>;
  current(participantId: number): Promise<ConsentRecord | null>;
  add(record: Omit<ConsentRecord, 'id'>): Promise<ConsentRecord>;
  /** every version of one participant's record (erasure removes them all) */
  listByParticipant(participantId: number): Promise<ConsentRecord[]>;
  deleteByParticipant(participantId: number): Promise<number>;
  /** adds many in a few writes (a large roster import) */
  addMany(records: Omit<ConsentRecord, 'id'>[]): Promise<void>;
  /** records the signed scan on one record version (the current one: `consent signed`) */
  attachSignedScan(recordId: number, scan: SignedScan): Promise<void>;
}

export interface TemplateRepository {
  listByShoot(shootId: string): Promise<Template[]>;
  add(template: Omit<Template, 'id'>): Promise<Template>;
  deleteByParticipant(participantId: number): Promise<number>;
  deleteByShoot(shootId: string): Promise<number>;
  /** removes the templates made from one source (e.g. "face:42"), for undo */
  deleteByOrigin(shootId: string, originRef: string): Promise<number>;
  /** points templates made from one source at another (a confirmed face carried over to its re-detection) */
  reassignOrigin(shootId: string, from: string, to: string): Promise<number>;
}

export interface AssetRepository {
  listByShoot(shootId: string): Promise<Asset[]>;
  findByConnectorId(shootId: string, connectorAssetId: string): Promise<Asset | null>;
  add(asset: Omit<Asset, 'id'>): Promise<Asset>;
}

export interface FaceRepository {
  listByShoot(shootId: string): Promise<Face[]>;
  /** the same without the stored embeddings, for read-only views of a large shoot (matches, review) */
  listByShootWithoutEmbeddings(shootId: string): Promise<Omit<Face, 'embedding'>[]>;
  listByAsset(assetId: number): Promise<Face[]>;
  listByParticipant(participantId: number): Promise<Face[]>;
  find(id: number): Promise<Face | null>;
  add(face: Omit<Face, 'id'>): Promise<Face>;
  /** adds many in one write (a scan stores all faces of an image at once) */
  addMany(faces: Omit<Face, 'id'>[]): Promise<Face[]>;
  deleteByAsset(assetId: number): Promise<number>;
  deleteByIds(ids: number[]): Promise<number>;
  /** drops every stored embedding of the shoot; returns how many were dropped */
  clearEmbeddingsOfShoot(shootId: string): Promise<number>;
}

export interface DecisionRepository {
  listByFace(faceId: number): Promise<Decision[]>;
  listByShoot(shootId: string): Promise<Decision[]>;
  /** decisions that name the participant, as the one decided or as the one before */
  listByParticipant(participantId: number): Promise<Decision[]>;
  add(decision: Omit<Decision, 'id'>): Promise<Decision>;
  deleteByIds(ids: number[]): Promise<number>;
}

export interface RejectionRepository {
  listByAsset(assetId: number): Promise<Rejection[]>;
  add(rejection: Omit<Rejection, 'id'>): Promise<Rejection>;
  deleteByDecision(decisionId: number): Promise<number>;
  listByParticipant(participantId: number): Promise<Rejection[]>;
  deleteByParticipant(participantId: number): Promise<number>;
}

/** What Sitter wrote where (`PushRecord`); rows are tracked: setting `clearedAt` saves it. */
export interface PushRecordRepository {
  /** the places of the shoot that still carry Sitter's entries (not cleared) */
  openByShoot(shootId: string): Promise<PushRecord[]>;
  /** every row of the shoot, cleared or not: when Sitter last wrote to each asset (clearance) */
  listByShoot(shootId: string): Promise<PushRecord[]>;
  /** the places that still carry one person's entries */
  openByParticipant(participantId: number): Promise<PushRecord[]>;
  openByAsset(assetId: number): Promise<PushRecord[]>;
  /** every row of one person, cleared or not: their consent URI holds their reference (erasure) */
  listByParticipant(participantId: number): Promise<PushRecord[]>;
  /** removes one person's rows of places since cleared; rows of places still naming them stay (and are reported) */
  deleteClearedByParticipant(participantId: number): Promise<number>;
  add(record: Omit<PushRecord, 'id'>): Promise<PushRecord>;
}

/** Rule 6's memory: the withdrawn forms of a shoot (kept through erasure) and each person's latest withdrawal. */
export interface WithdrawalRepository {
  /** one read for a whole import: withdrawn forms, and the latest withdrawal in effect by `now` per participant */
  memoryOfShoot(shootId: string, now: Date): Promise<WithdrawalMemory>;
  /** remembers these forms (by their sha256) as withdrawn; a form already remembered keeps its first date */
  rememberForms(shootId: string, forms: readonly { formSha256: string; withdrawnAt: Date }[]): Promise<void>;
}

export interface AuditLog {
  /** Appends one entry, chained to the last one, inside the current unit of work. */
  append(event: AuditEventInput, at: Date): Promise<AuditEntry>;
  /** Every entry in ascending sequence order. */
  all(): Promise<AuditEntry[]>;
  /** The sequence number of the last entry (0 for an empty log): where "what happened since" starts. */
  headSeq(): Promise<number>;
  /** One shoot's entries after `seq`, ascending: what other processes did since (the review app's poll). */
  after(seq: number, shootId: string): Promise<AuditEntry[]>;
}
