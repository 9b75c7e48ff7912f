/**
 * `sitter settings`: what the workspace says about its controller and contact, printed on every
 * consent form (GDPR Art. 13(1)(a), (b)). A change is on the audit chain by the names of the fields
 * it changed, never their values: a contact may name a person, and the chain holds no personal data.
 */
import { SitterError } from '../domain/errors.js';
import type { WorkspaceSettings } from '../domain/records.js';
import type { ServiceContext } from './context.js';

const MAX_SETTING_CHARS = 500;

function checked(field: keyof WorkspaceSettings, raw: string): string {
  const value = raw.replace(/\s+/g, ' ').trim();
  // eslint-disable-next-line no-control-regex
  if (!value || value.length > MAX_SETTING_CHARS || /[\u0000-\u001f\u007f]/.test(raw.replace(/[\t\n\r]/g, ' ')))
    throw new SitterError(
      'SETTING_INVALID',
      `--${field} takes a line of text (1 to ${MAX_SETTING_CHARS} characters, no control characters).`,
      field === 'controller'
        ? 'Example: --controller "Riverside Museum, 1 Quay Street, Bristol"'
        : 'Example: --contact "privacy@riverside.example, +44 117 000 0000"',
    );
  return value;
}

export async function workspaceSettings(ctx: ServiceContext): Promise<WorkspaceSettings> {
  return ctx.store.transaction((uow) => uow.settings.get());
}

/** The changes as they would be stored (spaces folded), or SETTING_INVALID: checked before anything is made. */
export function checkedSettings(
  changes: Partial<Record<keyof WorkspaceSettings, string | null>>,
): Partial<WorkspaceSettings> {
  const clean: Partial<WorkspaceSettings> = {};
  for (const field of ['controller', 'contact'] as const) {
    const v = changes[field];
    if (v !== undefined) clean[field] = v === null ? null : checked(field, v);
  }
  return clean;
}

/** Sets the given fields (a string) or clears them (null); returns the settings after the change. */
export async function changeSettings(
  ctx: ServiceContext,
  changes: Partial<Record<keyof WorkspaceSettings, string | null>>,
): Promise<{ settings: WorkspaceSettings; changed: (keyof WorkspaceSettings)[] }> {
  const clean = checkedSettings(changes);
  const now = ctx.clock.now();
  return ctx.store.transaction(async (uow) => {
    const before = await uow.settings.get();
    const changed = (Object.keys(clean) as (keyof WorkspaceSettings)[]).filter((k) => clean[k] !== before[k]);
    if (changed.length > 0) {
      await uow.settings.set(clean, now);
      await uow.audit.append(
        { actor: ctx.actor, action: 'workspace.settings-changed', shootId: null, subject: null, details: { changed } },
        now,
      );
    }
    return { settings: await uow.settings.get(), changed };
  });
}

/** The controller and contact a consent form prints, or an error saying how to set them. */
export function requireFormSettings(s: WorkspaceSettings): { controller: string; contact: string } {
  const missing = (['controller', 'contact'] as const).filter((k) => !s[k]);
  if (missing.length > 0 || !s.controller || !s.contact)
    throw new SitterError(
      'CONTROLLER_MISSING',
      `A consent form names the controller and whom to contact (GDPR Art. 13); this workspace has no ${missing.join(' and no ')} yet.`,
      'Set them once for the workspace: sitter settings --controller "ORGANISATION, ADDRESS" --contact "EMAIL OR PHONE"',
    );
  return { controller: s.controller, contact: s.contact };
}
