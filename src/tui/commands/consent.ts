import type { Command } from 'commander';
import { resolve } from 'node:path';
import type { RosterEntry } from '../../core/services/roster.js';
import { withWorkspace } from '../context.js';
import { isoOrDash, table } from '../format/table.js';
import { action } from '../runner.js';
import { safeText as one } from '../format/safe-text.js';

function entryJson(e: RosterEntry) {
  return {
    participant: e.participant.externalRef,
    name: e.participant.displayName,
    status: e.status,
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
  };
}

export function registerConsent(program: Command): void {
  const consent = program.command('consent').description("import and list a shoot's consent records");

  consent
    .command('import')
    .description('import consent records (CSV or JSON); all or nothing, re-import updates and withdraws')
    .argument('<shoot>', 'shoot id')
    .argument('<file>', 'a .csv or .json consent file (docs/consent-format.md)')
    .action(
      action(async ([shootId, file], _opts, globals) => {
        const path = resolve(file ?? '');
        const [{ readConsentFile, consentFileAccessFor }, { parseConsentFile }, { importConsent }] = await Promise.all([
          import('../../core/store/consent-files.js'),
          import('../../core/consent/index.js'),
          import('../../core/services/consent-service.js'),
        ]);
        const parsed = await parseConsentFile(await readConsentFile(path), consentFileAccessFor(path));
        const { s, dam } = await withWorkspace(globals, async (ctx) => {
          const summary = await importConsent(ctx, shootId ?? '', parsed, path);
          if (summary.affectedAssetIds.length === 0) return { s: summary, dam: null };
          // Rule 6: a withdrawal reaches the DAM metadata at once, not at the next push.
          const [{ pushShoot }, { openConnector }] = await Promise.all([import('../../core/services/push-service.js'), import('../compose.js')]);
          const shoot = await ctx.store.transaction((uow) => uow.shoots.find(summary.shootId));
          const connector = await openConnector(shoot ?? { connector: 'local', connectorOptions: {} });
          return { s: summary, dam: await pushShoot(ctx, connector, summary.shootId, { assetIds: summary.affectedAssetIds, reason: 'withdrawal' }) };
        });
        const lines = [
          `Imported ${parsed.rows.length} consent records into shoot "${s.shootId}" from ${s.file}.`,
          `  added ${s.added.length}, updated ${s.updated.length}, unchanged ${s.unchanged.length}, withdrawn ${s.withdrawn.length}`,
        ];
        if (s.withdrawn.length) lines.push(`  withdrawn: ${s.withdrawn.map((p) => one(p)).join(', ')} (${s.templatesDeleted} templates deleted, ${s.matchesRevoked} matches revoked)`);
        if (dam) lines.push(`  DAM metadata updated on ${dam.updated.length} assets${dam.failed.length ? `, ${dam.failed.length} FAILED: ${dam.failed.map((f) => `${one(f.asset)} (${one(f.message)})`).join('; ')}` : ''}`);
        if (s.notInFile.length) lines.push(`  not in this file, kept as they were: ${s.notInFile.map((p) => one(p)).join(', ')}`);
        if (s.addedAfterApproval) lines.push(`  note: ${s.added.length} participants joined after approval declared the roster complete; this is on the audit record.`);
        return { json: { ...s, damUpdates: dam?.updated ?? [], damFailures: dam?.failed ?? [] }, text: lines.join('\n'), exitCode: dam?.failed.length ? 1 : 0 };
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
}

export function registerWithdraw(program: Command): void {
  program
    .command('withdraw')
    .description("withdraw a participant's consent now: deletes their templates and embeddings, revokes their matches, updates the DAM, prints a receipt")
    .argument('<shoot>', 'shoot id')
    .argument('<participant>', 'participant_id from the consent file')
    .action(
      action(async ([shootId, participant], _opts, globals) => {
        const [{ withdrawConsent }, { openConnector }, { requireShoot }] = await Promise.all([
          import('../../core/services/withdraw-service.js'),
          import('../compose.js'),
          import('../../core/services/context.js'),
        ]);
        const r = await withWorkspace(globals, async (ctx) => {
          const shoot = await ctx.store.transaction((uow) => requireShoot(uow, shootId ?? ''));
          return withdrawConsent(ctx, await openConnector(shoot), shoot.id, participant ?? '');
        });
        const text = [
          `Withdrawal receipt: ${one(r.name)} (${one(r.participant)}), shoot ${r.shoot}, ${r.withdrawnAt}`,
          `  templates deleted:   ${r.templatesDeleted}`,
          `  matches revoked:     ${r.matchesRevoked}`,
          `  DAM assets updated:  ${r.damUpdates.length}${r.damUpdates.length ? ` (${r.damUpdates.map((u) => `${one(u.asset)}: ${u.action}`).join(', ')})` : ''}`,
          ...(r.damFailures.length ? [`  DAM updates FAILED:  ${r.damFailures.map((f) => `${one(f.asset)}: ${one(f.message)}`).join('; ')} (run sitter push ${r.shoot} --withdrawals when the DAM is reachable)`] : []),
          `  on the audit record: entry ${r.audit.seq}, hash ${r.audit.hash}`,
        ].join('\n');
        return { json: r, text, exitCode: r.damFailures.length ? 1 : 0 };
      }),
    );
}
