/**
 * The distributed scan's commands (issue 15): `sitter scan SHOOT --queue`, `sitter scan --status SHOOT`
 * and `sitter worker`. Team workspaces only: on a SQLite workspace each refuses with a hint.
 */
import type { Command } from 'commander';
import { UsageError } from '../../core/domain/errors.js';
import type { QueueStatus } from '../../core/services/scan-queue-status.js';
import type { QueueScanOptions } from '../../core/services/scan-queue-service.js';
import { withSession, type GlobalOptions } from '../context.js';
import { withShoot } from '../format/json-vocabulary.js';
import { safeText as one } from '../format/safe-text.js';
import { action, intOption } from '../runner.js';
import type { CommandResult } from '../output.js';

function bounded(value: unknown, flag: string, min: number, max: number, example: number): number {
  const n = intOption(value, flag, example);
  if (n < min || n > max)
    throw new UsageError('BAD_OPTION', `${flag} must be from ${min} to ${max}.`, `Example: ${flag} ${example}`);
  return n;
}

/** `scan SHOOT --queue`: the options that shape the jobs. */
export function queueOptionsOf(opts: Record<string, unknown>): QueueScanOptions {
  return {
    ...(opts.batch !== undefined ? { batchSize: bounded(opts.batch, '--batch', 1, 100, 4) } : {}),
    ...(opts.jobTimeout !== undefined
      ? { jobTimeoutSeconds: bounded(opts.jobTimeout, '--job-timeout', 1, 86_400, 600) }
      : {}),
    ...(opts.retries !== undefined ? { retryLimit: bounded(opts.retries, '--retries', 0, 100, 5) } : {}),
    ...(opts.retryDelay !== undefined
      ? { retryDelaySeconds: bounded(opts.retryDelay, '--retry-delay', 1, 3600, 10) }
      : {}),
  };
}

export async function queueScanCommand(
  shootId: string,
  opts: Record<string, unknown>,
  globals: GlobalOptions,
): Promise<CommandResult> {
  if (opts.rescan)
    throw new UsageError(
      'BAD_OPTION',
      '--rescan cannot be combined with --queue.',
      'Queue the changed assets with "sitter scan SHOOT --queue"; a rescan of unchanged ones runs locally with "sitter scan SHOOT --rescan".',
    );
  const options = queueOptionsOf(opts);
  const { queueScan } = await import('../../app/use-cases/scan-queue.js');
  const s = await withSession(globals, (session) => queueScan(session, shootId, options));
  const text = [
    `Queued shoot "${s.shootId}": ${s.listed} assets listed, ${s.queued} queued, ${s.requeued} queued before and not done yet (sent again), ${s.unchanged} unchanged; ${s.jobs} job${s.jobs === 1 ? '' : 's'} of up to ${s.batchSize} asset${s.batchSize === 1 ? '' : 's'}.`,
    ...s.notImages.map((n) => `  skipped ${one(n.id)}: ${one(n.message)}`),
    s.jobs > 0
      ? `Next: run "sitter worker" on each machine that holds the workspace key; follow with "sitter scan --status ${s.shootId}".`
      : '',
  ].filter(Boolean);
  const notImages = s.notImages.map(({ id, ...rest }) => ({ asset: id, ...rest }));
  return { json: { ...withShoot(s), notImages }, text: text.join('\n') };
}

function statusText(s: QueueStatus): string {
  if (s.assets === 0)
    return `No queued scan of shoot "${s.shootId}": nothing was put on the queue. Queue one with: sitter scan ${s.shootId} --queue`;
  const settled = Object.entries(s.settled)
    .filter(([, n]) => n > 0)
    .map(([k, n]) => `${n} ${k}`)
    .join(', ');
  return [
    `Scan queue of shoot "${s.shootId}": ${s.assets} assets queued, ${s.assets - s.open} done${settled ? ` (${settled})` : ''}, ${s.open} open.`,
    `  jobs: ${s.jobs.waiting} waiting, ${s.jobs.active} active, ${s.jobs.retrying} retrying, ${s.jobs.deadLettered} dead-lettered.`,
    ...s.retrying.map(
      (p) =>
        `  retrying ${p.assets.map((a) => one(a)).join(', ')} (${p.retries} failed so far): ${one(p.lastError ?? '?')}`,
    ),
    ...s.deadLettered.map(
      (p) =>
        `  dead-lettered ${p.assets.map((a) => one(a)).join(', ')} after ${p.retries} retries: ${one(p.lastError ?? '?')}. Queue again to retry: sitter scan ${s.shootId} --queue`,
    ),
    ...s.failed.map((f) => `  failed ${one(f.asset)}: ${one(f.error ?? '?')}`),
    ...s.workers.map((w) => `  worker ${one(w.worker)}: ${w.assets} assets, last ${w.lastSeen.toISOString()}`),
    s.finished ? 'Finished: nothing waiting, running or to be retried.' : '',
  ]
    .filter(Boolean)
    .join('\n');
}

