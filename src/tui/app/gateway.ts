/**
 * What the screens need from the workspace, as one small interface: the workspace implementation
 * (workspace-gateway.ts) calls the core services, tests pass a fake. The app adds no rule of its own:
 * every decision, approval, enrolment and scan is a service call.
 */
import type { DecisionOutcome, BulkSelector, ReviewAction, UndoOutcome } from '../../core/services/decision-service.js';
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
  decide(shootId: string, faceId: number, action: ReviewAction): Promise<DecisionOutcome>;
  bulk(shootId: string, selector: BulkSelector): Promise<DecisionOutcome[]>;
  undo(shootId: string): Promise<UndoOutcome>;
  /** the face cut from its asset, in memory; rejects with the reason when the asset is gone or broken */
  faceImage(shootId: string, item: QueueItem, width: number, height: number): Promise<Picture>;
  referenceImage(shootId: string, participant: ReviewParticipant, width: number, height: number): Promise<Picture>;
}

export interface ShootGateway {
  overview(): Promise<HomeData>;
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
