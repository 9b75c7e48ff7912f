/**
 * The app's gateway onto a real workspace: the core services, the shoot's connector, the face engine
 * (only when enrolling or scanning) and sharp for the pictures. The workspace stays open for the
 * session; SQLite holds no lock between calls, so a scan in another process can write meanwhile.
 */
import { isSitterError, SitterError } from '../../core/domain/errors.js';
import type { Connector, FetchedAsset, FetchOptions } from '../../core/ports/connector.js';
import { decideBulk, decideFace, undoLastDecision } from '../../core/services/decision-service.js';
import type { QueueItem } from '../../core/services/matches-service.js';
import { activityHead, reviewActivity } from '../../core/services/review-activity.js';
import { shootAttention, type ReviewParticipant } from '../../core/services/review-info.js';
import { reviewerIdentity } from '../../core/services/reviewer-identity.js';
import { shootReport } from '../../core/services/report-service.js';
import { approveShoot, listShoots, showShoot } from '../../core/services/shoot-service.js';
import { verifyAudit } from '../../core/services/audit-service.js';
import type { Providers } from '../../app/session.js';
import { enrol } from '../../app/use-cases/enrol.js';
import { push } from '../../app/use-cases/push.js';
import { loadReviewQueue, referencePhoto } from '../../app/use-cases/review.js';
import { scan } from '../../app/use-cases/scan.js';
import { teamQueueStatus } from '../../app/use-cases/scan-queue.js';
import { openForCommand } from '../context.js';
import type { AppGateway, HomeData, QueueSnapshot, ShootRow } from './gateway.js';
import { cropFace, fitPhoto } from './images/crops.js';

export interface GatewayOptions {
  workspace: string;
  /** the reviewer named on the command line; absent: whom the session acts as (a team workspace's role) */
  reviewer?: string;
  /** also encode pictures as PNG (for the kitty / iTerm2 protocols) */
  png?: boolean;
  /** how many times a write is retried while another process holds the database (each waits 3 s) */
  lockRetries?: number;
  /** replace the application layer's providers (tests count engine loads this way) */
  providers?: Partial<Providers>;
}

