import type { Command } from 'commander';
import { withWorkspace } from '../context.js';
import { action } from '../runner.js';

/**
 * `sitter purge`: every purge that is due, now (for cron). The same runs at the start of every
 * command that opens the workspace; this one reports what it did, and exits 1 when a due purge
 * could not be done (a read-only workspace), so a cron job's failure is seen.
 */
export function registerPurge(program: Command): void {
  program
    .command('purge')
    .description(
      'do every due purge now: shoots past retention (templates, embeddings, data key) and lapsed consent per participant; for cron',
    )
    .action(
      action(async (_args, _opts, globals) => {
        const { purgeDue, describePurges } = await import('../../core/services/purge-service.js');
        const report = await withWorkspace(globals, (ctx) => purgeDue(ctx), { purge: false });
        const lines = describePurges(report);
        return {
          json: report,
          text: lines.length
            ? lines.join('\n')
            : 'Nothing to purge: no shoot is past its retention and no consent has lapsed since the last command.',
          exitCode: report.blocked.length > 0 ? 1 : 0,
        };
      }),
    );
}