export async function queueStatusCommand(shootId: string, globals: GlobalOptions): Promise<CommandResult> {
  const { scanQueueStatus } = await import('../../app/use-cases/scan-queue.js');
  const s = await withSession(globals, (session) => scanQueueStatus(session, shootId));
  return { json: withShoot(s), text: statusText(s), exitCode: s.deadLettered.length > 0 ? 1 : 0 };
}

/** `sitter worker`: processes the team's scan jobs until stopped (or idle, with --until-idle). */
export function registerWorker(program: Command): void {
  program
    .command('worker')
    .description(
      "process the team workspace's scan queue (sitter scan SHOOT --queue) with this machine's engine; Ctrl-C finishes the jobs in hand, a second Ctrl-C hands them back",
    )
    .option('--workers <n>', 'engine worker threads (default: one per core)')
    .option('--concurrency <n>', 'jobs in hand at once (default: engine workers + 1)')
    .option('--until-idle', 'exit once nothing is waiting, running or to be retried')
    .option('--poll <ms>', 'how often an idle worker asks for work (default 1000)')
    .action(
      action(async (_args, opts, globals) => {
        const workers = opts.workers !== undefined ? bounded(opts.workers, '--workers', 1, 64, 2) : undefined;
        const concurrency =
          opts.concurrency !== undefined ? bounded(opts.concurrency, '--concurrency', 1, 256, 3) : undefined;
        const pollMs = opts.poll !== undefined ? bounded(opts.poll, '--poll', 100, 60_000, 1000) : undefined;
        const { runWorker } = await import('../../app/use-cases/scan-queue.js');
        const stop = new AbortController();
        const release = new AbortController();
        const onSignal = () => {
          if (!stop.signal.aborted) {
            process.stderr.write('Stopping: finishing the jobs in hand (Ctrl-C again hands them back to the queue).\n');
            stop.abort();
          } else release.abort();
        };
        process.on('SIGINT', onSignal);
        process.on('SIGTERM', onSignal);
        try {
          const s = await withSession(globals, (session) =>
            runWorker(session, {
              ...(workers !== undefined ? { workers } : {}),
              ...(concurrency !== undefined ? { concurrency } : {}),
              ...(pollMs !== undefined ? { pollMs } : {}),
              untilIdle: Boolean(opts.untilIdle),
              stop: stop.signal,
              release: release.signal,
              onJob: globals.json
                ? undefined
                : (r) => {
                    for (const a of r.assets)
                      process.stdout.write(`${a.outcome} ${one(a.asset)}${a.error ? `: ${one(a.error)}` : ''}\n`);
                  },
            }),
          );
          const rate = s.seconds > 0 ? s.analysed / s.seconds : 0;
          return {
            json: { ...s, imagesPerSecond: Number(rate.toFixed(3)) },
            text: `Worker ${s.worker} ${release.signal.aborted ? 'released its jobs' : 'stopped'}: ${s.jobs} jobs, ${s.analysed} analysed, ${s.unchanged} unchanged, ${s.failed} failed, ${s.alreadySettled} already done elsewhere; ${s.seconds.toFixed(1)} s (${rate.toFixed(2)} images/s, ${s.engineWorkers} engine workers, ${s.concurrency} in hand, parallelism ${s.parallelism}).`,
          };
        } finally {
          process.off('SIGINT', onSignal);
          process.off('SIGTERM', onSignal);
        }
      }),
    );
}
