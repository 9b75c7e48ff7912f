import type { Command } from 'commander';
import { resolve } from 'node:path';
import { UsageError } from '../../core/domain/errors.js';
import { isDamUnreached, isSweepFailure } from '../../core/domain/push-failure.js';
import type { RosterEntry } from '../../core/services/roster.js';
import type { WithdrawalReceipt } from '../../core/services/withdraw-service.js';
import { withSession, withWorkspace } from '../context.js';
import { isoOrDash, table } from '../format/table.js';
import { action } from '../runner.js';
import { legalHoldJson, withShoot } from '../format/json-vocabulary.js';
import { safeText as one } from '../format/safe-text.js';
import { registerConsentPaper } from './consent-paper.js';

function entryJson(e: RosterEntry) {
  return {
    participant: e.participant.externalRef,
    name: e.participant.displayName,
    status: e.status,
    /** the current version of the record: confirmations name the version they relied on */
    consentRecord: e.consent?.id ?? null,
    biometricConsent: e.consent?.biometricConsent ?? null,
    signedAt: e.consent?.signedAt?.toISOString() ?? null,
    expiresAt: e.consent?.expiresAt?.toISOString() ?? null,
    withdrawnAt: e.consent?.withdrawnAt?.toISOString() ?? null,
    minor: e.participant.minor,
    guardian: e.participant.guardian,
    publicationScopes: e.consent?.publicationScopes ?? [],
    formRef: e.consent?.formRef ?? null,
    formSha256: e.consent?.formSha256 ?? null,
    referencePhoto: e.consent?.referencePhoto ?? null,
    /** the signed paper form matched back by its code (`consent signed`), or null */
    signedScan: e.consent?.signedScan ?? null,
  };
}

/** --amend and --approved-by come together: a sign-off without the amendment (or the reverse) is a slip. */
function amendmentOption(opts: Record<string, unknown>): string | undefined {
  const by = typeof opts.approvedBy === 'string' ? opts.approvedBy : undefined;
  if (opts.amend && by === undefined)
    throw new UsageError(
      'USAGE',
      '--amend needs --approved-by NAME: who signs off the amended roster.',
      'Example: --amend --approved-by "Dana Officer"',
    );
  if (!opts.amend && by !== undefined)
    throw new UsageError(
      'USAGE',
      '--approved-by on a consent import signs off a roster amendment and needs --amend.',
      'Add --amend, or leave out --approved-by.',
    );
  return by;
}

