/**
 * The paper side of consent: `consent form` prints the shoot's forms, `consent signed` takes the
 * scans of the signed ones back and records each on its person's consent record.
 */
import type { Command } from 'commander';
import { resolve } from 'node:path';
import { parseScopes } from '../../core/consent/values.js';
import { UsageError } from '../../core/domain/errors.js';
import type { SignedScansSummary } from '../../core/services/signed-scan-service.js';
import type { ConsentFormsWritten } from '../../app/use-cases/consent-form.js';
import { withSession } from '../context.js';
import { action } from '../runner.js';
import { camelKeys } from '../format/json-vocabulary.js';
import { safeText as one } from '../format/safe-text.js';

function scopesOption(value: unknown): string[] | null {
  if (typeof value !== 'string') return null;
  const parsed = parseScopes(value.split(',').join(';'));
  if (!parsed.ok || parsed.value.length === 0)
    throw new UsageError(
      'BAD_SCOPE',
      `--scopes takes the publication scopes the form offers, separated by commas: ${parsed.ok ? 'none given' : parsed.problem}.`,
      'Example: --scopes web,print,social',
    );
  return parsed.value;
}

function formsText(r: ConsentFormsWritten): string {
  const people = new Set(r.files.map((f) => f.participant).filter((p) => p !== null)).size;
  const blank = r.files.some((f) => f.participant === null);
  return [
    `Wrote ${people} participant form${people === 1 ? '' : 's'}${blank ? ' and a blank one' : ''} for shoot "${r.shoot}" ` +
      `into ${r.dir} (PDF and HTML, readable by you only).`,
    `  form version ${r.version}; publication scopes offered: ${r.scopes.join(', ')}`,
    ...(r.scopesChanged
      ? [
          '  the scopes differ from the forms printed before: forms of the earlier version are reported when they come back',
        ]
      : []),
    ...r.files.map((f) => `  ${one(f.name)}  sha256 ${f.sha256}`),
    `  on the audit record: entry ${r.audit.seq}`,
    `Next: print, have them signed, scan them into a folder, then: sitter consent signed ${r.shoot} FOLDER`,
  ].join('\n');
}

const OUTCOME_WORDS: Record<string, string> = {
  matched: 'matched',
  'version-differs': 'VERSION DIFFERS',
  unchanged: 'already recorded',
  'no-code': 'NO CODE FOUND',
  'unsigned-form': 'UNSIGNED FORM',
  unreadable: 'UNREADABLE',
  unsupported: 'NOT READ',
  'other-shoot': 'OTHER SHOOT',
  'unknown-participant': 'UNKNOWN PARTICIPANT',
  'blank-form': 'BLANK FORM',
  duplicate: 'DUPLICATE',
};

function scansText(r: SignedScansSummary): string {
  const recorded = r.scans.filter((s) => s.recorded).length;
  return [
    `Signed forms for shoot "${r.shoot}": ${r.scans.length} files, ${recorded} recorded on consent records` +
      ` (current form version ${r.currentVersion ?? 'none: no controller, contact or scopes set'}).`,
    ...r.scans.map(
      (s) =>
        `  ${one(s.file)}: ${OUTCOME_WORDS[s.outcome] ?? s.outcome}` +
        `${s.participant ? ` (${one(s.participant)})` : ''}: ${one(s.message)}` +
        (s.replaced ? `; replaces ${one(s.replaced)}` : ''),
    ),
  ].join('\n');
}

export function registerConsentPaper(consent: Command): void {
  consent
    .command('form')
    .description(
      "print the shoot's consent form: one per participant on the roster and a blank one, as PDF and HTML, " +
        'with the shoot and participant ids as text and as a QR code, and the form version',
    )
    .argument('<shoot>', 'shoot id')
    .requiredOption('--out <dir>', 'a new or empty folder outside the workspace and the shoot folder')
    .option('--participant <id>', "only this participant's form (no blank one)")
    .option(
      '--scopes <list>',
      'the publication scopes offered as tick boxes, e.g. web,print (default: those offered last, else those on record)',
    )
    .option('--force', 'write into a folder that is not empty, replacing files of the same names')
    .action(
      action(async ([shootId], opts, globals) => {
        const { writeConsentForms } = await import('../../app/use-cases/consent-form.js');
        const request = {
          dir: resolve(String(opts.out)),
          force: Boolean(opts.force),
          participant: typeof opts.participant === 'string' ? opts.participant : null,
          scopes: scopesOption(opts.scopes),
        };
        const r = await withSession(globals, (session) => writeConsentForms(session, shootId ?? '', request));
        const { dir, ...rest } = r;
        return { json: { ...rest, folder: dir }, text: formsText(r) };
      }),
    );

  consent
    .command('signed')
    .description(
      'record the scans of signed consent forms: each is matched to its consent record by the code Sitter ' +
        'printed on it, and its file name and sha256 recorded there; every file is reported',
    )
    .argument('<shoot>', 'shoot id')
    .argument('<dir>', 'the folder of scans (JPEG, PNG, TIFF or PDF)')
    .action(
      action(async ([shootId, dir], _opts, globals) => {
        const { recordSignedForms } = await import('../../app/use-cases/consent-signed.js');
        const r = await withSession(globals, (session) =>
          recordSignedForms(session, shootId ?? '', resolve(dir ?? '')),
        );
        const clean = r.scans.every((s) => s.outcome === 'matched' || s.outcome === 'unchanged');
        return { json: { ...r, counts: camelKeys(r.counts) }, text: scansText(r), exitCode: clean ? 0 : 1 };
      }),
    );
}
