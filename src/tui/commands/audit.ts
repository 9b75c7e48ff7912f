import type { Command } from 'commander';
import { ExitCode } from '../../core/domain/errors.js';
import { withWorkspace } from '../context.js';
import { action } from '../runner.js';

export function registerAudit(program: Command): void {
  const audit = program.command('audit').description('prove what was done: verify or export the hash-chained audit log');

  audit
    .command('verify')
    .description('check the whole chain; names the first bad entry when it is broken (exit 1)')
    .action(
      action(async (_args, _opts, globals) => {
        const { verifyAudit } = await import('../../core/services/audit-service.js');
        const verdict = await withWorkspace(globals, (ctx) => verifyAudit(ctx));
        if (verdict.ok) {
          return { json: verdict, text: `Audit chain intact: ${verdict.count} entries, head ${verdict.headHash}.` };
        }
        return {
          json: verdict,
          text: `Audit chain BROKEN at entry ${verdict.firstBadSeq}: ${verdict.reason}.\nEntries from ${verdict.firstBadSeq} on cannot be trusted; restore the database from a backup whose chain verifies.`,
          exitCode: ExitCode.refused,
        };
      }),
    );

  audit
    .command('export')
    .description('write the audit log as JSON lines (one entry per line)')
    .option('--shoot <id>', 'only the entries of one shoot')
    .option('--output <file>', 'write to a new file (owner-only, 0600) instead of stdout')
    .option('--force', 'with --output: replace an existing file (never a symbolic link)')
    .action(
      action(async (_args, opts, globals) => {
        const [{ exportAudit }, { checkPrivateTarget, writePrivateFile }] = await Promise.all([import('../../core/services/audit-service.js'), import('../../core/store/private-file.js')]);
        const output = typeof opts.output === 'string' ? opts.output : undefined;
        const fileOptions = { force: Boolean(opts.force), forceFlag: '--force' };
        // Refuse a bad target before the export is put on the audit record.
        if (output) await checkPrivateTarget(output, fileOptions);
        const { entries, recorded } = await withWorkspace(globals, (ctx) => exportAudit(ctx, typeof opts.shoot === 'string' ? opts.shoot : undefined, output ?? 'stdout'));
        if (!recorded) process.stderr.write('Note: the workspace is read-only, so this export is not on its audit record.\n');
        const lines = entries.map((e) => JSON.stringify({ ...e, at: e.at.toISOString() }));
        const body = lines.length ? `${lines.join('\n')}\n` : '';
        if (output) {
          await writePrivateFile(output, body, fileOptions);
          return { json: { written: output, entries: entries.length }, text: `Wrote ${entries.length} audit entries to ${output} (readable by you only).` };
        }
        // JSON lines are already machine-readable: print them as they are, with or without --json.
        process.stdout.write(body);
        return { json: undefined, text: '', silent: true };
      }),
    );
}