export function registerConsent(program: Command): void {
  const consent = program.command('consent').description("import and list a shoot's consent records");

  consent
    .command('import')
    .description('import consent records (CSV or JSON); all or nothing, re-import updates and withdraws')
    .argument('<shoot>', 'shoot id')
    .argument('<file>', 'a .csv or .json consent file (docs/consent-format.md)')
    .option(
      '--amend',
      'the file adds participants to an approved shoot: an amendment of the roster, signed off with --approved-by',
    )
    .option('--approved-by <name>', 'who signs off the amended roster (with --amend)')
    .action(
      action(async ([shootId, file], opts, globals) => {
        const amendmentApprovedBy = amendmentOption(opts);
        const { readConsentImport, importConsentFile } = await import('../../app/use-cases/consent-import.js');
        const read = await readConsentImport(resolve(file ?? ''));
        const result = await withSession(globals, (session) =>
          importConsentFile(session, shootId ?? '', read, amendmentApprovedBy ? { amendmentApprovedBy } : {}),
        );
        const { summary: s, dam, damUnreached } = result;
        const lines = [
          `Imported ${read.parsed.rows.length} consent records into shoot "${s.shootId}" from ${s.file}.`,
          `  added ${s.added.length}, updated ${s.updated.length}, unchanged ${s.unchanged.length}, withdrawn ${s.withdrawn.length}`,
        ];
        if (s.withdrawn.length)
          lines.push(
            `  withdrawn: ${s.withdrawn.map((p) => one(p)).join(', ')} (${s.templatesDeleted} templates deleted, ${s.matchesRevoked} matches revoked)`,
          );
        if (dam)
          lines.push(
            `  DAM metadata updated on ${dam.updated.length} assets` +
              (dam.failed.length
                ? `, ${dam.failed.length} FAILED: ${dam.failed.map((f) => `${one(f.asset)} (${one(f.message)})`).join('; ')}`
                : ''),
          );
        if (damUnreached)
          lines.push(`  DAM metadata NOT updated: ${one(damUnreached.message)} (${one(damUnreached.hint)})`);
        if (s.notInFile.length)
          lines.push(`  not in this file, kept as they were: ${s.notInFile.map((p) => one(p)).join(', ')}`);
        if (s.amendment)
          lines.push(
            `  roster amended after approval: ${s.amendment.participants.map((p) => one(p)).join(', ')} ` +
              `joined, signed off by ${one(s.amendment.approvedBy)}; this is on the audit record.`,
          );
        else if (amendmentApprovedBy !== undefined)
          lines.push(
            '  no amendment needed: this file adds nobody to an approved roster, so no sign-off was recorded.',
          );
        return {
          json: { ...withShoot(s), damUpdates: dam?.updated ?? [], damFailures: dam?.failed ?? [], damUnreached },
          text: lines.join('\n'),
          exitCode: dam?.failed.length || damUnreached ? 1 : 0,
        };
      }),
    );

  consent
    .command('list')
    .description("list a shoot's participants and what their consent allows today")
    .argument('<shoot>', 'shoot id')
    .action(
      action(async ([shootId], _opts, globals) => {
        const { listConsent } = await import('../../core/services/consent-service.js');
        const roster = await withWorkspace(globals, (ctx) => listConsent(ctx, shootId ?? ''));
        return {
          json: { shoot: shootId, participants: roster.map(entryJson) },
          text: roster.length
            ? table(
                ['PARTICIPANT', 'NAME', 'STATUS', 'BIOMETRIC', 'SIGNED', 'EXPIRES', 'MINOR'],
                roster.map((e) => [
                  e.participant.externalRef,
                  e.participant.displayName,
                  e.status,
                  e.consent ? (e.consent.biometricConsent ? 'yes' : 'no') : '-',
                  isoOrDash(e.consent?.signedAt).slice(0, 10),
                  e.consent?.expiresAt ? isoOrDash(e.consent.expiresAt).slice(0, 10) : '-',
                  e.participant.minor ? `yes (${e.participant.guardian})` : 'no',
                ]),
              )
            : `No participants yet. Import the consent file: sitter consent import ${shootId} FILE`,
        };
      }),
    );
  registerConsentPaper(consent);
}

