import type { Command } from 'commander';
import { UsageError } from '../../core/domain/errors.js';
import { retentionEnds, type Shoot } from '../../core/domain/shoot.js';
import type { RosterCounts } from '../../core/services/roster.js';
import { withWorkspace, workspaceDir } from '../context.js';
import { isoOrDash, table } from '../format/table.js';
import { action, decimalOption, intOption } from '../runner.js';
import { safeText as one } from '../format/safe-text.js';
import { collect } from '../option-list.js';
import { camelKeys, legalHoldJson } from '../format/json-vocabulary.js';
import { optionsLine, registerShootConfigure } from './shoot-configure.js';

function shootJson(shoot: Shoot, roster?: RosterCounts) {
  return {
    shoot: shoot.id,
    name: shoot.name,
    status: shoot.status,
    purpose: shoot.purpose,
    connector: shoot.connector,
    connectorOptions: shoot.connectorOptions,
    source: shoot.source,
    retentionDays: shoot.retentionDays,
    reviewersRequired: shoot.reviewersRequired,
    dates: shoot.shootFrom ? { from: shoot.shootFrom, to: shoot.shootTo, utcOffset: shoot.utcOffset } : null,
    purge: purgeState(shoot),
    dpiaRef: shoot.dpiaRef,
    approvedBy: shoot.approvedBy,
    approvedAt: shoot.approvedAt?.toISOString() ?? null,
    matchThreshold: shoot.matchThreshold,
    createdAt: shoot.createdAt.toISOString(),
    closedAt: shoot.closedAt?.toISOString() ?? null,
    ...(roster ? { roster: camelKeys(roster) } : {}),
  };
}

/** When the shoot's biometric data goes: due at retention end, done when the shoot closed. */
function purgeState(shoot: Shoot): { dueAt: string | null; doneAt: string | null } {
  return { dueAt: retentionEnds(shoot)?.toISOString() ?? null, doneAt: shoot.closedAt?.toISOString() ?? null };
}

function purgeLine(shoot: Shoot): string {
  const { dueAt, doneAt } = purgeState(shoot);
  if (doneAt) return `done ${doneAt} (templates and embeddings deleted, data key destroyed)`;
  if (dueAt) return `due ${dueAt} (retention end): automatic at the first command after it, or \`sitter purge\``;
  return `${shoot.retentionDays} days after approval (nothing biometric exists before it)`;
}

function datesLine(shoot: Shoot): string {
  return shoot.shootFrom
    ? `${shoot.shootFrom} to ${shoot.shootTo} (inclusive, UTC${shoot.utcOffset})`
    : `not declared: scanning is refused until \`sitter shoot dates ${shoot.id} --from --to\``;
}

function datesOptions(opts: Record<string, unknown>): { from: string; to: string; utcOffset: string } {
  return { from: String(opts.from), to: String(opts.to), utcOffset: String(opts.utcOffset) };
}

function rosterLine(r: RosterCounts): string {
  return (
    `${r.total} participants: ${r.eligible} eligible for matching, ${r['photos-only']} photos only, ` +
    `${r.withdrawn} withdrawn, ${r.expired} expired, ${r['not-yet-signed'] + r['no-record']} not valid yet`
  );
}

