import type { Command } from 'commander';
import { UsageError } from '../../core/domain/errors.js';
import type { DecisionOutcome } from '../../core/services/decision-service.js';
import type { ServiceContext } from '../../core/services/context.js';
import { withWorkspace } from '../context.js';
import { consentRecordLabel } from '../format/consent-record.js';
import { table } from '../format/table.js';
import { action, intOption } from '../runner.js';

const fmt = (n: number | null, digits = 3) => (n === null ? '-' : n.toFixed(digits));

function outcomeLine(o: DecisionOutcome): string {
  const who = o.confirmedBy.length ? ` (confirmed by ${o.confirmedBy.join(', ')})` : '';
  const under = o.consentRecord && o.state === 'confirmed' ? `, under consent record #${o.consentRecord.id}` : '';
  return `face ${o.face}: ${o.action} ${o.participant ?? ''} -> ${o.state}${who}${under}${o.learned ? ', added as a template' : ''}`;
}

/** The headless half of review: matches (read) and decide (write). The Ink app uses the same services. */
/** A failed asset's line: what kept it from analysis when a flag says so (docs/engine.md). */
function failureLabel(flags: readonly string[]): string {
  if (flags.includes('too-small')) return 'failed: too small to analyse';
  if (flags.includes('raw-no-preview')) return 'failed: RAW without a usable preview';
  return 'failed';
}