export function registerWithdraw(program: Command): void {
  program
    .command('withdraw')
    .description(
      "withdraw a participant's consent now: deletes their templates and embeddings, revokes their matches, updates the DAM, prints a receipt",
    )
    .argument('<shoot>', 'shoot id')
    .argument('<participant>', 'participant_id from the consent file')
    .action(
      action(async ([shootId, participant], _opts, globals) => {
        const { withdraw } = await import('../../app/use-cases/withdraw.js');
        const r = await withSession(globals, (session) => withdraw(session, shootId ?? '', participant ?? ''));
        if (r.outcome === 'already-complete') {
          // a receipt that could not verify the DAM stays unverified: said, and exit 1, on every rerun
          const unverified = r.verifiedInSource !== undefined && r.verifiedInSource !== 'clean';
          const text = unverified
            ? `${one(r.participant)} withdrew on ${r.withdrawnAt}; nothing more Sitter can do, but the DAM was ` +
              `never verified (${r.verifiedInSource}): the receipt is audit entry ${r.audit.seq} (hash ${r.audit.hash}).` +
              (r.sourceCheck?.hint ? `\nHint: ${r.sourceCheck.hint}` : '')
            : `${one(r.participant)} withdrew on ${r.withdrawnAt}; nothing left to do: no place Sitter wrote ` +
              `still names them, and the receipt is audit entry ${r.audit.seq} (hash ${r.audit.hash}).`;
          return { json: r, text, exitCode: unverified ? 1 : 0 };
        }
        const damUnreached = r.damFailures.some(isDamUnreached);
        // only the sweep of a killed push's temp files failed: the DAM was reached and written
        const sweepOnly = r.damFailures.length > 0 && r.damFailures.every(isSweepFailure);
        const text = [
          ...(r.outcome === 'rechecked'
            ? [
                `Checked again the withdrawal of ${r.withdrawnAt} (its earlier receipt did not verify clean, or left places to update)` +
                  `${r.damUpdates.some((u) => u.action === 'written' || u.action === 'cleared') ? ': the places still naming them were written again' : ''}` +
                  `${(r.sourceCheck?.assets ?? 0) > 0 ? `; ${r.sourceCheck?.assets} assets read back` : ''}.`,
              ]
            : r.outcome === 'completed'
              ? [
                  `Completed an earlier interrupted withdrawal (withdrawn ${r.withdrawnAt}; its DAM update or receipt had not been done).`,
                ]
              : r.outcome === 'dam-pending'
                ? [
                    `The withdrawal of ${r.withdrawnAt} stands; its DAM update is still pending: ${damUnreached ? 'the DAM was not reached' : sweepOnly ? 'the temp files a killed push left (which may name them) could not be removed' : 'some places could not be updated'} (see below).`,
                  ]
                : []),
          `Withdrawal receipt: ${one(r.name)} (${one(r.participant)}), shoot ${r.shoot}, ${r.withdrawnAt}`,
          `  templates deleted:   ${r.templatesDeleted}`,
          `  matches revoked:     ${r.matchesRevoked}`,
          `  DAM assets updated:  ${r.damUpdates.length}` +
            (r.damUpdates.length ? ` (${r.damUpdates.map((u) => `${one(u.asset)}: ${u.action}`).join(', ')})` : ''),
          ...(r.damFailures.length
            ? [
                `  ${damUnreached ? 'DAM NOT REACHED:    ' : sweepOnly ? 'TEMP FILES NOT REMOVED:' : 'DAM updates FAILED: '} ${r.damFailures.map((f) => `${one(f.asset)}: ${one(f.message)}${f.hint && !damUnreached ? ` (${one(f.hint)})` : ''}`).join('; ')} ` +
                  (damUnreached
                    ? `(run sitter push ${r.shoot} --withdrawals when the DAM is reachable)`
                    : `(run sitter withdraw ${r.shoot} ${one(r.participant)} again once fixed: it updates, sweeps and checks again)`),
              ]
            : []),
          ...verifiedLines(r),
          `  on the audit record: entry ${r.audit.seq}, hash ${r.audit.hash}`,
          `  audit anchor:        ${r.anchor} (keep it outside the workspace; check with sitter audit verify --anchor ${r.anchor})`,
        ].join('\n');
        const verified = r.verifiedInSource === undefined || r.verifiedInSource === 'clean';
        return { json: r, text, exitCode: r.damFailures.length || !verified ? 1 : 0 };
      }),
    );
}

/**
 * The verification line of an erasure receipt. Under a legal hold the store still names the person
 * on purpose: the line says what was proven clear and that the rows listed below are kept, never
 * that nothing names them.
 */
function verdictOf(v: { clean: boolean; keptUnderHold: unknown[] }): string {
  if (!v.clean) return 'NOT CLEAN: see below';
  if (v.keptUnderHold.length === 0) return 'nothing Sitter wrote names the person any more';
  return (
    `no file Sitter wrote, no biometric, face or match row and no audit entry names the person; the ` +
    `legal hold KEEPS ${v.keptUnderHold.length} rows that do (listed below) until it is released ` +
    `and the erasure is run again`
  );
}

