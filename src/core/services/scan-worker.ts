/**
 * `sitter worker`: processes the team's scan jobs with the local engine. Each asset goes through the
 * same step as in a local scan (`scan-asset.ts`), with one addition: the write that stores its result
 * first settles its `ScanJob` row, and writes nothing when the row was settled already. A job handed
 * out twice (its first worker was killed, or too slow and its job expired) therefore changes nothing
 * the second time: no duplicate faces, one `scan.asset` entry per asset.
 */
import { SitterError } from '../domain/errors.js';
import type { Asset, ScanJobOutcome } from '../domain/records.js';
import type { Shoot } from '../domain/shoot.js';
import type { Connector } from '../ports/connector.js';
import type { FaceEngine, MatchCalibration } from '../ports/face-engine.js';
import type { ConnectorProvider } from '../ports/providers.js';
import type { ClaimedJob } from '../ports/scan-queue.js';
import type { ServiceContext } from './context.js';
import { type AssetOutcome, type AssetScanEnv, scanAsset } from './scan-asset.js';
import { fromQueuedAsset } from './scan-queue-service.js';
import { admitScan, reloadScanOn, scanFetchOptions, startScanOn } from './scan-service.js';

export interface WorkerDeps {
  connectors: ConnectorProvider;
  engine: FaceEngine;
  calibration: MatchCalibration;
  /** who settles the jobs, as the status shows it (host:pid) */
  worker: string;
  /** how long a shoot's roster and checks are reused before they are read again (default 60 s) */
  refreshMs?: number;
}

/** What one job did, per asset: kept as the job's output in the queue. */
export interface JobReport {
  worker: string;
  assets: { asset: string; outcome: ScanJobOutcome | 'already-settled'; error?: string }[];
}

export interface WorkerTally {
  jobs: number;
  analysed: number;
  unchanged: number;
  failed: number;
  /** jobs or assets another worker had settled first: nothing was written */
  alreadySettled: number;
}

interface ShootState {
  env: Omit<AssetScanEnv, 'listedIds' | 'guard'>;
  connector: Connector;
  loadedAt: number;
}

export class ScanWorker {
  readonly tally: WorkerTally = { jobs: 0, analysed: 0, unchanged: 0, failed: 0, alreadySettled: 0 };
  private readonly shoots = new Map<string, Promise<ShootState>>();

  constructor(
    private readonly ctx: ServiceContext,
    private readonly deps: WorkerDeps,
  ) {}

  /**
   * One job. Resolves when each of its assets is settled (analysed, unchanged, refused, held,
   * skipped or failed for good); throws when one must be tried again later (a busy source, a lost
   * engine worker), and the queue retries the job: its settled assets are then skipped.
   */
  async handle(job: ClaimedJob): Promise<JobReport> {
    this.tally.jobs += 1;
    const report: JobReport = { worker: this.deps.worker, assets: [] };
    // A shoot that may not be scanned now (closed, retention ended, nobody enrolled) fails the job: it is
    // retried, then dead-lettered with the reason, and its assets stay open for a later `scan --queue`.
    const state = await this.shootState(job.data.shootId);
    for (const entry of job.data.items) {
      const item = fromQueuedAsset(entry.asset);
      const { row, before } = await this.ctx.store.transaction(async (uow) => ({
        row: await uow.scanJobs.find(job.data.shootId, item.id, entry.version),
        before: (await uow.assets.findByConnectorId(job.data.shootId, item.id)) ?? undefined,
      }));
      if (!row || row.outcome !== null) {
        this.tally.alreadySettled += 1;
        report.assets.push({ asset: item.id, outcome: 'already-settled' });
        continue;
      }
      const env: AssetScanEnv = {
        ...state.env,
        listedIds: new Set([item.id]), // the listing that queued it named it; the fetch must return it
        guard: (uow, outcome, error) =>
          uow.scanJobs.settle(row.id, outcome, {
            worker: this.deps.worker,
            at: this.ctx.clock.now(),
            error: error ?? null,
          }),
      };
      const outcome = await scanAsset(env, item, before, { mayRetry: true, engineFailuresPass: true });
      report.assets.push(await this.settle(row.id, item.id, outcome));
    }
    return report;
  }

  /** Closes the connectors the worker made. */
  async close(): Promise<void> {
    for (const state of this.shoots.values()) {
      const s = await state.catch(() => null);
      await s?.connector.close?.();
    }
    this.shoots.clear();
  }

  /** Settles what `scanAsset` did not write itself (unchanged, skipped); throws what must be retried. */
  private async settle(row: number, asset: string, outcome: AssetOutcome): Promise<JobReport['assets'][number]> {
    const settleOnly = async (as: ScanJobOutcome, error?: string) => {
      const settled = await this.ctx.store.transaction((uow) =>
        uow.scanJobs.settle(row, as, { worker: this.deps.worker, at: this.ctx.clock.now(), error: error ?? null }),
      );
      if (!settled) this.tally.alreadySettled += 1;
    };
    switch (outcome.kind) {
      case 'busy':
        throw outcome.error;
      case 'stopped':
        throw new SitterError(
          'WORKER_STOPPED',
          `The worker was stopped while on "${asset}".`,
          'Another worker takes it.',
        );
      case 'settled-elsewhere':
        this.tally.alreadySettled += 1;
        return { asset, outcome: 'already-settled' };
      case 'unchanged':
        this.tally.unchanged += 1;
        await settleOnly('unchanged');
        return { asset, outcome: 'unchanged' };
      case 'skipped':
        await settleOnly('skipped', outcome.entry.message);
        return { asset, outcome: 'skipped', error: outcome.entry.message };
      case 'failed':
        this.tally.failed += 1;
        return { asset, outcome: 'failed', error: `${outcome.failure.code}: ${outcome.failure.message}` };
      case 'outside':
        return { asset, outcome: 'refused' };
      case 'held':
        return { asset, outcome: 'held' };
      case 'analysed':
        this.tally.analysed += 1;
        return { asset, outcome: 'analysed' };
    }
  }

  /** The shoot's checks, connector and roster, read again after `refreshMs` (a new enrolment, a closed shoot). */
  private async shootState(shootId: string): Promise<ShootState> {
    const cached = this.shoots.get(shootId);
    const fresh = cached ? await cached.catch(() => null) : null;
    if (fresh && Date.now() - fresh.loadedAt < (this.deps.refreshMs ?? 60_000)) return fresh;
    const loading = this.loadShoot(shootId, fresh?.connector);
    this.shoots.set(shootId, loading);
    loading.catch(() => this.shoots.delete(shootId));
    return loading;
  }

  private async loadShoot(shootId: string, connector?: Connector): Promise<ShootState> {
    const shoot: Shoot = await admitScan(this.ctx, shootId);
    const conn = connector ?? (await this.deps.connectors.forShoot(shoot));
    const ports = { connector: conn, engine: this.deps.engine, calibration: this.deps.calibration };
    // On the record once per worker and shoot, not at every refresh.
    const { dates, limits, roster } = connector
      ? await reloadScanOn(this.ctx, shoot, ports)
      : await startScanOn(this.ctx, shoot, ports, 'scan.worker-started', { worker: this.deps.worker });
    return {
      connector: conn,
      loadedAt: Date.now(),
      env: {
        ctx: this.ctx,
        shoot,
        dates,
        connector: conn,
        engine: this.deps.engine,
        roster,
        limits,
        quality: this.deps.calibration.quality,
        fetchOptions: scanFetchOptions(conn, {}),
        keep: (asset): asset is Asset => asset?.scanState === 'scanned',
      },
    };
  }
}