export function registerHeadlessReview(program: Command): void {
  program
    .command('matches')
    .description('every asset of the shoot with its faces: proposals, confirmations, rejections, unidentified')
    .argument('<shoot>', 'shoot id')
    .action(
      action(async ([shootId], _opts, globals) => {
        const { loadMatches } = await import('../../core/services/matches-service.js');
        const m = await withWorkspace(globals, (ctx) => loadMatches(ctx, shootId ?? ''));
        const json = {
          shoot: m.shoot,
          assets: m.assets.map((a) => ({
            asset: a.assetRef,
            file: a.file,
            flags: a.flags,
            ...(a.scanState === 'failed' ? { error: a.error } : {}),
            // The frame the boxes are relative to, as the engine decoded it (orientation null: scanned before it was recorded).
            ...(a.width !== null && a.height !== null
              ? { image: { width: a.width, height: a.height, orientation: a.orientation } }
              : {}),
            faces: a.faces
              .filter((f) => f.state !== 'ignored')
              .map((f) => ({
                face: f.face,
                box: f.box,
                state: f.state,
                participant: f.participant,
                score: f.score,
                margin: f.margin,
                ...(f.confirmedBy.length ? { confirmedBy: f.confirmedBy } : {}),
                ...(f.consentRecord ? { consentRecord: f.consentRecord } : {}),
              })),
          })),
        };
        const rows = m.assets.flatMap((a) =>
          a.faces.length === 0
            ? [
                [
                  assetLabel(a.assetRef, a.file),
                  '-',
                  a.scanState === 'failed' ? failureLabel(a.flags) : 'no faces',
                  '-',
                  '-',
                  '-',
                  '-',
                ],
              ]
            : a.faces.map((f) => [
                assetLabel(a.assetRef, a.file),
                f.face,
                f.state,
                f.participant ? `${f.participant} (${f.participantName})` : '-',
                fmt(f.score),
                fmt(f.margin),
                consentRecordLabel(f.consentRecord?.id, f.consentRecord?.current),
              ]),
        );
        return {
          json,
          text: rows.length
            ? table(['FILE', 'FACE', 'STATE', 'PARTICIPANT', 'SCORE', 'MARGIN', 'CONSENT RECORD'], rows)
            : `No assets scanned yet: sitter scan ${shootId}`,
        };
      }),
    );

  program
    .command('decide')
    .description(
      'confirm, reject or assign a face (or many at once), or undo your last decision; every decision is audited',
    )
    .argument('<shoot>', 'shoot id')
    .argument('[face]', 'face id (from `sitter matches`)')
    .option('--confirm', 'confirm the proposed participant')
    .option('--reject', 'reject the proposed participant (never proposed again for this face)')
    .option('--assign <participant>', 'name the face yourself: a participant_id with valid biometric consent')
    .option('--all-above <score>', 'bulk: every proposal with at least this score')
    .option('--asset <file>', 'bulk: every proposal in one asset')
    .option('--participant <id>', 'bulk: every proposal of one participant')
    .option('--undo', 'undo your most recent decision in this shoot')
    .option(
      '--reviewer <name>',
      'who decides (default: your user name; in a team workspace your database role, and only it)',
    )
    .action(
      action(async ([shootId, faceArg], opts, globals) => {
        const { decideFace, decideBulk, undoLastDecision } = await import('../../core/services/decision-service.js');
        // Default: who the session acts as (the database role in a team workspace, else your user name).
        const given = typeof opts.reviewer === 'string' ? opts.reviewer : undefined;
        const reviewerIn = (ctx: ServiceContext) => given ?? ctx.actor;
        const id = shootId ?? '';
        if (opts.undo) {
          const u = await withWorkspace(globals, (ctx) => undoLastDecision(ctx, id, reviewerIn(ctx)));
          return {
            json: u,
            text: `Undid ${u.undone} on face ${u.face}: it is ${u.state} again${u.participant ? ` (${u.participant})` : ''}.`,
          };
        }
        const actions = [opts.confirm, opts.reject, opts.assign].filter(Boolean).length;
        if (actions !== 1)
          throw new UsageError(
            'DECISION_REQUIRED',
            'Say exactly one of --confirm, --reject or --assign PARTICIPANT (or --undo).',
            `Example: sitter decide ${id} 12 --confirm --reviewer NAME`,
          );
        const bulk = opts.allAbove !== undefined || opts.asset !== undefined || opts.participant !== undefined;
        if (bulk) {
          if (faceArg)
            throw new UsageError(
              'BULK_WITH_FACE',
              'Give either a face id or a bulk selection, not both.',
              'Drop the face id, or the --all-above/--asset/--participant option.',
            );
          if (opts.assign)
            throw new UsageError(
              'BULK_ASSIGN',
              '--assign names one face; it has no bulk form.',
              'Use --confirm or --reject with a bulk selection.',
            );
          const allAbove = opts.allAbove !== undefined ? Number(opts.allAbove) : undefined;
          if (allAbove !== undefined && !(allAbove >= 0 && allAbove <= 1))
            throw new UsageError('BAD_OPTION', '--all-above takes a score from 0 to 1.', 'Example: --all-above 0.6');
          const out = await withWorkspace(globals, (ctx) =>
            decideBulk(
              ctx,
              id,
              {
                ...(allAbove !== undefined ? { allAbove } : {}),
                ...(typeof opts.asset === 'string' ? { asset: opts.asset } : {}),
                ...(typeof opts.participant === 'string' ? { participant: opts.participant } : {}),
              },
              opts.confirm ? 'confirm' : 'reject',
              reviewerIn(ctx),
            ),
          );
          return {
            json: { decisions: out },
            text: out.length
              ? out.map(outcomeLine).join('\n')
              : 'No proposal matched the selection; nothing was decided.',
          };
        }
        if (!faceArg)
          throw new UsageError(
            'FACE_REQUIRED',
            'Which face? Give its id, or a bulk selection.',
            `See the face ids with \`sitter matches ${id}\`.`,
          );
        const faceId = intOption(faceArg, 'FACE', 12);
        const act = opts.confirm
          ? { kind: 'confirm' as const }
          : opts.reject
            ? { kind: 'reject' as const }
            : { kind: 'assign' as const, participantRef: String(opts.assign) };
        const o = await withWorkspace(globals, (ctx) => decideFace(ctx, id, faceId, act, reviewerIn(ctx)));
        return { json: o, text: outcomeLine(o) };
      }),
    );
}

/**
 * The asset as a person finds it: the folder-relative path when the id is one (the local folder's
 * `day1/IMG_0001.jpg`: two shoots' days often reuse file names), else the file name with the DAM's id.
 */
export function assetLabel(assetRef: string, file: string): string {
  if (assetRef === file || assetRef.endsWith(`/${file}`)) return assetRef;
  return `${file} [${assetRef}]`;
}
