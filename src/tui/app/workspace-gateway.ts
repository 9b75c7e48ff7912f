/**
 * The app's gateway onto a real workspace: the core services, the shoot's connector, the face engine
 * (only when enrolling or scanning) and sharp for the pictures. The workspace stays open for the
 * session; SQLite holds no lock between calls, so a scan in another process can write meanwhile.
 */
import { createHash } from 'node:crypto';
import { isSitterError, SitterError } from '../../core/domain/errors.js';
import { DEFAULT_CALIBRATION } from '../../core/adapters/engine/calibration.js';
import type { Connector } from '../../core/ports/connector.js';
import { decideBulk, decideFace, undoLastDecision } from '../../core/services/decision-service.js';
import { loadMatches, reviewQueue, type QueueItem } from '../../core/services/matches-service.js';
import { reviewInfo, shootAttention, type ReviewParticipant } from '../../core/services/review-info.js';
import { shootReport } from '../../core/services/report-service.js';
import { approveShoot, listShoots, showShoot } from '../../core/services/shoot-service.js';
import { verifyAudit } from '../../core/services/audit-service.js';
import { fsFileReader } from '../../core/adapters/files/file-reader.js';
import { openForCommand } from '../context.js';
import type { AppGateway, HomeData, QueueSnapshot, ShootRow } from './gateway.js';
import { cropFace, fitPhoto } from './images/crops.js';

export interface GatewayOptions {
  workspace: string;
  reviewer: string;
  /** also encode pictures as PNG (for the kitty / iTerm2 protocols) */
  png?: boolean;
  /** how many times a write is retried while another process holds the database (each waits 3 s) */
  lockRetries?: number;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export async function openAppGateway(opts: GatewayOptions): Promise<AppGateway> {
  // The app is a command like the others: due purges happen before it shows anything.
  const { ws, ctx } = await openForCommand(opts.workspace, { silent: true });
  const reviewer = opts.reviewer;
  const retries = opts.lockRetries ?? 3;
  let busyListener: ((message: string | null) => void) | null = null;
  const connectors = new Map<string, Promise<{ connector: Connector; source: string }>>();
  const assetBytes = new Map<string, Promise<Uint8Array>>();

  /** Calls still running; closing waits for them (closing the database under a query can hang it). */
  const inFlight = new Set<Promise<unknown>>();
  let closing = false;

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
        const { openConnector } = await import('../compose.js');
        return { connector: await openConnector(shoot, ws.paths.dir), source: shoot.source };
      })();
      c.catch(() => connectors.delete(shootId));
      connectors.set(shootId, c);
    }
    return c;
  }

  /** The asset's bytes through the shoot's connector (rule 1: it fetches only what it lists). */
  function bytesOf(shootId: string, item: QueueItem): Promise<Uint8Array> {
    const key = `${shootId}\u0000${item.asset.assetRef}`;
    let p = assetBytes.get(key);
    if (!p) {
      p = connectorFor(shootId).then(
        async ({ connector, source }) => (await connector.fetch(source, item.asset.assetRef)).bytes,
      );
      p.catch(() => assetBytes.delete(key));
      assetBytes.set(key, p);
      // a few photos at most: faces of one photo usually follow each other
      while (assetBytes.size > 4) assetBytes.delete(assetBytes.keys().next().value!);
    }
    return p;
  }

  async function row(shootId: string): Promise<ShootRow> {
    const { shoot, roster } = await showShoot(ctx, shootId);
    return { shoot, roster, report: await shootReport(ctx, shootId), attention: await shootAttention(ctx, shootId) };
  }

  return {
    reviewer,
    onBusy(listener) {
      busyListener = listener;
    },

    async loadQueue(shootId, filter = {}): Promise<QueueSnapshot> {
      return retryLocked(async () => {
        const info = await reviewInfo(ctx, shootId);
        const matches = await loadMatches(ctx, shootId);
        const items = reviewQueue(matches, info.shoot.matchThreshold ?? DEFAULT_CALIBRATION.threshold, filter);
        const participants: Record<string, ReviewParticipant> = {};
        for (const p of info.participants) participants[p.ref] = p;
        return {
          shoot: info.shoot,
          items,
          eligible: info.eligible.map((p) => ({ ref: p.ref, name: p.name })),
          participants,
        };
      });
    },
    decide: (shootId, faceId, action) => retryLocked(() => decideFace(ctx, shootId, faceId, action, reviewer)),
    bulk: (shootId, selector) => retryLocked(() => decideBulk(ctx, shootId, selector, 'confirm', reviewer)),
    undo: (shootId) => retryLocked(() => undoLastDecision(ctx, shootId, reviewer)),

    async faceImage(shootId, item, width, height) {
      const bytes = await bytesOf(shootId, item);
      return cropFace(bytes, item.face.box, width, height, opts.png);
    },
    async referenceImage(_shootId, p, width, height) {
      if (!p.referencePhoto) throw new SitterError('NO_REFERENCE_PHOTO', 'No reference photo on the consent record.');
      const bytes = await fsFileReader.read(p.referencePhoto);
      const sha = createHash('sha256').update(bytes).digest('hex');
      if (p.referencePhotoSha256 && sha !== p.referencePhotoSha256) {
        throw new SitterError(
          'REFERENCE_PHOTO_CHANGED',
          'The reference photo changed since the consent import; not shown.',
          'Import the consent file again.',
        );
      }
      return fitPhoto(bytes, width, height, opts.png);
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
    async enrol(shootId) {
      const [{ enrolShoot }, { openEngine }] = await Promise.all([
        import('../../core/services/enrol-service.js'),
        import('../compose.js'),
      ]);
      const { engine } = await openEngine();
      try {
        return await enrolShoot(ctx, { engine, files: fsFileReader }, shootId);
      } finally {
        await engine.close();
      }
    },
    async scan(shootId, onProgress, signal) {
      const [{ scanShoot }, { openEnginePool }, { acquireScanLock }] = await Promise.all([
        import('../../core/services/scan-service.js'),
        import('../compose.js'),
        import('../../core/adapters/store/scan-lock.js'),
      ]);
      const lock = acquireScanLock(ws.paths.dir, shootId);
      try {
        const { connector } = await connectorFor(shootId);
        const { engine, calibration } = await openEnginePool();
        try {
          return await scanShoot(ctx, { connector, engine, calibration }, shootId, {
            signal,
            onProgress,
            concurrency: 3,
          });
        } finally {
          await engine.close();
        }
      } finally {
        lock.release();
      }
    },
    async push(shootId) {
      const { pushShoot } = await import('../../core/services/push-service.js');
      const { connector } = await connectorFor(shootId);
      return retryLocked(() => pushShoot(ctx, connector, shootId));
    },
    async close() {
      closing = true;
      await Promise.allSettled([...inFlight]);
      for (const c of connectors.values()) {
        try {
          await (await c).connector.close?.();
        } catch {
          // closing is best effort
        }
      }
      await ws.close();
    },
  };
}
