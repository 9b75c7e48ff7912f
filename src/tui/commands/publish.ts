import type { Command } from 'commander';
import { resolve } from 'node:path';
import type { PublishResult } from '../../core/services/publish-service.js';
import { withSession } from '../context.js';
import { action } from '../runner.js';

/** Skips that mean a copy was wanted and could not be made (a not yet scanned asset is just not ready). */
const FAILED_SKIPS = new Set(['changed-since-scan', 'fetch-failed', 'format-not-supported']);

function publishText(r: PublishResult): string {
  const m = r.manifest;
  const maskedFaces = m.assets.reduce((n, a) => n + a.masked.length, 0);
  const keptFaces = m.assets.reduce((n, a) => n + a.kept.length, 0);
  const lines = [
    `Wrote ${m.assets.length} publication cop${m.assets.length === 1 ? 'y' : 'ies'} for "${m.scope}" to ${r.folder} (owner-only): ${maskedFaces} face(s) masked, ${keptFaces} kept.`,
  ];
  if (!r.scopeOnRecord)
    lines.push(`No consent record in shoot "${m.shoot}" lists "${m.scope}": every face was masked.`);
  for (const a of m.assets)
    lines.push(
      `  ${a.file}: ${a.masked.length} masked${a.masked.length ? ` (${[...new Set(a.masked.map((x) => x.reason))].join(', ')})` : ''}, ${a.kept.length} kept`,
    );
  for (const s of m.skipped) lines.push(`  skipped ${s.asset}: ${s.message}`);
  lines.push(
    `  manifest.json  sha256 ${r.manifestSha256}`,
    `Recorded on the audit chain as entry ${r.audit.seq}; anchor ${r.anchor}`,
  );
  return lines.join('\n');
}

/** `sitter publish SHOOT --scope S --out DIR [--asset ID]`: copies with every face not covered for S masked. */
export function registerPublish(program: Command): void {
  program
    .command('publish')
    .description(
      "copies of the shoot's photos for one publication scope: every face whose consent does not cover it masked (pixelated with a margin), covered faces untouched, metadata stripped but orientation and colour profile; a manifest.json says what was masked and why. Originals are never changed",
    )
    .argument('<shoot>', 'shoot id')
    .requiredOption('--scope <scope>', 'one publication scope, e.g. web or print')
    .requiredOption('--out <dir>', 'a new or empty folder for the copies and manifest.json')
    .option('--asset <id>', 'only this asset (its id as `sitter clearance` lists it)')
    .option('--force', 'write into a folder that is not empty, replacing files of the same names')
    .action(
      action(async ([shootId], opts, globals) => {
        const dir = resolve(String(opts.out));
        const force = Boolean(opts.force);
        const [{ normaliseScope }, { publish }] = await Promise.all([
          import('../../core/services/clearance-service.js'),
          import('../../app/use-cases/publish.js'),
        ]);
        const scope = normaliseScope(String(opts.scope));
        const asset = typeof opts.asset === 'string' ? opts.asset : null;
        const r = await withSession(globals, (session) =>
          publish(session, shootId ?? '', { scope, dir, force, asset }),
        );
        const failed = r.manifest.skipped.some((s) => FAILED_SKIPS.has(s.reason));
        return { json: r, text: publishText(r), exitCode: failed ? 1 : 0 };
      }),
    );
}