export function registerErase(program: Command): void {
  program
    .command('erase')
    .description(
      'erase a participant (GDPR Art. 17): the withdrawal cascade, then their consent record, names ' +
        'and boxes, unless the shoot is under a legal hold; ends with a check that nothing Sitter wrote ' +
        'still names them',
    )
    .argument('<shoot>', 'shoot id')
    .argument('<participant>', 'participant_id from the consent file')
    .action(
      action(async ([shootId, participant], _opts, globals) => {
        const { erase } = await import('../../app/use-cases/withdraw.js');
        const r = await withSession(globals, (session) => erase(session, shootId ?? '', participant ?? ''));
        const v = r.verification;
        const list = (items: { place: string; what: string }[]) => items.map((t) => `      - ${t.place}: ${t.what}`);
        const text = [
          `Erasure receipt: ${r.participant} of shoot ${r.shoot}, ${r.erasedAt}; on the audit record as ${r.pseudonym}`,
          r.hold
            ? `  LEGAL HOLD since ${r.hold.since.toISOString()} (${r.hold.reason}, by ${r.hold.by}): consent record and names KEPT; biometric data deleted`
            : `  removed:             ${r.removed.consentRecords} consent record versions, ` +
              `${r.removed.decisions} decisions, ${r.removed.rejections} rejections, ${r.removed.faces} face ` +
              `boxes, ${r.removed.pushRecords} push records; participant row ${r.removed.participantRow}`,
          ...(r.outcome === 'completed'
            ? [
                `  COMPLETED NOW:       an erasure interrupted before its receipt; the records were removed at ${r.erasedAt} (see its participant.erased entry), this run wrote the receipt`,
              ]
            : [
                `  withdrawal:          ${r.withdrawnNow ? 'recorded now' : 'already withdrawn'}; ` +
                  `${r.templatesDeleted} templates deleted, ${r.matchesRevoked} matches revoked`,
              ]),
          `  DAM assets updated:  ${r.damUpdates.length}${r.damUpdates.length ? ` (${r.damUpdates.map((u) => `${u.asset}: ${u.action}`).join(', ')})` : ''}`,
          ...(r.damFailures.length
            ? [`  DAM updates FAILED:  ${r.damFailures.map((f) => `${f.asset}: ${f.message}`).join('; ')}`]
            : []),
          `  verification:        ${verdictOf(v)}`,
          ...v.checked.map((c) => `    checked ${c}`),
          ...(v.traces.length ? ['    still naming the person:', ...list(v.traces)] : []),
          ...(v.unverified.length ? ['    could not be read back:', ...list(v.unverified)] : []),
          ...(v.keptUnderHold.length ? ['    kept under the legal hold:', ...list(v.keptUnderHold)] : []),
          `  on the audit record: entry ${r.audit.seq}, hash ${r.audit.hash}`,
          `  audit anchor:        ${r.anchor} (keep it outside the workspace; check with sitter audit verify --anchor ${r.anchor})`,
        ].join('\n');
        const { hold, ...rest } = r;
        const json = { ...rest, legalHold: hold ? legalHoldJson(hold) : null };
        return { json, text, exitCode: v.clean && r.damFailures.length === 0 ? 0 : 1 };
      }),
    );
}

/** The receipt's read-back of the source, and what to do when it is not clean. */
function verifiedLines(r: WithdrawalReceipt): string[] {
  const check = r.sourceCheck;
  if (!check || r.verifiedInSource === undefined) return [];
  const list = (xs: string[]) => xs.map((x) => one(x)).join(', ');
  const what: Record<NonNullable<WithdrawalReceipt['verifiedInSource']>, string> = {
    clean: `clean (${check.assets} asset${check.assets === 1 ? '' : 's'} read back; nothing names them)`,
    'still-named': `STILL NAMED at ${list(check.stillNamed)}`,
    'pending-approval': `PENDING APPROVAL at ${list(check.pendingApproval)}`,
    'not-verifiable': `NOT VERIFIABLE (${list(check.notVerifiable)})`,
  };
  const others = check.otherMentions ?? [];
  return [
    `  verified in source:  ${what[r.verifiedInSource]}`,
    ...(check.hint ? [`  Hint: ${one(check.hint)}`] : []),
    ...(others.length
      ? [
          `  still named by text Sitter did not write (the user's own tags or captions): ${list(others)}; not Sitter's to remove: edit them in your photo tool (sitter erase reports them as traces)`,
        ]
      : []),
  ];
}
