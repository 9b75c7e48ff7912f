import type { Command } from 'commander';
import type { WorkspaceSettings } from '../../core/domain/records.js';
import { withWorkspace } from '../context.js';
import { action } from '../runner.js';
import { safeText as one } from '../format/safe-text.js';

function settingsText(s: WorkspaceSettings, changed: string[]): string {
  return [
    ...(changed.length ? [`Changed: ${changed.join(', ')} (on the audit record).`] : []),
    `controller: ${s.controller === null ? '(not set)' : one(s.controller)}`,
    `contact:    ${s.contact === null ? '(not set)' : one(s.contact)}`,
    ...(s.controller && s.contact
      ? []
      : ['Consent forms need both: sitter settings --controller "ORGANISATION, ADDRESS" --contact "EMAIL OR PHONE"']),
  ].join('\n');
}

/** `sitter settings`: shows, or with options changes, the workspace's controller and contact. */
export function registerSettings(program: Command): void {
  program
    .command('settings')
    .description(
      "show or change the workspace's settings: the controller and the contact printed on consent forms (GDPR Art. 13)",
    )
    .option('--controller <text>', 'who decides on the processing: the organisation, with its address')
    .option('--contact <text>', 'whom people contact to ask or withdraw (the DPO or privacy contact)')
    .action(
      action(async (_args, opts, globals) => {
        const { changeSettings } = await import('../../core/services/settings-service.js');
        const changes = {
          ...(typeof opts.controller === 'string' ? { controller: opts.controller } : {}),
          ...(typeof opts.contact === 'string' ? { contact: opts.contact } : {}),
        };
        const r = await withWorkspace(globals, (ctx) => changeSettings(ctx, changes));
        return { json: r, text: settingsText(r.settings, r.changed) };
      }),
    );
}
