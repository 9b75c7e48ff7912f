import { isSweepFailure } from '../../core/domain/push-failure.js';
import type { Command } from 'commander';
import { UsageError } from '../../core/domain/errors.js';
import type { ScanSummary } from '../../core/services/scan-service.js';
import { withSession, withWorkspace } from '../context.js';
import { progressReporter } from '../format/progress.js';
import { table } from '../format/table.js';
import { camelKeys, withShoot } from '../format/json-vocabulary.js';
import { consentRecordLabel } from '../format/consent-record.js';
import { ACCURACY_HEADERS, accuracyNotes, accuracyRows, thresholdLabel } from '../format/accuracy.js';
import { outputClosed } from '../output.js';
import { action, intOption } from '../runner.js';
import { safeText as one } from '../format/safe-text.js';
import { broughtUpToDateLine } from '../format/push-summary.js';

/** The scan's summary in the JSON vocabulary: a skipped entry is an `asset`, as everywhere else. */
function scanJson(s: ScanSummary) {
  const asAssets = (entries: typeof s.notImages) => entries.map(({ id, ...rest }) => ({ asset: id, ...rest }));
  return { ...withShoot(s), notImages: asAssets(s.notImages), skipped: asAssets(s.skipped) };
}

/** enrol, scan and push: the steps of the main job that use the engine or the connector. */
export function registerJob(program: Command): void {
  program
    .command('enrol')
    .description('build face templates from the reference photos of participants with valid biometric consent')
    .argument('<shoot>', 'shoot id')
    .action(
      action(async ([shootId], _opts, globals) => {
        const { enrol } = await import('../../app/use-cases/enrol.js');
        const s = await withSession(globals, (session) => enrol(session, shootId ?? ''));
        const lines = [
          `Enrolled shoot "${s.shootId}" with ${s.model}: ${s.enrolled} new, ${s.unchanged} unchanged, ${s.failed} failed, ${s.notEligible} not eligible (never processed).`,
        ];
        for (const o of s.outcomes) {
          if (o.result === 'failed')
            lines.push(`  ${one(o.participant)}: ${one(o.message)}${o.hint ? ` (${one(o.hint)})` : ''}`);
        }
        return { json: withShoot(s), text: lines.join('\n'), exitCode: s.failed > 0 ? 1 : 0 };
      }),
    );

  program
    .command('scan')
    .description("find the shoot's assets through its connector and propose matches; resumable, skips unchanged assets")
    .argument('<shoot>', 'shoot id')
    .option('--workers <n>', 'engine worker threads (default: one per core)')
    .option('--rescan', 'reprocess assets whose content did not change')
    .option(
      '--queue',
      "team workspace: put the shoot's pending assets on the scan queue for `sitter worker`, and return",
    )
    .option(
      '--status',
      "team workspace: where the shoot's queued scan stands (queued, active, done, retrying, dead-lettered)",
    )
    .option('--batch <n>', 'with --queue: assets per job (default 1)')
    .option(
      '--job-timeout <seconds>',
      'with --queue: a job running longer is taken as lost and handed out again (default 600)',
    )
    .option('--retries <n>', 'with --queue: tries after a failure before a job is dead-lettered (default 5)')
    .option('--retry-delay <seconds>', "with --queue: the first retry's delay, doubled at each next one (default 10)")
    .action(
      action(async ([shootId], opts, globals) => {
        if (opts.status) return (await import('./queue.js')).queueStatusCommand(shootId ?? '', globals);
        if (opts.queue) return (await import('./queue.js')).queueScanCommand(shootId ?? '', opts, globals);
        const workers = opts.workers !== undefined ? intOption(opts.workers, '--workers', 2) : undefined;
        if (workers !== undefined && (workers < 1 || workers > 64))
          throw new UsageError('BAD_OPTION', '--workers must be from 1 to 64.', 'Example: --workers 2');
        const { scan } = await import('../../app/use-cases/scan.js');
        const mode = globals.json ? 'json' : process.stdout.isTTY ? 'tty' : 'quiet';
        const progress = progressReporter(mode);
        const stop = new AbortController();
        const onSignal = () => stop.abort();
        process.once('SIGINT', onSignal);
        // Whoever reads our output stopped reading (`| head -1`): stop as Ctrl-C would.
        outputClosed.signal.addEventListener('abort', onSignal, { once: true });
        try {
          // The use case refuses a missing, draft, closed or undated shoot, or one another scan is on,
          // before the models load.
          const s = await withSession(globals, (session) =>
            scan(session, shootId ?? '', {
              ...(workers !== undefined ? { workers } : {}),
              rescan: Boolean(opts.rescan),
              signal: stop.signal,
              onProgress: progress.update,
            }),
          );
          progress.end();
          const lines = [
            `${s.stopped ? 'Stopped' : 'Scanned'} shoot "${s.shootId}": ${s.listed} assets listed, ${s.processed} analysed, ${s.unchanged} unchanged, ${s.failed.length} failed.`,
            `  ${s.faces} faces: ${s.proposed} proposed for review, ${s.unidentified} unidentified (never named).`,
            ...s.failed.map((f) => `  failed ${one(f.asset)}: ${one(f.message)}`),
            ...s.skipped.map((n) => `  skipped ${one(n.id)}: ${one(n.message)}`),
            ...s.outsideDates.map(
              (o) => `  refused ${one(o.asset)}: captured ${o.capturedAt}, outside the shoot's dates (never analysed)`,
            ),
            ...s.noCaptureTime.map(
              (a) =>
                `  held ${one(a)}: no capture time; a person decides (sitter shoot allow-undated ${s.shootId} ${one(a)} --reason TEXT)`,
            ),
            s.stopReason === 'rate-limited'
              ? `Stopped early: the source stayed rate-limited or unreachable for ${Math.round(s.pausedMs / 1000)} s in all; nothing was failed for it. Run "sitter scan ${s.shootId}" again later to continue (or lower the connector's requestsPerSecond).`
              : '',
            s.proposed > 0
              ? `Next: review the proposals (sitter review ${s.shootId}, or sitter matches ${s.shootId} and sitter decide).`
              : '',
          ].filter(Boolean);
          if (globals.json) {
            process.stdout.write(`${JSON.stringify({ type: 'summary', ...scanJson(s) })}\n`);
            return { json: null, text: '', silent: true, exitCode: scanExitCode(s) };
          }
          return { json: scanJson(s), text: lines.join('\n'), exitCode: scanExitCode(s) };
        } finally {
          process.off('SIGINT', onSignal);
        }
      }),
    );

  program
    .command('push')
    .description(
      'bring the DAM up to date: confirmed, consent-linked people, their scopes and the clearance per scope, through the connector (XMP sidecars for a folder)',
    )
    .argument('<shoot>', 'shoot id')
    .option(
      '--withdrawals',
      'only the withdrawal part (also on a closed shoot): takes people off where Sitter wrote, never adds',
    )
    .action(
      action(async ([shootId], opts, globals) => {
        const { push } = await import('../../app/use-cases/push.js');
        const s = await withSession(globals, (session) =>
          push(session, shootId ?? '', { withdrawals: Boolean(opts.withdrawals) }),
        );
        const lines = [
          `Pushed shoot "${s.shootId}": ${s.assets} assets, ${s.written} written, ${s.unchanged} unchanged, ${s.cleared} cleared, ${s.persons} confirmed persons.`,
          broughtUpToDateLine(s.broughtUpToDate),
          s.queued > 0
            ? `  ${s.queued} asset${s.queued === 1 ? '' : 's'} queued for the DAM's approval: not visible in the DAM until an approver accepts the edit.`
            : '',
          ...s.warnings.map((w) => `  warning ${one(w.asset)}: ${one(w.message)}`),
          ...s.leftoversRemoved.map((l) => `  removed ${one(l)}: a temp sidecar a killed push or withdrawal left`),
          ...s.heldBack.map((h) => `  held back ${one(h.participant)} on ${one(h.asset)}: consent is ${h.consent}`),
          ...s.failed.map(
            (f) =>
              `  failed ${one(f.asset)}${isSweepFailure(f) ? ' (removing leftover temp files)' : ''}: ${one(f.message)}${f.hint ? ` (${one(f.hint)})` : ''}`,
          ),
        ].filter(Boolean);
        return { json: withShoot(s), text: lines.join('\n'), exitCode: s.failed.length > 0 ? 1 : 0 };
      }),
    );

  program
    .command('report')
    .description('what was scanned, found, proposed, confirmed and rejected, per participant, and what is left to do')
    .argument('<shoot>', 'shoot id')
    .action(
      action(async ([shootId], _opts, globals) => {
        const { shootReport } = await import('../../core/services/report-service.js');
        const { shootAccuracyReport } = await import('../../core/services/accuracy-service.js');
        const { DEFAULT_CALIBRATION } = await import('../../core/engine/calibration.js');
        const r = await withWorkspace(globals, async (ctx) => ({
          ...(await shootReport(ctx, shootId ?? '')),
          accuracy: await shootAccuracyReport(ctx, shootId ?? '', DEFAULT_CALIBRATION),
        }));
        const text = [
          `Shoot ${r.shoot} [${r.status}]`,
          `  assets: ${r.assets.total} (${r.assets.scanned} scanned, ${r.assets.failed} failed, ${r.assets.withUnidentified} with an unidentified person, ${r.assets.pushed} pushed, ${r.assets.awaitingPush} not up to date in the DAM)`,
          `  faces:  ${r.faces.total} (${r.faces.proposed} pending review, ${r.faces.confirmed} confirmed, ${r.faces.rejected} rejected, ${r.faces.unidentified} unidentified)`,
          '',
          table(
            ['PARTICIPANT', 'NAME', 'CONSENT', 'PROPOSED', 'CONFIRMED', 'REJECTED'],
            r.participants.map((p) => [p.participant, p.name, p.consent, p.proposed, p.confirmed, p.rejected]),
          ),
          ...(r.confirmations.length
            ? [
                '',
                'Confirmed faces and the consent record each was named under:',
                table(
                  ['ASSET', 'FACE', 'PARTICIPANT', 'CONSENT RECORD', 'FORM SHA256'],
                  r.confirmations.map((c) => [
                    one(c.asset),
                    c.face,
                    one(c.participant),
                    consentRecordLabel(c.consentRecord, c.current),
                    c.formSha256 ?? '-',
                  ]),
                ),
              ]
            : []),
          '',
          `Accuracy on this shoot at threshold ${thresholdLabel(r.accuracy)}:`,
          table(
            ACCURACY_HEADERS.map((h) => h.toUpperCase()),
            accuracyRows(r.accuracy),
          ),
          ...accuracyNotes(r.accuracy).map((l) => `  ${l}`),
          '',
          `  out of the shoot's dates: ${r.assets.outsideDates} refused, ${r.assets.noCaptureTime} held without a capture time`,
          ...(r.failures.length
            ? ['', 'Failed assets:', ...r.failures.map((f) => `  ${one(f.asset)}: ${one(f.error)}`)]
            : []),
          ...(r.outOfScope.length
            ? [
                '',
                'Kept out by capture time (never analysed):',
                ...r.outOfScope.map((o) => `  ${one(o.asset)} [${o.state}]: ${one(o.reason)}`),
              ]
            : []),
          '',
          r.todo.length ? `To do:\n${r.todo.map((t) => `  - ${t}`).join('\n')}` : 'Nothing left to do.',
        ].join('\n');
        // A confirmation names its consent record as `matches` and `decide` do: {id, formSha256, current}.
        const confirmations = r.confirmations.map(({ consentRecord, formSha256, current, ...c }) => ({
          ...c,
          consentRecord: consentRecord === null ? null : { id: consentRecord, formSha256, current },
        }));
        return { json: { ...r, roster: camelKeys(r.roster), confirmations }, text };
      }),
    );
}

/** A failed asset, or a scan the source's rate limit stopped before the end, is not a clean run. */
function scanExitCode(s: { failed: unknown[]; stopReason?: string }): number {
  return s.failed.length > 0 || s.stopReason !== undefined ? 1 : 0;
}
