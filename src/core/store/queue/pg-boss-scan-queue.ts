/**
 * The scan queue on pg-boss (10.x), in its own schema of the team database. pg-boss gives the
 * guarantees the distributed scan relies on: a job is handed to one worker at a time (SKIP LOCKED), a
 * job whose worker died expires and is handed out again, failures are retried with backoff, and a job
 * whose retries are spent is copied to the dead-letter queue with its data and last error.
 */
import { randomUUID } from 'node:crypto';
import pg from 'pg';
import PgBoss from 'pg-boss';
import { SitterError } from '../../domain/errors.js';
import type {
  ClaimedJob,
  ConsumeOptions,
  QueueJobState,
  QueueJobView,
  ScanJobData,
  ScanQueue,
  SendOptions,
} from '../../ports/scan-queue.js';

import { grantQueueSchema, QUEUE_SCHEMA } from '../team-directory.js';

/** pg-boss's own tables live here, beside (never inside) Sitter's */
export { QUEUE_SCHEMA };
export const SCAN_QUEUE = 'sitter-scan';
export const DEAD_LETTER_QUEUE = 'sitter-scan-dead';

const STATES: Record<string, QueueJobState> = {
  created: 'waiting',
  retry: 'retrying',
  active: 'active',
  completed: 'done',
  failed: 'failed',
  cancelled: 'failed',
};

interface JobRow {
  id: string;
  name: string;
  state: string;
  retry_count: number;
  retry_limit: number;
  data: ScanJobData;
  output: unknown;
}

/** The message of a failed job's output: a worker's `{message}` or pg-boss's `{value: {message}}`. */
function lastErrorOf(output: unknown): string | null {
  if (!output || typeof output !== 'object') return null;
  const o = output as { message?: unknown; code?: unknown; value?: { message?: unknown } };
  if (typeof o.message === 'string') return typeof o.code === 'string' ? `${o.code}: ${o.message}` : o.message;
  if (typeof o.value?.message === 'string') return o.value.message;
  return null;
}

/** What a failed job keeps of its error: code and message, never a stack (it is shown to every reviewer). */
function failureOutput(error: unknown): { code?: string; message: string } {
  if (error instanceof SitterError) return { code: error.code, message: error.message };
  return { message: error instanceof Error ? error.message : String(error) };
}

function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    const timer = setTimeout(done, ms);
    signal.addEventListener('abort', done, { once: true });
    function done() {
      clearTimeout(timer);
      signal.removeEventListener('abort', done);
      resolve();
    }
  });
}

/** Resolves when the signal aborts (never without one). */
function abortOf(signal: AbortSignal | undefined): Promise<void> {
  return new Promise((resolve) => signal?.addEventListener('abort', () => resolve(), { once: true }));
}

export class PgBossScanQueue implements ScanQueue {
  private constructor(private readonly boss: PgBoss) {}

  /**
   * Connects and installs or upgrades pg-boss's schema (needs CREATE on the database the first time).
   * The password comes from the URL or, better, PGPASSWORD / ~/.pgpass, as for the store.
   */
  static async open(connectionString: string): Promise<PgBossScanQueue> {
    const boss = new PgBoss({
      connectionString,
      schema: QUEUE_SCHEMA,
      application_name: 'sitter-queue',
      max: 4,
      // Maintenance (expiry, archiving) is run by the workers themselves when idle (consume below).
      supervise: false,
      schedule: false,
    });
    const errors: Error[] = [];
    boss.on('error', (e) => errors.push(e));
    try {
      const installed = await queueInstalled(connectionString);
      await boss.start();
      // The first `scan --queue` made the schema: an existing reviewer group gets what pg-boss needs in it.
      if (!installed) await grantQueueSchema(sqlRunnerOf(boss));
      await ensureQueue(boss, DEAD_LETTER_QUEUE, { name: DEAD_LETTER_QUEUE, policy: 'standard' });
      await ensureQueue(boss, SCAN_QUEUE, { name: SCAN_QUEUE, policy: 'stately', deadLetter: DEAD_LETTER_QUEUE });
    } catch (error) {
      await boss.stop({ graceful: false, wait: false }).catch(() => undefined);
      throw new SitterError(
        'QUEUE_UNREACHABLE',
        `The scan queue (pg-boss, schema "${QUEUE_SCHEMA}") could not be opened on the team database: ${error instanceof Error ? error.message : String(error)}.`,
        `Check that the database is reachable and that this role may create the "${QUEUE_SCHEMA}" schema the first time (GRANT CREATE ON DATABASE ... TO the role), or ask the database owner to run "sitter scan --queue" once.`,
        {},
        { cause: error },
      );
    }
    return new PgBossScanQueue(boss);
  }

  /** The queue only if `scan --queue` ever made it: a reader (`scan --status`) creates nothing. */
  static async openInstalled(connectionString: string): Promise<PgBossScanQueue | null> {
    return (await queueInstalled(connectionString)) ? PgBossScanQueue.open(connectionString) : null;
  }