export function registerShoot(program: Command): void {
  const shoot = program
    .command('shoot')
    .description('define, approve, inspect and close shoots (the scope of all processing)');

  shoot
    .command('create')
    .description('create a draft shoot; nothing is processed until it is approved')
    .argument('<id>', 'a short id: letters, digits, ".", "_", "-"')
    .requiredOption('--name <name>', 'a readable name')
    .requiredOption('--source <source>', 'where the assets are (for the local connector: a folder)')
    .requiredOption('--purpose <text>', 'why faces are matched (GDPR Art. 5(1)(b))')
    .requiredOption('--retention-days <n>', 'how long biometric data may be kept')
    .requiredOption('--from <day>', 'first day of the shoot, YYYY-MM-DD: photos captured earlier are refused')
    .requiredOption('--to <day>', 'last day of the shoot (inclusive), YYYY-MM-DD: photos captured later are refused')
    .option(
      '--utc-offset <+HH:MM>',
      'the zone the days are counted in, and EXIF times without an offset are read in',
      '+00:00',
    )
    .option('--connector <name>', 'the connector that lists and updates the assets', 'local')
    .option(
      '--option <key=value>',
      'a connector option (repeatable; see `sitter connectors`); a secret as key=secret:NAME, never its value',
      collect,
      [],
    )
    .option('--options-file <file>', 'connector options as one JSON object (--option wins over it)')
    .option('--reviewers <n>', 'reviewers needed to confirm a match: 1 or 2', '1')
    .option(
      '--threshold <distance>',
      "this shoot's match threshold (Euclidean distance, lower is stricter), within the model's bounds; default: the model calibration",
    )
    .action(
      action(async ([id], opts, globals) => {
        const { resolveShootSource } = await import('../source.js');
        const connector = String(opts.connector);
        const source = await resolveShootSource(connector, String(opts.source));
        const { shootOptionsFromArgs, warnAboutCredentials } = await import('../connector-options.js');
        const { connectorOptions, spec } = await shootOptionsFromArgs(connector, opts);
        const reviewers = intOption(opts.reviewers, '--reviewers', 2);
        const retentionDays = intOption(opts.retentionDays, '--retention-days', 90);
        const { createShoot } = await import('../../core/services/shoot-service.js');
        const { sourcePlacement } = await import('../source.js');
        const placement = await sourcePlacement(workspaceDir(globals));
        const { THRESHOLD_BOUNDS } = await import('../../core/engine/calibration.js');
        const threshold =
          opts.threshold === undefined
            ? {}
            : { threshold: { value: decimalOption(opts.threshold, '--threshold', 0.55), bounds: THRESHOLD_BOUNDS } };
        const created = await withWorkspace(globals, (ctx) =>
          createShoot(ctx, {
            id: id ?? '',
            name: String(opts.name),
            purpose: String(opts.purpose),
            source,
            retentionDays,
            connector,
            connectorOptions,
            reviewersRequired: reviewers,
            ...datesOptions(opts),
            placement,
            ...threshold,
          }),
        );
        const warnings = warnAboutCredentials(connector, spec, connectorOptions);
        return {
          json: { ...shootJson(created), warnings },
          text:
            `Created draft shoot "${created.id}" on ${created.connector}:${created.source}, for photos ` +
            `captured ${datesLine(created)}.\nNext: import the consent records (sitter consent import ` +
            `${created.id} FILE) and approve it (sitter shoot approve ${created.id} --dpia REF ` +
            `--approved-by NAME).`,
        };
      }),
    );

  registerShootConfigure(shoot);

  shoot
    .command('approve')
    .description('record the DPIA reference and sign-off; declares the roster complete and allows processing')
    .argument('<id>', 'shoot id')
    .requiredOption('--dpia <ref>', 'reference of the data protection impact assessment')
    .requiredOption('--approved-by <name>', 'who signs off')
    .action(
      action(async ([id], opts, globals) => {
        const { approveShoot } = await import('../../core/services/shoot-service.js');
        const { shoot: approved, roster } = await withWorkspace(globals, (ctx) =>
          approveShoot(ctx, id ?? '', String(opts.dpia), String(opts.approvedBy)),
        );
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
                shoots.map((s) => [
                  s.shoot.id,
                  s.shoot.status,
                  s.shoot.name,
                  s.roster.total,
                  s.roster.eligible,
                  `${s.shoot.retentionDays}d`,
                ]),
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
        const { showHold } = await import('../../core/services/legal-hold-service.js');
        const { s, roster, hold } = await withWorkspace(globals, async (ctx) => {
          const shown = await showShoot(ctx, id ?? '');
          return { s: shown.shoot, roster: shown.roster, hold: await showHold(ctx, id ?? '') };
        });
        return {
          json: { ...shootJson(s, roster), legalHold: hold ? legalHoldJson(hold) : null },
          text: [
            `Shoot ${s.id}: ${one(s.name)} [${s.status}]`,
            `  purpose:    ${s.purpose}`,
            `  source:     ${s.connector}:${s.source}`,
            `  options:    ${optionsLine(s.connectorOptions)}`,
            `  dates:      ${datesLine(s)}`,
            `  retention:  ${s.retentionDays} days`,
            `  purge:      ${purgeLine(s)}`,
            `  reviewers:  ${s.reviewersRequired}`,
            `  threshold:  ${s.matchThreshold === null ? 'the model calibration (`sitter model-card`)' : `${s.matchThreshold}, set at creation`}`,
            `  approval:   ${s.dpiaRef ? `DPIA ${s.dpiaRef}, by ${s.approvedBy}, ${isoOrDash(s.approvedAt)}` : 'none yet (draft)'}`,
            `  roster:     ${rosterLine(roster)}`,
            ...(s.closedAt ? [`  closed:     ${isoOrDash(s.closedAt)}`] : []),
            `  legal hold: ${hold ? `since ${isoOrDash(hold.since)}, by ${hold.by}: ${hold.reason} (erasure keeps consent records and names)` : 'none'}`,
          ].join('\n'),
        };
      }),
    );

  shoot
    .command('dates')
    .description('declare the days of a shoot made before shoots had dates (fixed once a shoot is approved with them)')
    .argument('<id>', 'shoot id')
    .requiredOption('--from <day>', 'first day of the shoot, YYYY-MM-DD')
    .requiredOption('--to <day>', 'last day of the shoot (inclusive), YYYY-MM-DD')
    .option('--utc-offset <+HH:MM>', 'the zone the days are counted in', '+00:00')
    .action(
      action(async ([id], opts, globals) => {
        const { declareShootDates } = await import('../../core/services/scope-service.js');
        const updated = await withWorkspace(globals, (ctx) => declareShootDates(ctx, id ?? '', datesOptions(opts)));
        return {
          json: shootJson(updated),
          text: `Shoot "${updated.id}" covers photos captured ${datesLine(updated)}.`,
        };
      }),
    );

  shoot
    .command('allow-undated')
    .description(
      "a person's decision that photos without a capture time belong to the shoot (recorded; the next scan processes them)",
    )
    .argument('<id>', 'shoot id')
    .argument('[assets...]', 'asset ids as the report lists them (held, no capture time)')
    .option('--all', 'every photo the scan held for lack of a capture time')
    .requiredOption('--reason <text>', 'why they belong to the shoot (recorded on the audit chain)')
    .action(
      action(async (args, opts, globals) => {
        const [id, ...assets] = args;
        if (!opts.all && assets.length === 0)
          throw new UsageError(
            'ASSETS_REQUIRED',
            'Name the photos to allow, or pass --all.',
            `Example: sitter shoot allow-undated ${id} day1/IMG_0003.jpg --reason "scanned print from the shoot day"`,
          );
        if (opts.all && assets.length > 0)
          throw new UsageError(
            'ASSETS_AND_ALL',
            'Pass either asset ids or --all, not both.',
            'Drop --all to allow only the named photos.',
          );
        const { allowUndated } = await import('../../core/services/scope-service.js');
        const result = await withWorkspace(globals, (ctx) =>
          allowUndated(ctx, id ?? '', opts.all ? 'all-held' : assets, String(opts.reason)),
        );
        return {
          json: { shoot: id, allowed: result.allowed },
          text: result.allowed.length
            ? `Allowed ${result.allowed.length} photos without a capture time in shoot "${id}" (recorded). Next: sitter scan ${id}`
            : `No photo of shoot "${id}" is held for lack of a capture time.`,
        };
      }),
    );

  shoot
    .command('hold')
    .description(
      'set or release a legal hold: erasure then keeps consent records and names (biometric data still goes); on the audit chain',
    )
    .argument('<id>', 'shoot id')
    .option('--reason <text>', 'why the records must be kept (claim, regulator request, counsel)')
    .option('--by <name>', 'who orders it (default: the current user)')
    .option('--release', 'release the hold')
    .action(
      action(async ([id], opts, globals) => {
        const { setHold, releaseHold } = await import('../../core/services/legal-hold-service.js');
        const { currentActor } = await import('../context.js');
        const by = typeof opts.by === 'string' ? opts.by : currentActor();
        if (opts.release) {
          if (typeof opts.reason === 'string')
            throw new UsageError(
              'BAD_OPTION',
              '--release takes no --reason.',
              `sitter shoot hold ${id} --release [--by NAME]`,
            );
          const r = await withWorkspace(globals, (ctx) => releaseHold(ctx, id ?? '', by));
          return {
            json: { shoot: r.shoot, legalHold: null, anchor: r.anchor },
            text: `Released the legal hold on shoot "${r.shoot}" (by ${by}).\nAudit anchor: ${r.anchor}`,
          };
        }
        if (typeof opts.reason !== 'string')
          throw new UsageError(
            'HOLD_REASON_REQUIRED',
            'A legal hold needs --reason.',
            `sitter shoot hold ${id} --reason TEXT [--by NAME], or --release`,
          );
        const r = await withWorkspace(globals, (ctx) => setHold(ctx, id ?? '', String(opts.reason), by));
        return {
          json: { shoot: r.shoot, legalHold: r.hold ? legalHoldJson(r.hold) : null, anchor: r.anchor },
          text:
            `Shoot "${r.shoot}" is under a legal hold (${opts.reason}, by ${by}): erasure keeps consent ` +
            `records and names until it is released.\nAudit anchor: ${r.anchor}`,
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
          throw new UsageError(
            'CONFIRMATION_REQUIRED',
            `Closing shoot "${id}" deletes its biometric data for good.`,
            `Run again with --yes: sitter shoot close ${id} --yes`,
          );
        }
        const { closeShoot } = await import('../../core/services/shoot-service.js');
        const result = await withWorkspace(globals, (ctx) => closeShoot(ctx, id ?? ''));
        return {
          json: {
            ...shootJson(result.shoot),
            templatesDeleted: result.templatesDeleted,
            embeddingsDeleted: result.embeddingsDeleted,
            keyDestroyed: true,
          },
          text:
            `Closed shoot "${result.shoot.id}": ${result.templatesDeleted} templates and ` +
            `${result.embeddingsDeleted} stored embeddings deleted, data key destroyed.`,
        };
      }),
    );
}
