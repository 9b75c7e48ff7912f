import type { Command } from 'commander';
import type { ScopeClearance, ScopeTable } from '../../core/services/clearance-service.js';
import { withWorkspace } from '../context.js';
import { table } from '../format/table.js';
import { withShoot } from '../format/json-vocabulary.js';
import { action } from '../runner.js';

const CHANGED_NOTE =
  '* changed since the last push: a decision, a rescan, a new consent record or a consent date (signature, expiry, withdrawal) after Sitter last wrote to the asset';

function scopeText(r: ScopeClearance): string {
  const lines = [
    `Clearance of shoot "${r.shootId}" for "${r.scope}" as of ${r.asOf}: ${r.counts.cleared} of ${r.counts.assets} assets cleared.`,
  ];
  if (!r.scopeOnRecord)
    lines.push(
      `No consent record in this shoot lists "${r.scope}"; scopes on record: ${r.scopesOnRecord.join(', ') || 'none'}.`,
    );
  if (r.assets.length > 0) {
    lines.push(
      '',
      table(
        ['asset', 'cleared', 'why not'],
        r.assets.map((a) => [
          `${a.asset}${a.changedSincePush ? ' *' : ''}`,
          a.cleared ? 'yes' : 'no',
          a.problems
            .map(
              (p) =>
                `${p.face === null ? '' : `face ${p.face}: `}${p.text}${p.participant ? ` (${p.participant} ${p.name})` : ''}`,
            )
            .join('; ') || null,
        ]),
      ),
    );
  }
  if (r.counts.changedSincePush > 0) lines.push('', CHANGED_NOTE);
  if (r.notLinked.length > 0) {
    lines.push('', `Not linked (their consent allows "${r.scope}", but Sitter cannot link them to a face):`);
    for (const p of r.notLinked) lines.push(`  ${p.participant} ${p.name}: ${p.why}`);
  }
  return lines.join('\n');
}

function tableText(r: ScopeTable): string {
  if (r.scopes.length === 0)
    return `No consent record in shoot "${r.shootId}" lists a publication scope: no asset is cleared for any use.`;
  const lines = [`Clearance of shoot "${r.shootId}" by scope as of ${r.asOf} (yes: cleared; no: why not).`, ''];
  lines.push(
    table(
      ['asset', ...r.scopes],
      r.assets.map((a) => [
        `${a.asset}${a.changedSincePush ? ' *' : ''}`,
        ...r.scopes.map((s) => {
          const c = a.clearance[s]!;
          return c.cleared ? 'yes' : `no: ${c.reasons.join(', ')}`;
        }),
      ]),
    ),
  );
  if (r.assets.some((a) => a.changedSincePush)) lines.push('', CHANGED_NOTE);
  lines.push('', 'Run `sitter clearance SHOOT --scope SCOPE` for the faces and people behind each "no".');
  return lines.join('\n');
}

/** `sitter clearance SHOOT [--scope S]`: may each asset be used for this purpose now, and why not. */
export function registerClearance(program: Command): void {
  program
    .command('clearance')
    .description(
      'per asset, whether it may be used for a publication scope now (every face a confirmed person whose consent allows it), and why not; without --scope, a table of assets by scope',
    )
    .argument('<shoot>', 'shoot id')
    .option('--scope <scope>', 'one publication scope, e.g. web or print')
    .action(
      action(async ([shootId], opts, globals) => {
        const { clearanceForScope, clearanceTable, normaliseScope } =
          await import('../../core/services/clearance-service.js');
        const scope = typeof opts.scope === 'string' ? normaliseScope(opts.scope) : null;
        if (scope === null) {
          const r = await withWorkspace(globals, (ctx) => clearanceTable(ctx, shootId ?? ''));
          return { json: withShoot(r), text: tableText(r) };
        }
        const r = await withWorkspace(globals, (ctx) => clearanceForScope(ctx, shootId ?? '', scope));
        return { json: withShoot(r), text: scopeText(r) };
      }),
    );
}
