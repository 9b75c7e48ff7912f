import type { Command } from 'commander';
import { ExitCode } from '../../core/domain/errors.js';
import { withWorkspace } from '../context.js';
import { action } from '../runner.js';

export function registerAudit(program: Command): void {
  const audit = program
    .command('audit')
    .description('prove what was done: verify or export the hash-chained audit log');

  audit
    .command('verify')
    .description('check the whole chain; names the first bad entry when it is broken (exit 1)')
    .option(
      '--anchor <HASH@SEQ>',
      'a head printed earlier (by a receipt, export or verify) and kept outside the workspace: fails if the chain no longer reaches it',
    )
    .action(
      action(async (_args, opts, globals) => {
        const [{ verifyAudit }, { parseAnchor }] = await Promise.all([
          import('../../core/services/audit-service.js'),
          import('../../core/domain/anchor.js'),
        ]);
        const anchor = typeof opts.anchor === 'string' ? parseAnchor(opts.anchor) : undefined;
        const { chain, head, anchor: anchored } = await withWorkspace(globals, (ctx) => verifyAudit(ctx, anchor));
        // `entries`, as `audit export` says it: the same count under one name.
        const { count, ...rest } = chain;
        const json = { ...rest, entries: count, head, anchor: anchored };
        if (!chain.ok) {
          return {
            json,
            text:
              `Audit chain BROKEN at entry ${chain.firstBadSeq}: ${chain.reason}.\nEntries from ` +
              `${chain.firstBadSeq} on cannot be trusted; restore the database from a backup whose chain verifies.`,
            exitCode: ExitCode.refused,
          };
        }
        const intact = `Audit chain intact: ${chain.count} entries, head ${head ?? '(empty)'}.`;
        if (anchored && !anchored.ok) {
          return {
            json,
            text:
              `Audit chain does NOT reach anchor ${anchored.anchor}: ${anchored.reason}.\nThe entries it ` +
              `holds link correctly, but the record is not the one that was anchored; restore the database ` +
              `from a backup that reaches the anchor.`,
            exitCode: ExitCode.refused,
          };
        }
        return {
          json,
          text: anchored
            ? `${intact}\nReaches anchor ${anchored.anchor}.`
            : `${intact}\nKeep this head outside the workspace; check against it later with --anchor.`,
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
        const [{ exportAudit }, { checkPrivateTarget, writePrivateFile }] = await Promise.all([
          import('../../core/services/audit-service.js'),
          import('../../core/store/files/private-file.js'),
        ]);
        const output = typeof opts.output === 'string' ? opts.output : undefined;
        const fileOptions = { force: Boolean(opts.force), forceFlag: '--force' };
        // Refuse a bad target before the export is put on the audit record.
        if (output) await checkPrivateTarget(output, fileOptions);
        const { entries, recorded, head } = await withWorkspace(globals, (ctx) =>
          exportAudit(ctx, typeof opts.shoot === 'string' ? opts.shoot : undefined, output ?? 'stdout'),
        );
        if (!recorded)
          process.stderr.write('Note: the workspace is read-only, so this export is not on its audit record.\n');
        const lines = entries.map((e) => JSON.stringify({ ...e, at: e.at.toISOString() }));
        const body = lines.length ? `${lines.join('\n')}\n` : '';
        if (output) {
          await writePrivateFile(output, body, fileOptions);
          return {
            json: { written: output, entries: entries.length, head },
            text: `Wrote ${entries.length} audit entries to ${output} (readable by you only).\nHead (keep it outside the workspace): ${head ?? '(empty)'}`,
          };
        }
        // JSON lines are already machine-readable: print them as they are, with or without --json; the
        // head goes to stderr so that the lines stay a clean file.
        process.stdout.write(body);
        if (head) process.stderr.write(`Head (keep it outside the workspace): ${head}\n`);
        return { json: undefined, text: '', silent: true };
      }),
    );
}
