import type { Command } from 'commander';
import { UsageError } from '../../core/domain/errors.js';
import type { Shoot } from '../../core/domain/shoot.js';
import type { RosterCounts } from '../../core/services/roster.js';
import { withWorkspace } from '../context.js';
import { isoOrDash, table } from '../format/table.js';
import { action, intOption } from '../runner.js';
import { safeText as one } from '../format/safe-text.js';

function shootJson(shoot: Shoot, roster?: RosterCounts) {
  return {
    id: shoot.id,
    name: shoot.name,
    status: shoot.status,
    purpose: shoot.purpose,
    connector: shoot.connector,
    source: shoot.source,
    retentionDays: shoot.retentionDays,
    reviewersRequired: shoot.reviewersRequired,
    dpiaRef: shoot.dpiaRef,
    approvedBy: shoot.approvedBy,
    approvedAt: shoot.approvedAt?.toISOString() ?? null,
    createdAt: shoot.createdAt.toISOString(),
    closedAt: shoot.closedAt?.toISOString() ?? null,
    ...(roster ? { roster } : {}),
  };
}

function rosterLine(r: RosterCounts): string {
  return `${r.total} participants: ${r.eligible} eligible for matching, ${r['photos-only']} photos only, ${r.withdrawn} withdrawn, ${r.expired} expired, ${r['not-yet-signed'] + r['no-record']} not valid yet`;
}

export function registerShoot(program: Command): void {
  const shoot = program.command('shoot').description('define, approve, inspect and close shoots (the scope of all processing)');

  shoot
    .command('create')
    .description('create a draft shoot; nothing is processed until it is approved')
    .argument('<id>', 'a short id: letters, digits, ".", "_", "-"')
    .requiredOption('--name <name>', 'a readable name')
    .requiredOption('--source <source>', 'where the assets are (for the local connector: a folder)')
    .requiredOption('--purpose <text>', 'why faces are matched (GDPR Art. 5(1)(b))')
    .requiredOption('--retention-days <n>', 'how long biometric data may be kept')
    .option('--connector <name>', 'the connector that lists and updates the assets', 'local')
    .option('--reviewers <n>', 'reviewers needed to confirm a match: 1 or 2', '1')
    .action(
      action(async ([id], opts, globals) => {
        const { resolveShootSource } = await import('../source.js');
        const connector = String(opts.connector);
        const source = await resolveShootSource(connector, String(opts.source));
        const reviewers = intOption(opts.reviewers, '--reviewers', 2);
        const retentionDays = intOption(opts.retentionDays, '--retention-days', 90);
        const { createShoot } = await import('../../core/services/shoot-service.js');
        const created = await withWorkspace(globals, (ctx) =>
          createShoot(ctx, { id: id ?? '', name: String(opts.name), purpose: String(opts.purpose), source, retentionDays, connector, reviewersRequired: reviewers }),
        );
        return {
          json: shootJson(created),
          text: `Created draft shoot "${created.id}" on ${created.connector}:${created.source}.\nNext: import the consent records (sitter consent import ${created.id} FILE) and approve it (sitter shoot approve ${created.id} --dpia REF --approved-by NAME).`,
        };
      }),
    );

  shoot
    .command('approve')
    .description('record the DPIA reference and sign-off; declares the roster complete and allows processing')
    .argument('<id>', 'shoot id')
    .requiredOption('--dpia <ref>', 'reference of the data protection impact assessment')
    .requiredOption('--approved-by <name>', 'who signs off')
    .action(
      action(async ([id], opts, globals) => {
        const { approveShoot } = await import('../../core/services/shoot-service.js');
        const { shoot: approved, roster } = await withWorkspace(globals, (ctx) => approveShoot(ctx, id ?? '', String(opts.dpia), String(opts.approvedBy)));
        return {
          json: { ...shootJson(approved, roster), rosterDeclaredComplete: true },
          text: [
            `Approved shoot "${approved.id}" (DPIA ${approved.dpiaRef}, by ${approved.approvedBy}, ${isoOrDash(approved.approvedAt)}).`,
            `This approval declares the roster complete: ${rosterLine(roster)}.`,
            'Anyone else found in the photos is treated as an unidentified person and never named.',
          ].join('\n'),
        };
      }),
    );

  shoot
    .command('list')
    .description('list the shoots of the workspace')
    .action(
      action(async (_args, _opts, globals) => {
        const { listShoots } = await import('../../core/services/shoot-service.js');
        const shoots = await withWorkspace(globals, (ctx) => listShoots(ctx));
        return {
          json: { shoots: shoots.map((s) => shootJson(s.shoot, s.roster)) },
          text: shoots.length
            ? table(
                ['ID', 'STATUS', 'NAME', 'PARTICIPANTS', 'ELIGIBLE', 'RETENTION'],
                shoots.map((s) => [s.shoot.id, s.shoot.status, s.shoot.name, s.roster.total, s.roster.eligible, `${s.shoot.retentionDays}d`]),
              )
            : 'No shoots yet. Create one with `sitter shoot create`.',
        };
      }),
    );

  shoot
    .command('show')
    .description('show one shoot: scope, approval and roster')
    .argument('<id>', 'shoot id')
    .action(
      action(async ([id], _opts, globals) => {
        const { showShoot } = await import('../../core/services/shoot-service.js');
        const { shoot: s, roster } = await withWorkspace(globals, (ctx) => showShoot(ctx, id ?? ''));
        return {
          json: shootJson(s, roster),
          text: [
            `Shoot ${s.id}: ${one(s.name)} [${s.status}]`,
            `  purpose:    ${s.purpose}`,
            `  source:     ${s.connector}:${s.source}`,
            `  retention:  ${s.retentionDays} days`,
            `  reviewers:  ${s.reviewersRequired}`,
            `  approval:   ${s.dpiaRef ? `DPIA ${s.dpiaRef}, by ${s.approvedBy}, ${isoOrDash(s.approvedAt)}` : 'none yet (draft)'}`,
            `  roster:     ${rosterLine(roster)}`,
            ...(s.closedAt ? [`  closed:     ${isoOrDash(s.closedAt)}`] : []),
          ].join('\n'),
        };
      }),
    );

  shoot
    .command('close')
    .description('close a shoot for good: deletes its templates and embeddings and destroys its data key')
    .argument('<id>', 'shoot id')
    .option('--yes', 'confirm: this cannot be undone')
    .action(
      action(async ([id], opts, globals) => {
        if (!opts.yes) {
          throw new UsageError('CONFIRMATION_REQUIRED', `Closing shoot "${id}" deletes its biometric data for good.`, `Run again with --yes: sitter shoot close ${id} --yes`);
        }
        const { closeShoot } = await import('../../core/services/shoot-service.js');
        const result = await withWorkspace(globals, (ctx) => closeShoot(ctx, id ?? ''));
        return {
          json: { ...shootJson(result.shoot), templatesDeleted: result.templatesDeleted, embeddingsDeleted: result.embeddingsDeleted, keyDestroyed: true },
          text: `Closed shoot "${result.shoot.id}": ${result.templatesDeleted} templates and ${result.embeddingsDeleted} stored embeddings deleted, data key destroyed.`,
        };
      }),
    );
}
