/**
 * What the screens need from the workspace, as one small interface: the workspace implementation
 * (workspace-gateway.ts) calls the core services, tests pass a fake. The app adds no rule of its own:
 * every decision, approval, enrolment and scan is a service call.
 */
import type {
  DecisionOutcome,
  BulkSelector,
  ReviewAction,
  SeenFace,
  UndoOutcome,
} from '../../core/services/decision-service.js';
import type { ReviewActivity } from '../../core/services/review-activity.js';
import type { EnrolSummary } from '../../core/services/enrol-service.js';
import type { QueueFilter, QueueItem } from '../../core/services/matches-service.js';
import type { PushSummary } from '../../core/services/push-service.js';
import type { ShootReport } from '../../core/services/report-service.js';
import type { ReviewInfo, ReviewParticipant, ShootAttention } from '../../core/services/review-info.js';
import type { RosterCounts } from '../../core/services/roster.js';
import type { ScanProgress, ScanSummary } from '../../core/services/scan-service.js';
import type { QueueStatus } from '../../core/services/scan-queue-status.js';
import type { Shoot } from '../../core/domain/shoot.js';
import type { Picture } from './images/crops.js';

export type { Picture };

/** The review queue as loaded: most uncertain first, plus who may be assigned. */
export interface QueueSnapshot {
  shoot: ReviewInfo['shoot'];
  items: QueueItem[];
  /** the audit chain's last entry when the queue was read: the poll for others' decisions starts after it */
  seenSeq: number;
  /** participants with valid biometric consent: the only ones the assign picker offers */
  eligible: Pick<ReviewParticipant, 'ref' | 'name'>[];
  /** everyone on the roster by participant_id (for consent status and reference photos) */
  participants: Record<string, ReviewParticipant>;
}

export interface ShootRow {
  shoot: Shoot;
  roster: RosterCounts;
  report: ShootReport;
  attention: ShootAttention;
  /** the audit chain's last entry when the row was read (the shoot screen polls what comes after) */
  seenSeq?: number;
}

export interface HomeData {
  shoots: ShootRow[];
  /** the audit chain's verdict: a broken chain needs attention before anything else */
  audit: { ok: true; count: number } | { ok: false; count: number; firstBadSeq: number; reason: string };
}

export interface ReviewGateway {
  /** who decides; recorded with every decision */
  readonly reviewer: string;
  loadQueue(shootId: string, filter?: QueueFilter): Promise<QueueSnapshot>;
  /**
   * `seen`: the face as the screen showed it; if another reviewer has changed it since, the service
   * refuses (FACE_DECIDED_ELSEWHERE) instead of deciding on top of them.
   */
  decide(shootId: string, faceId: number, action: ReviewAction, seen?: SeenFace): Promise<DecisionOutcome>;
  /** what happened to the shoot after the chain entry `afterSeq` (other reviewers' decisions, scans...) */
  activity(shootId: string, afterSeq: number): Promise<ReviewActivity>;
  bulk(shootId: string, selector: BulkSelector): Promise<DecisionOutcome[]>;
  undo(shootId: string): Promise<UndoOutcome>;
  /** the face cut from its asset, in memory; rejects with the reason when the asset is gone or broken */
  faceImage(shootId: string, item: QueueItem, width: number, height: number): Promise<Picture>;
  referenceImage(shootId: string, participant: ReviewParticipant, width: number, height: number): Promise<Picture>;
}

export interface ShootGateway {
  overview(): Promise<HomeData>;
  /** what happened to the shoot after the chain entry `afterSeq` (another reviewer, another machine) */
  activity(shootId: string, afterSeq: number): Promise<ReviewActivity>;
  shoot(shootId: string): Promise<ShootRow>;
  approve(shootId: string, dpiaRef: string, approvedBy: string): Promise<void>;
  enrol(shootId: string): Promise<EnrolSummary>;
  scan(shootId: string, onProgress: (p: ScanProgress) => void, signal: AbortSignal): Promise<ScanSummary>;
  /** absent when this build has no push service */
  push?: (shootId: string) => Promise<PushSummary>;
  /** the shoot's queued scan (team workspace); null when it has none (a SQLite workspace, or nothing queued) */
  queueStatus?: (shootId: string) => Promise<QueueStatus | null>;
}

/** Everything the app talks to. `onBusy` is called while a write waits for a locked database. */
export interface AppGateway extends ReviewGateway, ShootGateway {
  onBusy(listener: ((message: string | null) => void) | null): void;
  close(): Promise<void>;
}
