/**
 * The team's scan queue (issue 15): jobs of a shoot's assets that `sitter worker` processes on any
 * machine holding the workspace key. The adapter is pg-boss on the team database (its own schema);
 * the core sees jobs, their states and a way to consume them, never pg-boss itself.
 */
import type { CaptureTime } from '../domain/shoot-dates.js';

/** A listed asset as a job carries it (JSON: dates as ISO text). */
export interface QueuedAsset {
  id: string;
  fileName: string;
  size?: number;
  modifiedAt: string;
  contentHash?: string;
  capturedAt?: CaptureTime | null;
  revision?: string;
}

/** One job: one asset or a small batch, each with its `ScanJob` row in the workspace. */
export interface ScanJobData {
  shootId: string;
  items: { row: number; version: string; asset: QueuedAsset }[];
}

export interface SendOptions {
  /** a job active longer than this is taken as lost (its worker died) and handed out again */
  expireInSeconds: number;
  /** how many times a failed or expired job is tried again before it goes to the dead-letter queue */
  retryLimit: number;
  /** the first retry's delay; doubled (with jitter) at each next one */
  retryDelaySeconds: number;
}

export type QueueJobState = 'waiting' | 'retrying' | 'active' | 'done' | 'failed' | 'dead-lettered';

/** What the queue knows of one job of a shoot. */
export interface QueueJobView {
  id: string;
  state: QueueJobState;
  assets: string[];
  /** tries so far (0: never failed) */
  retries: number;
  /** the last failure's message (a worker's error, or the queue's "failed by timeout") */
  lastError: string | null;
}

/** One job handed to a worker: its data and whether a failure now is its last (it would be dead-lettered). */
export interface ClaimedJob {
  id: string;
  data: ScanJobData;
  retries: number;
}

export interface ConsumeOptions {
  /** jobs in flight at once */
  concurrency: number;
  /** return once no job of any state before done is left (waiting, retrying or active anywhere) */
  untilIdle: boolean;
  /** stop taking jobs; the ones in flight finish */
  stop: AbortSignal;
  /** stop now: the jobs in flight go back to the queue (a failed try) instead of finishing */
  release?: AbortSignal;
  /** how often an idle worker asks for work, in ms */
  pollMs?: number;
}

export interface ScanQueue {
  /**
   * puts jobs on the queue; a job whose rows are already waiting, retrying or active is not added
   * twice. The jobs of one call are handed out in the order given, after those sent before them.
   */
  send(jobs: ScanJobData[], options: SendOptions): Promise<void>;
  /** the jobs of one shoot, in every state (done ones until the queue archives them) */
  jobsOf(shootId: string): Promise<QueueJobView[]>;
  /**
   * Hands jobs to `handle` until stopped (or idle, with `untilIdle`): a job whose handler resolves is
   * done; one whose handler throws is failed with that error and retried with backoff, then
   * dead-lettered when its retries are spent.
   */
  consume(handle: (job: ClaimedJob) => Promise<unknown>, options: ConsumeOptions): Promise<void>;
  close(): Promise<void>;
}