/** A face crop needs no more than this; the reviewer waits on it, so it goes ahead of a scan's fetches. */
const REVIEW_FETCH: FetchOptions = { rendition: { maxDimension: 1600 }, priority: 'interactive' };

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export async function openAppGateway(opts: GatewayOptions): Promise<AppGateway> {
  // The app is a command like the others: due purges happen before it shows anything.
  const session = await openForCommand(opts.workspace, {
    silent: true,
    ...(opts.providers ? { providers: opts.providers } : {}),
  });
  const { ctx } = session;
  // Settled before the first screen: in a team workspace a --reviewer other than the role is refused here.
  let reviewer: string;
  try {
    reviewer = await reviewerIdentity(ctx, opts.reviewer ?? ctx.actor);
  } catch (error) {
    await session.close();
    throw error;
  }
  const retries = opts.lockRetries ?? 3;
  let busyListener: ((message: string | null) => void) | null = null;
  const connectors = new Map<string, Promise<{ connector: Connector; source: string }>>();
  const assetBytes = new Map<string, Promise<FetchedAsset>>();

  /** Calls still running; closing waits for them (closing the database under a query can hang it). */
  const inFlight = new Set<Promise<unknown>>();
  let closing = false;
  const queueStatus = teamQueueStatus(session);

  /** DATABASE_LOCKED (a scan is committing): say so on screen and try again, never crash. */
  function retryLocked<T>(work: () => Promise<T>): Promise<T> {
    if (closing) return Promise.reject(new SitterError('APP_CLOSING', 'The app is closing.'));
    const p = retrying(work);
    inFlight.add(p);
    const done = () => inFlight.delete(p);
    p.then(done, done);
    return p;
  }

  async function retrying<T>(work: () => Promise<T>): Promise<T> {
    for (let attempt = 1; ; attempt++) {
      try {
        const result = await work();
        if (attempt > 1) busyListener?.(null);
        return result;
      } catch (error) {
        if (isSitterError(error) && error.code === 'DATABASE_LOCKED' && attempt <= retries) {
          busyListener?.(
            `The database is busy: another Sitter process (a scan?) is writing. Trying again (${attempt} of ${retries})…`,
          );
          await sleep(200);
          continue;
        }
        busyListener?.(null);
        throw error;
      }
    }
  }

  function connectorFor(shootId: string) {
    let c = connectors.get(shootId);
    if (!c) {
      c = (async () => {
        const { shoot } = await retryLocked(() => showShoot(ctx, shootId));
        return { connector: await session.connectors.forShoot(shoot), source: shoot.source };
      })();
      c.catch(() => connectors.delete(shootId));
      connectors.set(shootId, c);
    }
    return c;
  }

  /**
   * The asset's bytes through the shoot's connector, for the reviewer's crops: a rendition large enough
   * for a face crop (boxes are relative, so they line up on it), ahead of any scan in the budget
   * (rule 1: it fetches only what it lists). */
  function bytesOf(shootId: string, item: QueueItem): Promise<FetchedAsset> {
    const key = `${shootId}\u0000${item.asset.assetRef}`;
    let p = assetBytes.get(key);
    if (!p) {
      p = connectorFor(shootId).then(async ({ connector, source }) =>
        connector.fetch(source, item.asset.assetRef, REVIEW_FETCH),
      );
      p.catch(() => assetBytes.delete(key));
      assetBytes.set(key, p);
      // a few photos at most: faces of one photo usually follow each other
      while (assetBytes.size > 4) assetBytes.delete(assetBytes.keys().next().value!);
    }
    return p;
  }

  async function row(shootId: string): Promise<ShootRow> {
    const seenSeq = await activityHead(ctx);
    const { shoot, roster } = await showShoot(ctx, shootId);
    return {
      shoot,
      roster,
      report: await shootReport(ctx, shootId),
      attention: await shootAttention(ctx, shootId),
      seenSeq,
    };
  }

  return {
    reviewer,
    onBusy(listener) {
      busyListener = listener;
    },

    async loadQueue(shootId, filter = {}): Promise<QueueSnapshot> {
      return retryLocked(async () => {
        // Read first: an entry appended while the queue loads is seen again by the poll, never missed.
        const seenSeq = await activityHead(ctx);
        const { info, items } = await loadReviewQueue(session, shootId, filter);
        const participants: Record<string, ReviewParticipant> = {};
        for (const p of info.participants) participants[p.ref] = p;
        return {
          shoot: info.shoot,
          items,
          seenSeq,
          eligible: info.eligible.map((p) => ({ ref: p.ref, name: p.name })),
          participants,
        };
      });
    },
    decide: (shootId, faceId, action, seen) =>
      retryLocked(() => decideFace(ctx, shootId, faceId, action, reviewer, seen)),
    activity: (shootId, afterSeq) => retryLocked(() => reviewActivity(ctx, shootId, afterSeq)),
    bulk: (shootId, selector) => retryLocked(() => decideBulk(ctx, shootId, selector, 'confirm', reviewer)),
    undo: (shootId) => retryLocked(() => undoLastDecision(ctx, shootId, reviewer)),

    async faceImage(shootId, item, width, height) {
      const fetched = await bytesOf(shootId, item);
      const { width: w, height: h } = item.asset;
      // The box's frame as the scan recorded it; the file's header for assets scanned before that, and
      // for a rendition (its own size: the box is relative, so it lines up all the same).
      const original = (fetched.rendition ?? 'original') === 'original';
      const displayed = original && w !== null && h !== null ? { width: w, height: h } : null;
      return cropFace(fetched.bytes, item.face.box, width, height, { png: opts.png, displayed });
    },
    async referenceImage(_shootId, p, width, height) {
      return fitPhoto(await referencePhoto(session, p), width, height, opts.png);
    },

    async overview(): Promise<HomeData> {
      return retryLocked(async () => {
        const shoots = await listShoots(ctx);
        const rows: ShootRow[] = [];
        for (const s of shoots)
          rows.push({
            ...s,
            report: await shootReport(ctx, s.shoot.id),
            attention: await shootAttention(ctx, s.shoot.id),
          });
        const { chain: v } = await verifyAudit(ctx);
        return {
          shoots: rows,
          audit: v.ok
            ? { ok: true, count: v.count }
            : { ok: false, count: v.count, firstBadSeq: v.firstBadSeq, reason: v.reason },
        };
      });
    },
    shoot: (shootId) => retryLocked(() => row(shootId)),
    async approve(shootId, dpiaRef, approvedBy) {
      await retryLocked(() => approveShoot(ctx, shootId, dpiaRef, approvedBy));
    },
    // The same use cases as `sitter enrol`, `scan` and `push`: the same checks before any model
    // loads, the same scan lock and concurrency.
    enrol: (shootId) => enrol(session, shootId),
    scan: (shootId, onProgress, signal) => scan(session, shootId, { onProgress, signal }),
    push: (shootId) => retryLocked(() => push(session, shootId)),
    queueStatus: (shootId) => queueStatus(shootId),
    async close() {
      closing = true;
      await queueStatus.close();
      await Promise.allSettled([...inFlight]);
      for (const c of connectors.values()) {
        try {
          await (await c).connector.close?.();
        } catch {
          // closing is best effort
        }
      }
      await session.close();
    },
  };
}