  /** The jobs go out in the order given (`idInSendOrder`), after those of earlier sends (created_on). */
  async send(jobs: ScanJobData[], options: SendOptions): Promise<void> {
    if (jobs.length === 0) return;
    // stately + singletonKey: one waiting, one retrying and one active job per key at most, so a
    // second `scan --queue` before the first is done adds no job for the same rows.
    await this.boss.insert(
      jobs.map((data, i) => ({
        id: idInSendOrder(i),
        name: SCAN_QUEUE,
        data,
        singletonKey: `${data.shootId}:${data.items.map((item) => item.row).join(',')}`,
        expireInSeconds: options.expireInSeconds,
        retryLimit: options.retryLimit,
        retryDelay: options.retryDelaySeconds,
        retryBackoff: true,
        deadLetter: DEAD_LETTER_QUEUE,
      })),
    );
  }

  async jobsOf(shootId: string): Promise<QueueJobView[]> {
    const { rows } = (await this.boss
      .getDb()
      .executeSql(
        `SELECT id, name, state, retry_count, retry_limit, data, output FROM ${QUEUE_SCHEMA}.job WHERE name = ANY($1) AND data->>'shootId' = $2 ORDER BY created_on, id`,
        [[SCAN_QUEUE, DEAD_LETTER_QUEUE], shootId],
      )) as { rows: JobRow[] };
    return rows.map((r) => ({
      id: r.id,
      state: r.name === DEAD_LETTER_QUEUE ? 'dead-lettered' : (STATES[r.state] ?? 'failed'),
      assets: r.data.items.map((i) => i.asset.id),
      // a dead-lettered copy starts at 0: its original spent every retry it had
      retries: r.name === DEAD_LETTER_QUEUE ? r.retry_limit : r.retry_count,
      lastError: lastErrorOf(r.output),
    }));
  }

  async consume(handle: (job: ClaimedJob) => Promise<unknown>, options: ConsumeOptions): Promise<void> {
    const pollMs = options.pollMs ?? 1000;
    const inFlight = new Set<Promise<void>>();
    const held = new Set<string>();
    // Released (a second Ctrl-C): the jobs in hand go back to the queue now, as a failed try, rather
    // than when they expire; a result still being written is settled once all the same (ScanJob rows).
    const release = async () => {
      const ids = [...held];
      held.clear();
      for (const id of ids) await this.boss.fail(SCAN_QUEUE, id, { message: 'the worker was stopped; released' });
    };
    options.release?.addEventListener('abort', () => void release().catch(() => undefined), { once: true });
    const run = (job: PgBoss.JobWithMetadata<ScanJobData>) => {
      held.add(job.id);
      const p = (async () => {
        try {
          const output = await handle({ id: job.id, data: job.data, retries: job.retryCount });
          if (held.delete(job.id)) await this.boss.complete(SCAN_QUEUE, job.id, (output ?? {}) as object);
        } catch (error) {
          if (held.delete(job.id)) await this.boss.fail(SCAN_QUEUE, job.id, failureOutput(error));
        }
      })();
      inFlight.add(p);
      void p.finally(() => inFlight.delete(p));
    };
    while (!options.stop.aborted) {
      if (inFlight.size >= options.concurrency) {
        await Promise.race(inFlight);
        continue;
      }
      const [job] = await this.boss.fetch<ScanJobData>(SCAN_QUEUE, { batchSize: 1, includeMetadata: true });
      if (job) {
        run(job);
        continue;
      }
      if (inFlight.size > 0) {
        await Promise.race([...inFlight, sleep(pollMs, options.stop)]);
        continue;
      }
      // A dead worker's jobs come back as soon as they expire, not at some later maintenance.
      await this.boss.expire();
      if (options.untilIdle && (await this.boss.getQueueSize(SCAN_QUEUE, { before: 'completed' })) === 0) break;
      await sleep(pollMs, options.stop);
    }
    if (options.release?.aborted) return;
    await Promise.race([Promise.all(inFlight), abortOf(options.release)]);
  }

  async close(): Promise<void> {
    await this.boss.stop({ graceful: false, wait: true, close: true });
  }
}

/** Whether pg-boss's schema exists on the database (one short connection). */
async function queueInstalled(connectionString: string): Promise<boolean> {
  const client = new pg.Client({ connectionString, application_name: 'sitter-queue' });
  await client.connect();
  try {
    return (await client.query('select 1 from pg_namespace where nspname = $1', [QUEUE_SCHEMA])).rowCount! > 0;
  } finally {
    await client.end();
  }
}

/** team-directory's `?` placeholders on pg-boss's own connection. */
function sqlRunnerOf(boss: PgBoss) {
  return async (sql: string, params: unknown[] = []) => {
    let n = 0;
    const { rows } = (await boss.getDb().executeSql(
      sql.replace(/\?/g, () => `$${++n}`),
      params,
    )) as { rows: Record<string, unknown>[] };
    return rows;
  };
}

async function ensureQueue(boss: PgBoss, name: string, options: PgBoss.Queue): Promise<void> {
  if (!(await boss.getQueue(name))) await boss.createQueue(name, options);
}

/**
 * A job id that puts the jobs of one insert in the order given. pg-boss hands out jobs by priority,
 * then created_on, then id; one insert's jobs share created_on (one statement), and random ids would
 * hand them out in no set order. The position leads the id (PostgreSQL compares uuids byte by byte);
 * the rest stays random, so ids are still unique across sends. Priorities are left alone: they would
 * also reorder the jobs of other sends and shoots.
 */
export function idInSendOrder(position: number): string {
  return `${position.toString(16).padStart(12, '0')}${randomUUID().replace(/-/g, '').slice(12)}`.replace(
    /^(.{8})(.{4})(.{4})(.{4})(.{12})$/,
    '$1-$2-$3-$4-$5',
  );
}
